"""Credit assignment, losses, the training loop, self-play and checkpoints."""
