"""GUI tasks drawn on one HTML canvas (click-button, dialog, form): the agent sees only pixels."""
