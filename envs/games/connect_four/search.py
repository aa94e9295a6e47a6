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
_EVEN_ROWS = rules.FULL ^ _ODD_ROWS
_BOTTOM_ROW = sum(rules.BOTTOM)
_EXACT, _LOWER, _UPPER = 0, 1, 2
Table = dict[int, tuple[int, int]]


def evaluate(me: int, opp: int, mask: int) -> int:
    """Heuristic score of a quiet position for the player to move (stones `me`)."""
    return _score(me, opp, rules.threats(me, mask), rules.threats(opp, mask), mask)


def _score(me: int, opp: int, mine: int, theirs: int, mask: int) -> int:
    score = 8 * (mine.bit_count() - theirs.bit_count())
    # Threats on the owner's parity rows tend to decide the endgame: odd rows (1st, 3rd, 5th) for
    # the first player, even rows for the second.
    if mask.bit_count() % 2 == 0:  # the player to move is the first player
        score += 4 * ((mine & _ODD_ROWS).bit_count() - (theirs & _EVEN_ROWS).bit_count())
    else:
        score += 4 * ((mine & _EVEN_ROWS).bit_count() - (theirs & _ODD_ROWS).bit_count())
    score += 3 * ((me & _CENTER).bit_count() - (opp & _CENTER).bit_count())
    return score + (me & _NEAR_CENTER).bit_count() - (opp & _NEAR_CENTER).bit_count()


def negamax(me: int, opp: int, depth: int, alpha: int, beta: int, table: Table | None = None) -> int:
    """Value for the player to move (stones `me`) searched `depth` plies deep; wins sooner score higher.

    Immediate wins end the search; a single opponent threat forces the reply, two lose; moves that
    would let the opponent win on the cell above are skipped while a safe move exists. `table`
    (a dict kept for one root search) remembers positions reached again by other move orders.
    """
    mask = me | opp
    if mask == rules.FULL:
        return 0
    playable = (mask + _BOTTOM_ROW) & rules.FULL
    mine = rules.threats(me, mask)
    if mine & playable:
        return WIN + depth
    theirs = rules.threats(opp, mask)
    moves = theirs & playable
    if moves & (moves - 1):
        return -(WIN + depth - 1)  # two threats to meet at once
    if not moves:
        moves = playable & ~(theirs >> 1)
        if not moves:
            return -(WIN + depth - 1)  # every move lets the opponent win on top of it
    if depth == 0:
        return _score(me, opp, mine, theirs, mask)
    if table is None:
        table = {}
    key = (me << 64 | opp) << 4 | depth
    entry = table.get(key)
    if entry is not None:
        flag, value = entry
        if flag == _EXACT or (flag == _LOWER and value >= beta) or (flag == _UPPER and value <= alpha):
            return value
    start, best = alpha, -2 * WIN
    for c in ORDER:
        stone = moves & rules.COLUMN[c]
        if not stone:
            continue
        value = -negamax(opp, me | stone, depth - 1, -beta, -alpha, table)
        if value > best:
            best = value
            if value > alpha:
                alpha = value
                if alpha >= beta:
                    break
    table[key] = (_UPPER if best <= start else _LOWER if best >= beta else _EXACT, best)
    return best


def scored_moves(board: rules.Board, depth: int) -> dict[int, int]:
    """Each legal move's value at `depth`: exact for every move that ties with or beats the best."""
    player = rules.to_move(board)
    me, opp = board[player], board[1 - player]
    mask = me | opp
    scores: dict[int, int] = {}
    best, table = -2 * WIN, {}
    for c in ORDER:
        if mask & rules.TOP[c]:
            continue
        stone = rules.drop(mask, c)
        if rules.has_four(me | stone):
            scores[c] = WIN + depth + 1
        else:
            scores[c] = -negamax(opp, me | stone, depth - 1, -2 * WIN - 1, -(best - 1), table)
        best = max(best, scores[c])
    return scores


def best_moves(board: rules.Board, depth: int = 5) -> list[int]:
    """The moves with the highest alpha-beta value at `depth` plies (all of them, for a random tie-break)."""
    if rules.is_over(board):
        return []
    scores = scored_moves(board, depth)
    top = max(scores.values())
    return [c for c, v in scores.items() if v == top]
