"""Depth-limited alpha-beta (negamax) search for Connect Four, over the bitboards of `rules`.

The search takes immediate wins, answers the opponent's immediate threat (and resigns itself to a
loss against two), never plays under an opponent's threat when it can avoid it, and orders moves
from the centre out. At the depth limit it scores the position by its threats (empty cells that
would complete four: worth more when they lie on the right row parity for their owner) and the
stones in the central columns.
"""

from __future__ import annotations

from agora.envs.games.connect_four import rules

WIN = 1_000_000
ORDER = (3, 2, 4, 1, 5, 0, 6)
_CENTER = rules.COLUMN[3]
_NEAR_CENTER = rules.COLUMN[2] | rules.COLUMN[4]
_ODD_ROWS = sum(1 << (c * rules.H + r) for c in range(rules.COLS) for r in range(0, rules.ROWS, 2))


def evaluate(me: int, opp: int, mask: int) -> int:
    """Heuristic score of a quiet position for the player to move (stones `me`)."""
    mine, theirs = rules.threats(me, mask), rules.threats(opp, mask)
    score = 8 * (mine.bit_count() - theirs.bit_count())
    # Threats on the owner's parity rows tend to decide the endgame: odd rows (1st, 3rd, 5th) for
    # the first player, even rows for the second.
    first = (me | opp).bit_count() % 2 == 0  # the player to move is the first player
    good_me, good_opp = (_ODD_ROWS, ~_ODD_ROWS) if first else (~_ODD_ROWS, _ODD_ROWS)
    score += 4 * ((mine & good_me).bit_count() - (theirs & good_opp).bit_count())
    score += 3 * ((me & _CENTER).bit_count() - (opp & _CENTER).bit_count())
    score += (me & _NEAR_CENTER).bit_count() - (opp & _NEAR_CENTER).bit_count()
    return score


def candidate_moves(me: int, opp: int, mask: int) -> tuple[list[int], bool]:
    """Moves worth searching, and whether the mover is lost anyway (two opponent threats to meet)."""
    open_cols = [c for c in ORDER if not mask & rules.TOP[c]]
    playable = {c: rules.drop(mask, c) for c in open_cols}
    danger = rules.threats(opp, mask)
    forced = [c for c in open_cols if playable[c] & danger]
    if len(forced) > 1:
        return forced[:1], True
    if forced:
        return forced, False
    safe = [c for c in open_cols if not (playable[c] << 1) & danger]
    return (safe, False) if safe else (open_cols[:1], True)


def negamax(me: int, opp: int, depth: int, alpha: int, beta: int) -> int:
    """Value for the player to move (stones `me`) searched `depth` plies deep; wins sooner score higher."""
    mask = me | opp
    if mask == rules.FULL:
        return 0
    for c in ORDER:
        if not mask & rules.TOP[c] and rules.has_four(me | rules.drop(mask, c)):
            return WIN + depth
    moves, lost = candidate_moves(me, opp, mask)
    if lost:
        return -(WIN + depth - 1)
    if depth == 0:
        return evaluate(me, opp, mask)
    best = -2 * WIN
    for c in moves:
        value = -negamax(opp, me | rules.drop(mask, c), depth - 1, -beta, -alpha)
        if value > best:
            best = value
            if value > alpha:
                alpha = value
                if alpha >= beta:
                    break
    return best


def scored_moves(board: rules.Board, depth: int) -> dict[int, int]:
    """Each legal move's value at `depth`: exact for every move that ties with or beats the best."""
    player = rules.to_move(board)
    me, opp = board[player], board[1 - player]
    mask = me | opp
    scores: dict[int, int] = {}
    best = -2 * WIN
    for c in ORDER:
        if mask & rules.TOP[c]:
            continue
        stone = rules.drop(mask, c)
        if rules.has_four(me | stone):
            scores[c] = WIN + depth + 1
        else:
            scores[c] = -negamax(opp, me | stone, depth - 1, -2 * WIN - 1, -(best - 1))
        best = max(best, scores[c])
    return scores


def best_moves(board: rules.Board, depth: int = 5) -> list[int]:
    """The moves with the highest alpha-beta value at `depth` plies (all of them, for a random tie-break)."""
    if rules.is_over(board):
        return []
    scores = scored_moves(board, depth)
    top = max(scores.values())
    return [c for c, v in scores.items() if v == top]
