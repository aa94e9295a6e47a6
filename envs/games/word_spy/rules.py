"""WordSpy ("who is the spy") rules as pure functions (no env, no text rendering).

Every player gets a secret word; all share one word except the spy, whose word is the other word
of a pair of related words (coffee / tea). Nobody is told who the spy is, not even the spy. Players
give `clue_rounds` rounds of clues in seat order, then each votes for one other player. The player
with strictly the most votes is eliminated: if that is the spy the civilians win, otherwise (a
civilian eliminated, or a tie) the spy wins. Winners get +1, losers -1.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from importlib import resources
from typing import Literal

MAX_CLUE_WORDS = 8
MAX_CLUE_CHARS = 80
Phase = Literal["clue", "vote", "over"]


@functools.cache
def word_data() -> dict:
    """The shipped word pairs (``pairs``) and the scripted agent's association table (``associations``)."""
    text = resources.files("agora.envs.games.word_spy").joinpath("words.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclasses.dataclass(frozen=True)
class State:
    """A game of WordSpy: each player's word, the spy's seat, the clues and the votes so far."""

    words: tuple[str, ...]
    spy: int
    clue_rounds: int
    clues: tuple[tuple[int, str], ...] = ()
    votes: tuple[int, ...] = ()

    @property
    def num_players(self) -> int:
        """Number of players."""
        return len(self.words)


def new_state(civilian_word: str, spy_word: str, num_players: int, spy: int, clue_rounds: int) -> State:
    """The state before the first clue."""
    if not 3 <= num_players <= 6:
        raise ValueError(f"WordSpy needs 3 to 6 players, got {num_players}")
    if not 0 <= spy < num_players or clue_rounds < 1:
        raise ValueError(f"bad spy seat {spy} or clue_rounds {clue_rounds}")
    words = tuple(spy_word if p == spy else civilian_word for p in range(num_players))
    return State(words=words, spy=spy, clue_rounds=clue_rounds)


def phase(state: State) -> Phase:
    """What happens next: clues, then votes, then the game is over."""
    if len(state.clues) < state.clue_rounds * state.num_players:
        return "clue"
    return "vote" if len(state.votes) < state.num_players else "over"


def to_move(state: State) -> int:
    """Seat of the player to act (players act in seat order, in both phases)."""
    done = len(state.clues) if phase(state) == "clue" else len(state.votes)
    return done % state.num_players


def clue_error(word: str, clue: str) -> str | None:
    """Why `clue` is not an acceptable clue for a player holding `word`, or None."""
    text = clue.strip()
    if not text:
        return "A clue may not be empty."
    if len(text) > MAX_CLUE_CHARS or len(text.split()) > MAX_CLUE_WORDS:
        return f"A clue has at most {MAX_CLUE_WORDS} words and {MAX_CLUE_CHARS} characters."
    if word.lower() in text.lower():
        return "Your clue may not contain your secret word."
    return None


def give_clue(state: State, clue: str) -> State:
    """The state after the player to move gives `clue`; raises ValueError when it is not allowed."""
    player = to_move(state)
    error = "it is not the clue phase" if phase(state) != "clue" else clue_error(state.words[player], clue)
    if error:
        raise ValueError(error)
    return dataclasses.replace(state, clues=(*state.clues, (player, " ".join(clue.split()))))


def vote(state: State, target: int) -> State:
    """The state after the player to move votes for `target`; raises ValueError when not allowed."""
    player = to_move(state)
    if phase(state) != "vote" or not 0 <= target < state.num_players or target == player:
        raise ValueError(f"player {player} cannot vote for {target} now")
    return dataclasses.replace(state, votes=(*state.votes, target))


def eliminated(votes: tuple[int, ...]) -> int | None:
    """The player with strictly the most votes, or None on a tie."""
    counts: dict[int, int] = {}
    for v in votes:
        counts[v] = counts.get(v, 0) + 1
    top = max(counts.values(), default=0)
    leaders = [p for p, c in counts.items() if c == top]
    return leaders[0] if len(leaders) == 1 else None


def payoffs(state: State) -> list[float] | None:
    """+1 for the winners and -1 for the losers once every vote is cast, else None."""
    if phase(state) != "over":
        return None
    spy_caught = eliminated(state.votes) == state.spy
    return [
        (-1.0 if spy_caught else 1.0) if p == state.spy else (1.0 if spy_caught else -1.0)
        for p in range(state.num_players)
    ]


_WORD = re.compile(r"[a-z]+")


def clue_words(clue: str) -> set[str]:
    """Lower-case words of a clue (for matching against associations)."""
    return set(_WORD.findall(clue.lower()))
