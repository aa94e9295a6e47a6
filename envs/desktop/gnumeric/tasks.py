"""Gnumeric templates: a seeded CSV table is open; graders read the workbook the agent saved.

Change tasks ask for the result to be saved as ``~/<name>.gnumeric`` (ctrl+s on a CSV opens the save
dialog, whose default type is Gnumeric XML). The grader converts that workbook to CSV with Gnumeric's own
``ssconvert`` inside the sandbox, so formulas are graded by their computed values. The oracle goes to a cell
through the name box (top left, at a known place: the window is maximized), types, and saves.
"""

from __future__ import annotations

import csv
import io
import random

from agora.envs.desktop.display import HOME
from agora.envs.desktop.templates import State, Task, Template, answer, key, type_
from agora.envs.desktop.words import FIRST_NAMES, name

NAME_BOX = (70, 151)
"""Where Gnumeric's cell-reference box is on the 800x600 screen with the window maximized."""


def _table(rng: random.Random, rows: int = 6) -> list[list[str]]:
    people = rng.sample(FIRST_NAMES, rows)
    return [["name", "score", "hours"]] + [[p, str(rng.randint(10, 99)), str(rng.randint(1, 40))] for p in people]


def _csv(table: list[list[str]]) -> bytes:
    return "".join(",".join(row) + "\n" for row in table).encode()


def _goto(cell: str) -> list[str]:
    """Actions that select `cell` through the name box."""
    return [f"click({NAME_BOX[0]}, {NAME_BOX[1]})", key("ctrl+a"), type_(cell + "\n")]


def saved_cells(state: State, path: str) -> list[list[str]] | None:
    """The values of the first sheet of the workbook ``~/path`` (formulas computed by ssconvert), or None."""
    if not state.own_file(path):
        return None
    out = state.run(  # a fresh folder: nothing the agent left in /tmp stands in for the converted sheet
        f"d=$(mktemp -d) && ssconvert --export-type=Gnumeric_stf:stf_csv {HOME}/{path} $d/grade.csv >/dev/null 2>&1"
        " && cat $d/grade.csv"
    )
    return list(csv.reader(io.StringIO(out))) if out else None


def _cell(cells: list[list[str]] | None, ref: str) -> str | None:
    col, row = ord(ref[0]) - ord("A"), int(ref[1:]) - 1
    try:
        return cells[row][col].strip()
    except (TypeError, IndexError):
        return None


def _number_is(value: str | None, expected: float) -> bool:
    try:
        return value is not None and abs(float(value) - expected) < 1e-6
    except ValueError:
        return False


def _change(rng: random.Random, instruction: str, table, edits: list[tuple[str, str]], expect) -> Task:
    """Type `edits` (cell, text) and save as a new workbook; `expect(cells) -> bool` grades the saved values."""
    src, out = name(rng, ".csv"), name(rng, ".gnumeric")
    oracle = [a for cell, text in edits for a in (*_goto(cell), type_(text + "\n"))]
    oracle += [
        key("ctrl+s"),
        "wait()",
        key("ctrl+a"),
        type_(f"{HOME}/{out}\n"),
        "wait()",
        "wait()",
        "wait()",
        answer(""),
    ]
    return Task(
        f"{instruction} Then save the workbook as {out} in your home directory (Gnumeric format).",
        {src: _csv(table)},
        tuple(oracle),
        check=lambda s: float(expect(saved_cells(s, out))),
        open_file=src,
    )


def _ask(rng: random.Random, question: str, table, reply: str) -> Task:
    src = name(rng, ".csv")
    return Task(question, {src: _csv(table)}, (answer(reply),), answer=reply, open_file=src)


def _scores(table) -> list[int]:
    return [int(r[1]) for r in table[1:]]


def set_cell(rng: random.Random) -> Task:
    """Type a number into a cell."""
    table, value = _table(rng), str(rng.randint(100, 999))
    row = rng.randint(2, len(table))
    ref = f"B{row}"
    return _change(
        rng,
        f"Change {table[row - 1][0]}'s score (cell {ref}) to {value}.",
        table,
        [(ref, value)],
        lambda c: _number_is(_cell(c, ref), float(value)),
    )


def _formula(rng: random.Random, label: str, fn: str, compute) -> Task:
    table = _table(rng)
    n = len(table)
    ref = f"B{n + 1}"
    expected = compute(_scores(table))
    return _change(
        rng,
        f"In cell {ref}, put the {label} of the scores B2:B{n} (a formula or the value).",
        table,
        [(ref, f"={fn}(B2:B{n})")],
        lambda c: _number_is(_cell(c, ref), expected),
    )


def sum_formula(rng: random.Random) -> Task:
    """Put the sum of a column below it."""
    return _formula(rng, "sum", "SUM", sum)


def average_formula(rng: random.Random) -> Task:
    """Put the average of a column below it."""
    return _formula(rng, "average", "AVERAGE", lambda xs: sum(xs) / len(xs))


def max_formula(rng: random.Random) -> Task:
    """Put the maximum of a column below it."""
    return _formula(rng, "largest value", "MAX", max)


def min_formula(rng: random.Random) -> Task:
    """Put the minimum of a column below it."""
    return _formula(rng, "smallest value", "MIN", min)


def count_formula(rng: random.Random) -> Task:
    """Put the count of a column's numbers below it."""
    return _formula(rng, "number of entries", "COUNT", len)


def add_row(rng: random.Random) -> Task:
    """Append a row."""
    table = _table(rng)
    new = [rng.choice([p for p in ("Zoe", "Yuki", "Xavi", "Wren") if p not in str(table)]), str(rng.randint(10, 99))]
    row = len(table) + 1
    return _change(
        rng,
        f"Add a row at the bottom with name {new[0]} and score {new[1]}.",
        table,
        [(f"A{row}", new[0]), (f"B{row}", new[1])],
        lambda c: _cell(c, f"A{row}") == new[0] and _number_is(_cell(c, f"B{row}"), float(new[1])),
    )


def rename_header(rng: random.Random) -> Task:
    """Rename a column header."""
    table, label = _table(rng), rng.choice(["points", "grade", "result", "mark"])
    return _change(
        rng,
        f'Rename the header of column B from "score" to "{label}".',
        table,
        [("B1", label)],
        lambda c: _cell(c, "B1") == label,
    )


def rename_person(rng: random.Random) -> Task:
    """Replace a name in the table."""
    table = _table(rng)
    row = rng.randint(2, len(table))
    new = rng.choice([p for p in ("Zoe", "Yuki", "Xavi", "Wren") if p not in str(table)])
    return _change(
        rng,
        f"Replace the name {table[row - 1][0]} with {new}.",
        table,
        [(f"A{row}", new)],
        lambda c: _cell(c, f"A{row}") == new,
    )


def rate_column(rng: random.Random) -> Task:
    """Add a computed column."""
    table = _table(rng, 4)
    edits = [("D1", "ratio")] + [(f"D{r}", f"=B{r}/C{r}") for r in range(2, len(table) + 1)]

    def check(cells) -> bool:
        return _cell(cells, "D1") == "ratio" and all(
            _number_is(_cell(cells, f"D{r}"), int(table[r - 1][1]) / int(table[r - 1][2]))
            for r in range(2, len(table) + 1)
        )

    return _change(
        rng, 'Add a column D headed "ratio" holding, for every row, score divided by hours.', table, edits, check
    )


def total_hours(rng: random.Random) -> Task:
    """Put the total of the hours column below it."""
    table = _table(rng)
    n = len(table)
    expected = sum(int(r[2]) for r in table[1:])
    return _change(
        rng,
        f"In cell C{n + 1}, put the total of the hours C2:C{n}.",
        table,
        [(f"C{n + 1}", f"=SUM(C2:C{n})")],
        lambda c: _number_is(_cell(c, f"C{n + 1}"), expected),
    )


def ask_sum(rng: random.Random) -> Task:
    """Answer: the sum of the scores."""
    table = _table(rng)
    return _ask(
        rng,
        "What is the sum of all scores in the open spreadsheet? Answer with the number.",
        table,
        str(sum(_scores(table))),
    )


def ask_max_name(rng: random.Random) -> Task:
    """Answer: who has the highest score."""
    table = _table(rng)
    best = max(table[1:], key=lambda r: int(r[1]))[0]
    return _ask(rng, "Who has the highest score in the open spreadsheet? Answer with the name.", table, best)


def ask_min(rng: random.Random) -> Task:
    """Answer: the lowest number of hours."""
    table = _table(rng)
    return _ask(
        rng,
        "What is the smallest number of hours in the open spreadsheet? Answer with the number.",
        table,
        str(min(int(r[2]) for r in table[1:])),
    )


def ask_cell(rng: random.Random) -> Task:
    """Answer: the value of a cell."""
    table = _table(rng)
    row = rng.randint(2, len(table))
    return _ask(
        rng, f"What value is in cell C{row} of the open spreadsheet? Answer with the number.", table, table[row - 1][2]
    )


def ask_hours_of(rng: random.Random) -> Task:
    """Answer: one person's hours."""
    table = _table(rng)
    row = rng.choice(table[1:])
    return _ask(
        rng, f"How many hours does {row[0]} have in the open spreadsheet? Answer with the number.", table, row[2]
    )


def ask_rows(rng: random.Random) -> Task:
    """Answer: the number of people listed."""
    table = _table(rng, rng.randint(3, 9))
    return _ask(
        rng,
        "How many people are listed in the open spreadsheet (not counting the header)? Answer with the number.",
        table,
        str(len(table) - 1),
    )


def ask_above(rng: random.Random) -> Task:
    """Answer: how many scores exceed a threshold."""
    table, threshold = _table(rng), rng.randint(30, 70)
    return _ask(
        rng,
        f"How many people in the open spreadsheet have a score above {threshold}? Answer with the number.",
        table,
        str(sum(s > threshold for s in _scores(table))),
    )


TEMPLATES = [
    Template("gnumeric", fn.__name__.replace("_", "-"), fn)
    for fn in (
        set_cell, sum_formula, average_formula, max_formula, min_formula, count_formula, add_row, rename_header,
        rename_person, rate_column, total_hours, ask_sum, ask_max_name, ask_min, ask_cell, ask_hours_of, ask_rows,
        ask_above,
    )
]  # fmt: skip
