"""MiniWoB++ tasks in a real browser (docs in `env.py`; scripted experts in `agents.py`)."""
