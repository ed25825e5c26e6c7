"""A run as a standalone PyTorch script: the template pieces and the renderer."""
