"""What the engine keeps on disk: checkpoints and their one schema, output files, locks, rescue files, corpus files."""
