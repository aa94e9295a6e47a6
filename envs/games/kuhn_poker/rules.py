"""Kuhn poker rules as pure functions (no env, no text).

Three cards, J < Q < K; each player antes 1 and is dealt one card. Player 0 acts first. With no bet
outstanding a player may check or bet 1; facing a bet, call or fold. A history is a tuple of
action names; the game ends after check-check, bet-call, bet-fold, check-bet-call or check-bet-fold.
"""

from __future__ import annotations

CARDS = ("J", "Q", "K")
History = tuple[str, ...]
TERMINAL: frozenset[History] = frozenset(
    {
        ("check", "check"),
        ("bet", "call"),
        ("bet", "fold"),
        ("check", "bet", "call"),
        ("check", "bet", "fold"),
    }
)


def to_move(history: History) -> int:
    """Index of the player to act after `history`."""
    return len(history) % 2


def facing_bet(history: History) -> bool:
    """True when the player to act must call or fold."""
    return bool(history) and history[-1] == "bet"


def legal_actions(history: History) -> tuple[str, ...]:
    """The actions the player to act may take (none once the hand is over)."""
    if history in TERMINAL:
        return ()
    return ("call", "fold") if facing_bet(history) else ("check", "bet")


def payoffs(cards: tuple[int, int], history: History) -> tuple[float, float] | None:
    """Chips won by each player at a terminal history (zero-sum), else None.

    `cards` are ranks 0 (J), 1 (Q), 2 (K) of player 0 and player 1.
    """
    if history not in TERMINAL:
        return None
    if history[-1] == "fold":
        folder = to_move(history[:-1])
        return (-1.0, 1.0) if folder == 0 else (1.0, -1.0)
    stake = 2.0 if "bet" in history else 1.0
    return (stake, -stake) if cards[0] > cards[1] else (-stake, stake)
