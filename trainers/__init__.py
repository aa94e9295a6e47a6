"""The trainer: credit assignment, the PPO loss on completion tokens, the training loop and self-play.

Importing this package is light; torch and transformers load inside the functions that need them.
"""
