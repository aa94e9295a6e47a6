"""Kuhn poker: rules, the text game, and its equilibrium agent."""
