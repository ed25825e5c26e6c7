"""Beyond one process: data-parallel training under torchrun, and the launcher that starts it."""
