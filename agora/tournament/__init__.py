"""Self-play tournaments: round robins with fair seats, played by the rollout engine, rated with intervals.

Examples:
    >>> from agora.tournament import round_robin
    >>> result = round_robin("games/TicTacToe-v0", ["random", "minimax"], games_per_pair=4, workers=1,
    ...                      out="runs/doctest-tournament", progress=False, bootstrap_samples=20)  # doctest: +SKIP
    >>> result.summary["ratings"][0]["agent"]  # doctest: +SKIP
    'minimax'

Modules: `schedule` (who plays whom, seats, seeds), `runner` (`round_robin`: the schedule as rollout
jobs, played and logged by `agora.rollout`), `ratings` (Elo, openskill, bootstrap), `report` (table,
JSON, CSV, PNG), `replay` (re-play a logged game).
"""

from agora.tournament.replay import load_game, replay
from agora.tournament.runner import TournamentResult, check_agents, check_env, default_out, round_robin
from agora.tournament.schedule import Match, round_robin_schedule

__all__ = [
    "Match",
    "TournamentResult",
    "check_agents",
    "check_env",
    "default_out",
    "load_game",
    "replay",
    "round_robin",
    "round_robin_schedule",
]
