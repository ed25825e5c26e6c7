"""The `rnnplay` command: parsing, console output, signals. The top layer: it may import the app; nothing imports it."""
