from __future__ import annotations

import subprocess
import sys


def agora_cli(*args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-m", "agora.cli", *args], input=stdin, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_info_shows_docs_page() -> None:
    out = agora_cli("info", "games/KuhnPoker-v0")
    assert "Action format" in out and "[check]" in out


def test_play_a_game_in_the_terminal() -> None:
    # X plays 0, 3, 6 against random: the input is fixed, the game ends (win, loss, or forfeit).
    out = agora_cli(
        "play",
        "games/TicTacToe-v0",
        "--opponent",
        "minimax",
        "--seat",
        "0",
        "--seed",
        "1",
        stdin="[4]\nnonsense\n[0]\n[1]\n[2]\n[3]\n[5]\n[6]\n[7]\n[8]\n" * 3,
    )
    assert "Invalid move" in out and "episode over" in out
