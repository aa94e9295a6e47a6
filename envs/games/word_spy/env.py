"""WordSpy: "who is the spy", a social-deduction word game for 3 to 6 players (Vision-Zero style).

**Rules.** Each player gets a secret word. All players share one word except the spy, whose word
is the other word of a related pair (coffee / tea; 100 pairs ship in ``words.json``). Nobody is
told who the spy is, not even the spy. In ``clue_rounds`` rounds (default 2) every player, in seat
order, gives a short clue about its word, which everyone sees. Then every player, in seat order,
votes for another player; votes stay secret until all are cast. The player with strictly the most
votes is eliminated.

**Action format.** ``[clue: hot drink in the morning]`` (at most 8 words, 80 characters, never
containing your own word) in the clue phase; ``[vote: 2]`` (the seat number of another player) in
the vote phase. ``info["legal_actions"]`` lists a few vague example clues (any clue that follows
the rules is legal) or every possible vote.

**Rewards.** If the spy is eliminated the civilians get +1 each and the spy -1; otherwise (a
civilian eliminated, or a tied vote) the spy gets +1 and every civilian -1. General-sum. An invalid
action gives an error observation and another try; the third invalid action in a row forfeits:
the offender gets -1, the others 0.

**Private information.** A player sees only its own word (and the public clues); words, votes and
the spy are revealed when the game ends.

**Scripted agents.** ``random`` (vague clues, random votes); ``associate`` (clues from a small
shipped association table; votes for the player whose clues fit its own word least).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from agora.envs.games.word_spy import rules
from agora.errors import GameSetupError
from agora.game import TurnBasedGame
from agora.limits import find_bracketed_move, parse_int

EXAMPLE_CLUES = ("common", "everyday thing", "familiar")
RULES = (
    "You are playing WordSpy ('who is the spy'). Every player has a secret word. All players share "
    "the same word except one, the spy, whose word is different but related. Nobody knows who the spy "
    "is; you might be the spy yourself. First, in turn, each player gives short clues about their word "
    "without saying it: answer [clue: your clue] (at most 8 words, never your word itself). Then each "
    "player votes for the player they think is the spy: answer [vote: N] with another player's number. "
    "The player with the most votes is eliminated (a tie eliminates nobody). If the spy is eliminated "
    "the other players win (+1 each, the spy -1); otherwise the spy wins (+1, the others -1)."
)


class WordSpy(TurnBasedGame):
    """WordSpy as a text game (see the module docs for rules, actions and rewards).

    Args:
        num_players: 3 to 6.
        clue_rounds: rounds of clues before the vote.
    """

    game_name = "word_spy"
    rules = RULES
    zero_sum = False
    scripted_agents = {"associate": "agora.envs.games.word_spy.agents:AssociateAgent"}

    def __init__(self, *, num_players: int = 4, clue_rounds: int = 2, **kwargs: Any):
        if not isinstance(num_players, int) or not 3 <= num_players <= 6:
            raise GameSetupError(f"WordSpy needs num_players between 3 and 6, got {num_players!r}.")
        if not isinstance(clue_rounds, int) or clue_rounds < 1:
            raise GameSetupError(f"clue_rounds must be a positive int, got {clue_rounds!r}.")
        self.clue_rounds = clue_rounds
        self.possible_agents = [f"player_{i}" for i in range(num_players)]
        super().__init__(**kwargs)

    def _new_state(self, rng: np.random.Generator, options: dict[str, Any]) -> rules.State:
        pairs = rules.word_data()["pairs"]
        pair = pairs[int(rng.integers(len(pairs)))]
        flip = int(rng.integers(2))
        spy = int(rng.integers(self.num_players))
        return rules.new_state(pair[flip], pair[1 - flip], self.num_players, spy, self.clue_rounds)

    def _current_player(self) -> int:
        return rules.to_move(self.state)

    def _legal_actions(self, player: int) -> list[str]:
        if rules.phase(self.state) == "clue":
            word = self.state.words[player]
            return [f"[clue: {c}]" for c in EXAMPLE_CLUES if rules.clue_error(word, c) is None]
        return [f"[vote: {p}]" for p in range(self.num_players) if p != player]

    def _parse_action(self, player: int, text: str) -> tuple[str | None, str | None]:
        token = find_bracketed_move(text)
        kind, _, arg = (token or "").partition(":")
        kind, arg = kind.strip(), arg.strip()
        if rules.phase(self.state) == "clue":
            if kind != "clue":
                return None, "It is the clue phase: answer [clue: your clue]."
            error = rules.clue_error(self.state.words[player], arg)
            return (None, error) if error else (f"[clue: {' '.join(arg.split())}]", None)
        target = arg.removeprefix("player").strip(" _")
        number = parse_int(target, max_digits=3)
        if kind != "vote" or number is None:
            return None, "It is the vote phase: answer [vote: N] with another player's number."
        move = f"[vote: {number}]"
        if move not in self._legal_actions(player):
            return None, f"You cannot vote for {target}. Choose another player: 0 to {self.num_players - 1}."
        return move, None

    def _apply(self, player: int, move: str) -> None:
        kind, _, arg = move[1:-1].partition(": ")
        self.state = rules.give_clue(self.state, arg) if kind == "clue" else rules.vote(self.state, int(arg))

    def _outcome(self) -> list[float] | None:
        return rules.payoffs(self.state)

    def _render(self, player: int) -> str:
        s = self.state
        lines = [
            f"You are player {player} of {s.num_players} (players 0 to {s.num_players - 1}). "
            f"Your secret word: {s.words[player]}."
        ]
        for r in range(s.clue_rounds):
            said = s.clues[r * s.num_players : (r + 1) * s.num_players]
            if said:
                lines.append(f"Clues, round {r + 1}: " + "; ".join(f"player {p}: {c}" for p, c in said) + ".")
        phase = rules.phase(s)
        if phase == "over":
            lines += self._reveal(player)
        elif rules.to_move(s) != player:
            lines.append(f"Waiting for player {rules.to_move(s)}.")
        elif phase == "clue":
            lines.append(
                f"Your move: give a clue for round {len(s.clues) // s.num_players + 1}, "
                f"e.g. {self._legal_actions(player)[0]}, without saying your word."
            )
        else:
            lines.append(
                f"Voting ({len(s.votes)} of {s.num_players} votes cast). Your move: vote for the "
                f"spy, one of {', '.join(self._legal_actions(player))}."
            )
        return "\n".join(lines)

    def _reveal(self, player: int) -> list[str]:
        s = self.state
        out = rules.eliminated(s.votes)
        civilian = s.words[(s.spy + 1) % s.num_players]
        return [
            "Votes: " + ", ".join(f"player {p} -> {v}" for p, v in enumerate(s.votes)) + ".",
            ("Nobody was eliminated (tie)." if out is None else f"Player {out} was eliminated.")
            + f" The spy was player {s.spy} with {s.words[s.spy]!r}; the others had {civilian!r}.",
            f"Game over. Your reward: {self.outcome[player]:+g}." if self.outcome else "Game over.",
        ]

    def _view(self, player: int) -> dict[str, Any]:
        s = self.state
        view = {
            "player": player,
            "word": s.words[player],
            "num_players": s.num_players,
            "clue_rounds": s.clue_rounds,
            "clues": [list(c) for c in s.clues],
            "phase": rules.phase(s),
            "votes_cast": len(s.votes),
        }
        if rules.phase(s) == "over":
            view.update(votes=list(s.votes), spy=s.spy, words=list(s.words))
        return view

    def _state_key(self, player: int) -> Hashable:
        s = self.state
        return (player, s.words[player], s.clues, len(s.votes), rules.to_move(s))

    def _private_info(self, player: int) -> Hashable:
        return self.state.words[player]
