"""Scripted WordSpy agents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agora.agent import SeededAgent
from agora.envs.games.word_spy import rules


def clue_for(word: str, round_index: int) -> str:
    """The `round_index`-th association of `word` in the shipped table (a vague clue if none)."""
    options = rules.word_data()["associations"].get(word) or ["common"]
    return options[round_index % len(options)]


def fit(word: str, clues: Sequence[str]) -> int:
    """How many of `clues` mention an association of `word` (or a word that contains it)."""
    related = {word, *rules.word_data()["associations"].get(word, [])}
    return sum(bool(rules.clue_words(c) & related) for c in clues)


def suspects(word: str, me: int, clues: Sequence[Sequence[Any]], num_players: int) -> list[int]:
    """The other players whose clues fit `word` least (the likeliest spies, as `me` sees it)."""
    said: dict[int, list[str]] = {p: [] for p in range(num_players) if p != me}
    for player, clue in clues:
        if player != me:
            said[player].append(clue)
    scores = {p: fit(word, c) for p, c in said.items()}
    low = min(scores.values())
    return [p for p, s in scores.items() if s == low]


class AssociateAgent(SeededAgent):
    """Gives clues from the association table; votes for the player whose clues fit its word least."""

    name = "associate"

    def act(self, observation: str, info: Mapping[str, Any]) -> str:
        """A clue or a vote for the state in `info["view"]`."""
        view = info["view"]
        if view["phase"] == "clue":
            mine = sum(1 for p, _ in view["clues"] if p == view["player"])
            return f"[clue: {clue_for(view['word'], mine)}]"
        return f"[vote: {self.choice(suspects(view['word'], view['player'], view['clues'], view['num_players']))}]"
