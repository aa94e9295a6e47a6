"""Tic-tac-toe: rules, the text game, and its perfect (minimax) agent."""
