"""Two-player and multi-player text games for self-play (SPIRAL-style), as PettingZoo AEC envs."""

from __future__ import annotations

import agora

GAMES = {
    "TicTacToe": "agora.envs.games.tictactoe.env:TicTacToe",
    "KuhnPoker": "agora.envs.games.kuhn_poker.env:KuhnPoker",
    "ConnectFour": "agora.envs.games.connect_four.env:ConnectFour",
    "Nim": "agora.envs.games.nim.env:Nim",
    "LiarsDice": "agora.envs.games.liars_dice.env:LiarsDice",
    "LeducPoker": "agora.envs.games.leduc_poker.env:LeducPoker",
}


def register_envs() -> None:
    """Registers every game as ``games/<Name>-v0`` (called through the `agora.envs` entry point)."""
    for name, entry_point in GAMES.items():
        agora.register(f"games/{name}-v0", entry_point)
