r"""Bug injection, SWE-smith style: procedural AST mutations of a project's own code (no LLM).

Each `Mutation` is one small text edit located through the AST (so the diff touches only the mutated
tokens and the formatting stays the project's): flip a comparison, a boolean or an arithmetic operator,
off-by-one in an integer constant or a slice bound, invert an ``if`` test, drop a statement, a ``return``
or a loop ``break``, swap two call arguments, change a default value. `candidates` lists every
mutation of a tree in a fixed order; `ordered` shuffles them with a seed, interleaving the kinds, so the
same seed always gives the same sequence. A mutation is kept only if the file still parses and its AST
differs.

>>> m = next(m for m in file_mutations("m.py", "def f(a, b):\n    return a < b\n") if m.kind == "flip_comparison")
>>> m.apply("def f(a, b):\n    return a < b\n")
'def f(a, b):\n    return a >= b\n'
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from agora.envs.swe.bug_fix.projects import Layout, SourceTree

KINDS = (
    "flip_comparison",
    "flip_boolean",
    "flip_arithmetic",
    "off_by_one",
    "slice_bound",
    "invert_if",
    "drop_statement",
    "drop_return",
    "drop_break",
    "swap_arguments",
    "change_default",
)
_COMPARE = {  # operator type -> (pattern of its token, replacement)
    ast.Lt: (r"<(?!=)", ">="),
    ast.LtE: (r"<=", ">"),
    ast.Gt: (r">(?!=)", "<="),
    ast.GtE: (r">=", "<"),
    ast.Eq: (r"==", "!="),
    ast.NotEq: (r"!=", "=="),
    ast.Is: (r"\bis\b(?!\s+not\b)", "is not"),
    ast.IsNot: (r"\bis\s+not\b", "is"),
    ast.In: (r"(?<!not )\bin\b", "not in"),
    ast.NotIn: (r"\bnot\s+in\b", "in"),
}
_BOOL = {ast.And: (r"\band\b", "or"), ast.Or: (r"\bor\b", "and")}
_ARITH = {ast.Add: (r"\+", "-"), ast.Sub: (r"-", "+")}
_DROPPABLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)


@dataclass(frozen=True)
class Mutation:
    """Replace ``text[start:end]`` of file `path` with `replacement` (character offsets)."""

    path: str
    kind: str
    line: int
    start: int
    end: int
    replacement: str

    def apply(self, text: str) -> str:
        """The file's text with the mutation applied."""
        return text[: self.start] + self.replacement + text[self.end :]


class _Source:
    """A file's text with AST positions (line, UTF-8 byte column) turned into character offsets."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, col_bytes: int) -> int:
        row = self.lines[line - 1]
        return self.starts[line - 1] + len(row.encode()[:col_bytes].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def whole_lines(self, node: ast.stmt) -> tuple[int, int] | None:
        """The node's full lines when nothing else shares them (no ``a; b``)."""
        start, end = self.span(node)
        line_start, line_end = self.starts[node.lineno - 1], self.starts[node.end_lineno]
        before, after = self.text[line_start:start], self.text[end:line_end]
        if before.strip() or after.strip().split("#")[0].strip():
            return None
        return line_start, line_end


def _token_edit(
    src: _Source, path: str, kind: str, node: ast.AST, left: ast.AST, right: ast.AST, table: dict, op: type
) -> Mutation | None:
    """Replaces the one operator token between `left` and `right` (from `table[op]`)."""
    if op not in table:
        return None
    pattern, new = table[op]
    lo, hi = src.span(left)[1], src.span(right)[0]
    found = list(re.finditer(pattern, src.text[lo:hi]))
    if len(found) != 1 or "#" in src.text[lo:hi]:
        return None
    match = found[0]
    return Mutation(path, kind, node.lineno, lo + match.start(), lo + match.end(), new)


def _expression_mutations(src: _Source, path: str, node: ast.AST) -> Iterator[Mutation | None]:
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        yield _token_edit(
            src, path, "flip_comparison", node, node.left, node.comparators[0], _COMPARE, type(node.ops[0])
        )
    elif isinstance(node, ast.BoolOp):
        yield _token_edit(src, path, "flip_boolean", node, node.values[0], node.values[1], _BOOL, type(node.op))
    elif isinstance(node, ast.BinOp):
        yield _token_edit(src, path, "flip_arithmetic", node, node.left, node.right, _ARITH, type(node.op))
    elif isinstance(node, ast.Constant) and type(node.value) is int and abs(node.value) <= 10_000:
        start, end = src.span(node)
        value = node.value + (1 if (node.lineno + node.col_offset) % 2 or node.value == 0 else -1)
        yield Mutation(path, "off_by_one", node.lineno, start, end, str(value))
    elif isinstance(node, ast.Slice):
        for bound in (node.lower, node.upper):
            if isinstance(bound, (ast.Name, ast.Attribute)) and bound.lineno == bound.end_lineno:
                start, end = src.span(bound)
                yield Mutation(path, "slice_bound", bound.lineno, start, end, src.text[start:end] + " - 1")
    elif (
        isinstance(node, ast.Call)
        and len(node.args) >= 2
        and not any(isinstance(a, ast.Starred) for a in node.args[:2])
    ):
        yield _swap(src, path, node)


def _swap(src: _Source, path: str, node: ast.Call) -> Mutation | None:
    (a0, a1), (b0, b1) = src.span(node.args[0]), src.span(node.args[1])
    first, second = src.text[a0:a1], src.text[b0:b1]
    if first == second or "\n" in src.text[a0:b1]:
        return None
    return Mutation(path, "swap_arguments", node.lineno, a0, b1, second + src.text[a1:b0] + first)


def _statement_mutations(src: _Source, path: str, node: ast.AST) -> Iterator[Mutation | None]:
    if isinstance(node, ast.If) and node.test.lineno == node.test.end_lineno:
        start, end = src.span(node.test)
        yield Mutation(path, "invert_if", node.lineno, start, end, f"not ({src.text[start:end]})")
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        yield from _default_mutations(src, path, node.args)
    for body in (getattr(node, "body", None), getattr(node, "orelse", None)):
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            yield from _drops(src, path, body)


def _drops(src: _Source, path: str, body: list[ast.stmt]) -> Iterator[Mutation | None]:
    for stmt in body:
        is_doc = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            kind = "drop_return"
        elif isinstance(stmt, ast.Break):
            kind = "drop_break"
        elif isinstance(stmt, _DROPPABLE) and len(body) >= 2 and not is_doc:
            kind = "drop_statement"
        else:
            continue
        lines = src.whole_lines(stmt)
        if lines is not None:
            indent = src.lines[stmt.lineno - 1][
                : len(src.lines[stmt.lineno - 1]) - len(src.lines[stmt.lineno - 1].lstrip())
            ]
            yield Mutation(path, kind, stmt.lineno, lines[0], lines[1], f"{indent}pass\n")


def _default_mutations(src: _Source, path: str, args: ast.arguments) -> Iterator[Mutation | None]:
    for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
        if not isinstance(default, ast.Constant) or default.lineno != default.end_lineno:
            continue
        value = default.value
        if isinstance(value, bool):
            new = repr(not value)
        elif isinstance(value, int):
            new = str(value + 1)
        elif isinstance(value, str) and value:
            new = "''"
        else:
            continue
        start, end = src.span(default)
        yield Mutation(path, "change_default", default.lineno, start, end, new)


def file_mutations(path: str, text: str) -> list[Mutation]:
    """Every valid mutation of one file, in source order (each parses and changes the AST)."""
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    src, found, seen = _Source(text), [], set()
    statements = _Statements(src, module)
    for node in ast.walk(module):
        for mutation in (*_expression_mutations(src, path, node), *_statement_mutations(src, path, node)):
            if mutation is None or (mutation.start, mutation.end, mutation.replacement) in seen:
                continue
            seen.add((mutation.start, mutation.end, mutation.replacement))
            if statements.changes_ast(mutation):
                found.append(mutation)
    return sorted(found, key=lambda m: (m.start, m.kind))


class _Statements:
    """The file's top-level statements as text spans, each parsed (and dumped) once.

    A mutation lies inside one top-level statement, so whether it still parses and changes the AST is
    decided on that statement alone: the rest of the file is untouched. Parsing the whole file again for
    every mutation cost most of the time of listing a large project's candidates.
    """

    def __init__(self, src: _Source, module: ast.Module):
        self.src = src
        self.spans: list[tuple[int, int]] = []
        for stmt in module.body:
            first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
            self.spans.append((src.starts[first - 1], src.starts[stmt.end_lineno]))
        self.dumps: dict[int, str | None] = {}

    def _dump(self, text: str) -> str | None:
        try:
            return ast.dump(ast.parse(text))
        except (SyntaxError, ValueError, RecursionError):
            return None

    def changes_ast(self, mutation: Mutation) -> bool:
        """True when the file still parses with the mutation and its AST differs."""
        index = next((i for i, (a, b) in enumerate(self.spans) if a <= mutation.start and mutation.end <= b), None)
        if index is None:
            return _changes_ast(mutation.apply(self.src.text), self._dump(self.src.text))
        start, end = self.spans[index]
        if index not in self.dumps:
            self.dumps[index] = self._dump(self.src.text[start:end])
        original = self.dumps[index]
        if original is None:  # the statement does not parse alone (never seen): decide on the whole file
            return _changes_ast(mutation.apply(self.src.text), self._dump(self.src.text))
        moved = Mutation(
            mutation.path,
            mutation.kind,
            mutation.line,
            mutation.start - start,
            mutation.end - start,
            mutation.replacement,
        )
        return _changes_ast(moved.apply(self.src.text[start:end]), original)


def _changes_ast(text: str, original: str | None) -> bool:
    try:
        return ast.dump(ast.parse(text)) != original
    except (SyntaxError, ValueError, RecursionError):
        return False


def candidates(tree: SourceTree, layout: Layout) -> list[Mutation]:
    """Every mutation of the project's library code (tests excluded), by file then position."""
    found = []
    for path in sorted(tree):
        if not layout.is_source(path):
            continue
        try:
            text = tree[path].decode("utf-8")
        except UnicodeDecodeError:
            continue
        if text.endswith("\n") and "\r" not in text:
            found.extend(file_mutations(path, text))
    return found


def ordered(mutations: list[Mutation], seed: int) -> list[Mutation]:
    """The mutations shuffled by `seed`, kinds interleaved (round robin over kinds in a seeded order)."""
    rng = np.random.default_rng(seed)
    by_kind: dict[str, list[Mutation]] = {}
    for m in mutations:
        by_kind.setdefault(m.kind, []).append(m)
    queues = [[by_kind[k][i] for i in rng.permutation(len(by_kind[k]))] for k in sorted(by_kind)]
    queues = [queues[i] for i in rng.permutation(len(queues))]
    out = []
    while any(queues):
        for queue in queues:
            if queue:
                out.append(queue.pop())
    return out


def unified_diff(path: str, before: str, after: str) -> str:
    """The change of one file as a unified diff (``a/`` and ``b/`` prefixes, 3 lines of context)."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}", n=3
        )
    )
