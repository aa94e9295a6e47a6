"""Tasks in other harnesses' layouts: SWE-smith / SWE-bench task instances (``agora swe export``).

One JSON object per task, with the SWE-smith instance fields: ``instance_id``, ``repo`` (``pypi/<name>``:
the project comes from its PyPI sdist, not a git repository), ``patch`` (as in SWE-smith: the diff that
**introduces** the bug into the pristine project; the gold fix is its reverse), ``FAIL_TO_PASS``,
``PASS_TO_PASS``, ``image_name`` (agora's Docker image, built offline by ``agora containers build``),
``problem_statement``; plus ``version``, ``sdist_sha256``, ``difficulty`` and ``created_by``. The
pristine tree is the sdist pinned by ``sdist_sha256`` (``agora swe fetch NAME==VERSION``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from agora.envs.swe.bug_fix.tasks import Task

FORMATS = ("swe-smith",)


def swe_smith_instance(task: Task) -> dict:
    """One task as a SWE-smith instance (see the module docs)."""
    return {
        "instance_id": task.instance_id,
        "repo": f"pypi/{task.package}",
        "version": task.version,
        "patch": task.patch,
        "FAIL_TO_PASS": list(task.FAIL_TO_PASS),
        "PASS_TO_PASS": list(task.PASS_TO_PASS),
        "image_name": task.image,
        "problem_statement": task.problem_statement,
        "sdist_sha256": task.sdist_sha256,
        "difficulty": task.difficulty.model_dump() if task.difficulty else None,
        "created_by": "agora swe generate",
    }


def export_tasks(tasks: Iterable[Task], out_dir: Path, fmt: str = "swe-smith") -> Path:
    """Writes ``out_dir/instances.jsonl`` in the given format; returns its path."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; known: {', '.join(FORMATS)}.")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "instances.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for task in tasks:
            f.write(json.dumps(swe_smith_instance(task)) + "\n")
    return path
