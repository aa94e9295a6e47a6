"""Environment families, one subpackage each; each registers through the `agora.envs` entry point."""

from agora.layout import step_aside

step_aside(__name__, __file__)  # under its bare name: the installed distribution, never this folder
