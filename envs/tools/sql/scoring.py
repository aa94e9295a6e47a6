"""Execution match with partial credit, comparing the result of the agent's query with the gold query's.

Values are normalised first (floats rounded to 4 decimals, so ``AVG`` agrees with itself).

* **execution match** (reward 1.0): the same rows, as a multiset; in the same order when the gold
  query has an ``ORDER BY``. Column names and aliases are ignored.
* otherwise **partial credit** = ``0.3 * columns + 0.5 * rows`` (at most 0.8):

  - ``columns``: the fraction of gold columns whose values (as a multiset) equal the values of some
    column of the agent's result, so a right column in the wrong place or beside extra columns counts;
  - ``rows``: the F1 of the agent's rows against the gold rows, as multisets of whole rows.

A query that fails scores 0.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

COLUMNS_WEIGHT = 0.3
ROWS_WEIGHT = 0.5


def _norm(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def _norm_rows(rows: list[tuple]) -> list[tuple]:
    return [tuple(_norm(v) for v in row) for row in rows]


def _column_bags(rows: list[tuple], width: int) -> list[Counter]:
    return [Counter(row[i] for row in rows) for i in range(width)]


def _rows_f1(pred: list[tuple], gold: list[tuple]) -> float:
    overlap = sum((Counter(pred) & Counter(gold)).values())
    if overlap == 0:
        return float(not pred and not gold)
    precision, recall = overlap / len(pred), overlap / len(gold)
    return 2 * precision * recall / (precision + recall)


def _columns_score(pred: list[tuple], pred_width: int, gold: list[tuple], gold_width: int) -> float:
    if gold_width == 0:
        return 0.0
    pred_bags = _column_bags(pred, pred_width)
    found = sum(any(bag == p for p in pred_bags) for bag in _column_bags(gold, gold_width))
    return found / gold_width


def score_result(
    pred: list[tuple], pred_width: int, gold: list[tuple], gold_width: int, ordered: bool
) -> dict[str, float]:
    """The reward components of a predicted result against the gold one: match, columns, rows, reward."""
    pred, gold = _norm_rows(pred), _norm_rows(gold)
    match = pred == gold if ordered else Counter(pred) == Counter(gold)
    match = match and pred_width == gold_width
    columns = _columns_score(pred, pred_width, gold, gold_width)
    rows = _rows_f1(pred, gold)
    reward = 1.0 if match else COLUMNS_WEIGHT * columns + ROWS_WEIGHT * rows
    return {"match": float(match), "columns": columns, "rows": rows, "reward": reward}


def is_ordered(sql: str) -> bool:
    """True when the query's outermost result is ordered (it has an ORDER BY)."""
    return re.search(r"\border\s+by\b", sql, re.IGNORECASE) is not None
