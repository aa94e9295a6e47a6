"""Leduc hold'em rules as pure functions (no env, no text).

Six cards, two each of J < Q < K (suits do not matter, so a card is its rank 0, 1 or 2). Each player
antes 1 and gets one private card. Two betting rounds; a public card is dealt between them. In each
round player 0 acts first; a bet or raise is 2 chips in round 1 and 4 in round 2, with at most two
of them (a bet and a raise) per round. At the showdown a player whose card pairs the public card
wins; otherwise the higher card wins; equal ranks split the pot.

A history is a string of action letters, rounds separated by ``/``: ``k`` check, ``b`` bet,
``c`` call, ``r`` raise, ``f`` fold. ``"kbc/b"`` means: check, bet, call; public card; bet.
"""

from __future__ import annotations

from functools import cache

RANKS = "JQK"
DECK = (0, 0, 1, 1, 2, 2)
ACTIONS = {"k": "check", "b": "bet", "c": "call", "r": "raise", "f": "fold"}
LETTERS = {name: letter for letter, name in ACTIONS.items()}
BET_SIZE = (2, 4)
MAX_BETS = 2
ANTE = 1
_CLOSING = frozenset({"kk", "bc", "brc", "kbc", "kbrc"})


def round_index(history: str) -> int:
    """0 in the first betting round, 1 in the second."""
    return history.count("/")


def round_actions(history: str) -> str:
    """The letters played so far in the current round."""
    return history.rsplit("/", 1)[-1]


def to_move(history: str) -> int:
    """Index of the player to act (player 0 opens each round)."""
    return len(round_actions(history)) % 2


@cache
def is_terminal(history: str) -> bool:
    """True after a fold or once the second round has closed."""
    return history.endswith("f") or (round_index(history) == 1 and round_actions(history) in _CLOSING)


@cache
def legal_actions(history: str) -> tuple[str, ...]:
    """Names of the actions the player to act may take (none once the hand is over)."""
    if is_terminal(history):
        return ()
    actions = round_actions(history)
    if actions.endswith(("b", "r")):
        bets = actions.count("b") + actions.count("r")
        return ("call", "raise", "fold") if bets < MAX_BETS else ("call", "fold")
    return ("check", "bet")


def play(history: str, action: str) -> str:
    """The history after `action` (a name); a ``/`` is added when the first round closes."""
    if action not in legal_actions(history):
        raise ValueError(f"{action!r} is not legal after {history!r}; legal: {legal_actions(history)}")
    new = history + LETTERS[action]
    if round_index(new) == 0 and round_actions(new) in _CLOSING:
        new += "/"
    return new


def public_card_due(history: str) -> bool:
    """True once the first round has closed (the public card is shown from then on)."""
    return round_index(history) == 1


@cache
def contributions(history: str) -> tuple[int, int]:
    """Chips each player has put in the pot (antes included)."""
    put = [ANTE, ANTE]
    for r, actions in enumerate(history.split("/")):
        for i, letter in enumerate(actions):
            p = i % 2
            if letter in "br":
                put[p] = put[1 - p] + BET_SIZE[r]
            elif letter == "c":
                put[p] = put[1 - p]
    return put[0], put[1]


def strength(card: int, public: int) -> int:
    """Showdown strength: a pair beats any high card; otherwise the rank counts."""
    return 3 + card if card == public else card


def payoffs(cards: tuple[int, int], public: int | None, history: str) -> tuple[float, float] | None:
    """Chips won by each player at a terminal history (zero-sum), else None."""
    if not is_terminal(history):
        return None
    put = contributions(history)
    if history.endswith("f"):
        folder = to_move(history[:-1])
        return (-float(put[0]), float(put[0])) if folder == 0 else (float(put[1]), -float(put[1]))
    mine, theirs = strength(cards[0], public), strength(cards[1], public)
    if mine == theirs:
        return (0.0, 0.0)
    won = float(put[1]) if mine > theirs else -float(put[0])
    return (won, -won)


def infoset_key(card: int, public: int | None, history: str) -> str:
    """Key of what the player to act knows: its card, the public card (once shown) and the history."""
    return f"{RANKS[card]}{'' if public is None else RANKS[public]}:{history}"


def deal_probabilities() -> list[tuple[tuple[int, int], float]]:
    """Every (card of player 0, card of player 1) with its probability."""
    return [((a, b), (2 / 6) * ((1 if a == b else 2) / 5)) for a in range(3) for b in range(3)]


def public_probabilities(cards: tuple[int, int]) -> list[tuple[int, float]]:
    """Every public card with its probability given the two private cards."""
    left = [2 - cards.count(r) for r in range(3)]
    return [(r, n / 4) for r, n in enumerate(left) if n]
