"""TextWorld: generated or given interactive fiction games (docs in `env.py`; game cache in `games.py`)."""
