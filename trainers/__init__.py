"""The trainer: credit assignment, the PPO loss on completion tokens, the training loop and self-play.

Importing this package is light; torch and transformers load inside the functions that need them.
"""

from agora.layout import step_aside

step_aside(__name__, __file__)  # under its bare name: the installed distribution, never this folder
