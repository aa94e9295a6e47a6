"""Two-player and multi-player text games for self-play (SPIRAL-style), as PettingZoo AEC envs."""

from __future__ import annotations

from agora.registry import register_all

ENVS: dict[str, tuple[str, int | None]] = {
    "games/TicTacToe-v0": ("agora.envs.games.tictactoe.env:TicTacToe", None),
    "games/KuhnPoker-v0": ("agora.envs.games.kuhn_poker.env:KuhnPoker", None),
    "games/ConnectFour-v0": ("agora.envs.games.connect_four.env:ConnectFour", None),
    "games/Nim-v0": ("agora.envs.games.nim.env:Nim", None),
    "games/LiarsDice-v0": ("agora.envs.games.liars_dice.env:LiarsDice", None),
    "games/LeducPoker-v0": ("agora.envs.games.leduc_poker.env:LeducPoker", None),
    "games/SimpleNegotiation-v0": ("agora.envs.games.negotiation.env:SimpleNegotiation", None),
    "games/WordSpy-v0": ("agora.envs.games.word_spy.env:WordSpy", None),
}
"""id -> (entry point, turns after which `make` truncates a single-agent episode or None)."""


def register_envs() -> None:
    """Registers every id in `ENVS` (called through the `agora.envs` entry point)."""
    register_all(ENVS)
