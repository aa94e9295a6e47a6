r"""Unified diffs: applying a task's bug to a source tree (strictly: every context line must match).

>>> tree = {"m.py": b"a = 1\nb = 2\n"}
>>> patch = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
>>> apply_patch(tree, patch)["m.py"]
b'a = 1\nb = 3\n'
>>> apply_patch(apply_patch(tree, patch), patch, reverse=True) == tree
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agora.envs.swe.bug_fix.mutations import unified_diff
from agora.envs.swe.bug_fix.projects import SourceTree

MAX_PATCH_CHARS = 1_000_000
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class PatchError(ValueError):
    """A patch that is malformed or does not fit the tree it is applied to."""


@dataclass
class _Hunk:
    old_start: int
    new_start: int
    old: list[str]
    new: list[str]


def _files(patch: str) -> dict[str, list[_Hunk]]:
    if len(patch) > MAX_PATCH_CHARS:
        raise PatchError(f"patch is longer than {MAX_PATCH_CHARS} characters")
    lines, files, path, i = patch.splitlines(keepends=True), {}, None, 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ b/"):
            path = lines[i + 1][6:].rstrip("\n")
            files.setdefault(path, [])
            i += 2
            continue
        match = _HUNK.match(line)
        if match is None or path is None:
            raise PatchError(f"unexpected line {i + 1} in patch: {line[:80]!r}")
        hunk, i = _read_hunk(lines, i + 1, match)
        files[path].append(hunk)
    return files


def _read_hunk(lines: list[str], i: int, match: re.Match) -> tuple[_Hunk, int]:
    old_len = int(match[2]) if match[2] is not None else 1
    new_len = int(match[4]) if match[4] is not None else 1
    hunk = _Hunk(int(match[1]), int(match[3]), [], [])
    while (len(hunk.old) < old_len or len(hunk.new) < new_len) and i < len(lines):
        tag, body = lines[i][:1], lines[i][1:]
        if tag in (" ", "-"):
            hunk.old.append(body)
        if tag in (" ", "+"):
            hunk.new.append(body)
        if tag not in (" ", "-", "+"):
            raise PatchError(f"bad hunk line {i + 1}: {lines[i][:80]!r}")
        i += 1
    if len(hunk.old) != old_len or len(hunk.new) != new_len:
        raise PatchError("a hunk is shorter than its header says")
    return hunk, i


def apply_patch(tree: SourceTree, patch: str, reverse: bool = False) -> SourceTree:
    """A new tree with `patch` applied (or reverted); raises `PatchError` if it does not fit exactly."""
    out = dict(tree)
    for path, hunks in _files(patch).items():
        if path not in tree:
            raise PatchError(f"patch changes {path!r}, which is not in the tree")
        lines = tree[path].decode("utf-8").splitlines(keepends=True)
        offset = 0
        for hunk in hunks:
            old, new = (hunk.new, hunk.old) if reverse else (hunk.old, hunk.new)
            header = hunk.new_start if reverse else hunk.old_start
            start = (header - 1 if old else header) + offset
            if lines[start : start + len(old)] != old:
                raise PatchError(f"hunk at line {hunk.old_start} of {path!r} does not match the file")
            lines[start : start + len(old)] = new
            offset += len(new) - len(old)
        out[path] = "".join(lines).encode("utf-8")
    return out


def changed_paths(patch: str) -> list[str]:
    """The files a patch changes."""
    return list(_files(patch))


def tree_diff(before: SourceTree, after: SourceTree) -> str:
    """A unified diff from one tree to another (text files; added and deleted files included)."""
    parts = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        try:
            old_text, new_text = (old or b"").decode("utf-8"), (new or b"").decode("utf-8")
        except UnicodeDecodeError:
            parts.append(f"Binary files a/{path} and b/{path} differ\n")
            continue
        parts.append(unified_diff(path, old_text, new_text))
    return "".join(parts)
