"""Environment families, one subpackage each; each registers through the `agora.envs` entry point."""
