"""Tasks in other harnesses' layouts (``agora swe export``), and swe rollouts as SFT data (``agora export``).

One JSON object per task, with the SWE-smith instance fields: ``instance_id``, ``repo`` (``pypi/<name>``:
the project comes from its PyPI sdist, not a git repository), ``patch`` (as in SWE-smith: the diff that
**introduces** the bug into the pristine project; the gold fix is its reverse), ``FAIL_TO_PASS``,
``PASS_TO_PASS``, ``image_name`` (agora's Docker image, built offline by ``agora containers build``),
``problem_statement``; plus ``version``, ``sdist_sha256``, ``difficulty`` and ``created_by``. The
pristine tree is the sdist pinned by ``sdist_sha256`` (``agora swe fetch NAME==VERSION``).

`sft_rows` turns a ``swe/BugFix-v0`` rollout file into one row per finished episode: ``instance_id``,
``problem_statement``, ``messages`` (the system instructions, then each observation as ``user`` and each
action as ``assistant``: the whole trajectory), ``final_diff`` (the agent's graded diff),
``reward``, ``resolved``, ``tampering``, ``turns``, plus ``episode_id`` and ``seed``. Failed episodes and
other envs' episodes are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from agora.envs.swe.bug_fix.tasks import Task
from agora.errors import AgoraError
from agora.trajectory import Episode

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


def sft_rows(path: Path) -> tuple[list[dict], int]:
    """(rows, episodes left out) of a swe rollout file (see the module docs)."""
    from agora.envs.swe.bug_fix.env import INSTRUCTIONS

    rows, left_out = [], 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            episode = Episode.from_json(line)
        except (ValueError, TypeError, KeyError) as e:
            raise AgoraError(f"{path}:{number} is not an agora episode record ({e}).") from e
        if episode.status != "ok" or not episode.env_id.startswith("swe/") or not episode.turns:
            left_out += 1
            continue
        final = episode.meta.get("final_info", {})
        messages = [{"role": "system", "content": INSTRUCTIONS}]
        for turn in episode.turns:
            messages += [{"role": "user", "content": turn.observation}, {"role": "assistant", "content": turn.action}]
        rows.append(
            {
                "episode_id": episode.episode_id,
                "seed": episode.seed,
                "instance_id": episode.turns[0].info.get("instance_id"),
                "problem_statement": episode.turns[0].observation,
                "messages": messages,
                "final_diff": final.get("agent_patch", ""),
                "reward": float(sum(episode.returns.values())),
                "resolved": bool(final.get("resolved", False)),
                "tampering": list(final.get("tampering", [])),
                "turns": len(episode.turns),
            }
        )
    return rows, left_out


def export_sft(run: Path, out_dir: Path) -> tuple[Path, int, int]:
    """Writes ``out_dir/swe_sft.jsonl`` from a rollout file; returns (path, rows, episodes left out)."""
    rows, left_out = sft_rows(run)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "swe_sft.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    return path, len(rows), left_out
