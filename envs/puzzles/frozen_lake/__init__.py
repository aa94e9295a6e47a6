"""FrozenLake: cross the ice to the goal without falling into a hole (docs in `env.py`)."""
