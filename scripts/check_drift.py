"""Finds dependency drift before users do: today's newest releases that pyproject.toml's ranges allow, tried.

The README's commands install from the committed locks, so a new release changes nothing there. Users who
`pip install agora[...]` get the newest releases the ranges allow, and so will the next `scripts/lock.sh`.
This script resolves those releases (uv, the same resolver as the locks) into a scratch venv, prints which
locked packages would move, installs them with agora (built as a wheel, as users get it), runs a smoke set
there, and for each failing step prints its error's tail and the moved releases it names:

  1. import agora and every family, and list the registry;
  2. `agora demo --quick` (the scripted tournament);
  3. one step of an LLM agent: a rollout with `hf:` over a tiny random model built locally;
  4. the TRL example for two steps (`examples/integrations/trl_grpo.py`).

    python scripts/check_drift.py [--keep DIR] [--only import demo agent trl]

Exit status 0 when every step passed, 1 otherwise. Needs uv (`.venv/bin/uv` after scripts/setup.sh).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "locks" / "tests.txt"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", re.M)

SMOKE_STEPS: dict[str, list[str]] = {
    "import": [
        "-c",
        "import importlib, agora\n"
        "for family in ('games', 'text', 'tools', 'reasoning', 'code', 'web', 'gui', 'drills', 'swe'):\n"
        "    importlib.import_module(f'agora.envs.{family}')\n"
        "print(len(agora.list_envs()), 'ids')",
    ],
    "demo": ["-m", "agora.cli", "demo", "--quick", "--games", "1", "--out", "{tmp}/demo"],
    "agent": [
        "-c",
        "from agora.agents.local_models import save_tiny_model\n"
        "from agora import rollout\n"
        "path = save_tiny_model('{tmp}/tiny')\n"
        "result = rollout.run('games/TicTacToe-v0', [f'hf:{path}?max_new_tokens=8', 'random'], episodes=1)\n"
        "episode = result.episodes[0]\n"
        "assert episode.status == 'ok', episode.error\n"
        "print('turns', len(episode.turns))",
    ],
    "trl": [str(ROOT / "examples" / "integrations" / "trl_grpo.py"), "--out", "{tmp}/trl", "--steps", "2"],
}


def pins(text: str) -> dict[str, str]:
    """``name==version`` pins of a requirements file, names normalised (PEP 503)."""
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in PIN.findall(text)}


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Runs `cmd`, capturing its output as text."""
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


def resolve_newest(uv: str, folder: Path) -> dict[str, str]:
    """The newest releases the ranges allow today: `scripts/lock.sh tests`, written into `folder`."""
    done = run(["bash", "scripts/lock.sh", "tests"], cwd=ROOT, env={**os.environ, "UV": uv, "LOCK_DIR": str(folder)})
    if done.returncode != 0:
        sys.exit(f"uv could not resolve the newest releases:\n{done.stderr}")
    return pins((folder / "tests.txt").read_text())


def moved_releases(locked: dict[str, str], newest: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Packages whose newest allowed release differs from the lock: name -> (locked, newest)."""
    names = sorted(set(locked) | set(newest))
    return {n: (locked.get(n, "-"), newest.get(n, "-")) for n in names if locked.get(n) != newest.get(n)}


def make_venv(uv: str, venv: Path, requirements: Path) -> Path:
    """A scratch venv with `requirements` and agora (not editable: the checkout is left as it is)."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # Built from a copy of HEAD: a build in the checkout would leave an agora.egg-info there, whose stale
    # metadata (entry points) Python would read before the installed one from the repository root.
    source = venv.parent / "source"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    for args in (["--require-hashes", "-r", str(requirements)], [str(source)]):
        done = run([uv, "pip", "install", "--quiet", "--python", str(python), "--no-deps",
                    "--find-links", "/opt/wheels", *args])  # fmt: skip
        if done.returncode != 0:
            sys.exit(f"installing the newest releases failed:\n{done.stderr[-3000:]}")
    return python


def blame(output: str, moved: dict[str, tuple[str, str]]) -> list[str]:
    """The moved releases whose names appear in a failing step's output (the likely culprits first)."""
    text = output.lower()
    return [f"{n} {a} -> {b}" for n, (a, b) in moved.items() if n in text or n.replace("-", "_") in text]


def main() -> int:
    """Resolves, installs, runs the smoke set and prints the report; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="build the scratch venv here and keep it")
    parser.add_argument("--only", nargs="+", choices=sorted(SMOKE_STEPS), help="run only these steps")
    parser.add_argument("--timeout-s", type=float, default=1800.0, help="limit of one smoke step (default 1800)")
    args = parser.parse_args()
    uv = shutil.which("uv") or str(ROOT / ".venv" / "bin" / "uv")
    work = args.keep or Path(tempfile.mkdtemp(prefix="agora-drift-"))
    work.mkdir(parents=True, exist_ok=True)
    newest = resolve_newest(uv, work)
    moved = moved_releases(pins(LOCK.read_text()), newest)
    print(f"{len(moved)} of {len(newest)} packages would move from locks/tests.txt:")
    for name, (was, now) in moved.items():
        print(f"  {name:32} {was:>14} -> {now}")
    print("installing them into a scratch venv ...", flush=True)
    python = make_venv(uv, work / "venv", work / "tests.txt")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    failed = []
    for name in args.only or list(SMOKE_STEPS):
        cmd = [str(python)] + [part.replace("{tmp}", str(work)) for part in SMOKE_STEPS[name]]
        start = time.monotonic()
        try:
            done = run(cmd, cwd=work, env=env, timeout=args.timeout_s)  # the installed agora, as a user's
        except subprocess.TimeoutExpired as timeout:
            out = (timeout.stdout or b"").decode(errors="replace") if isinstance(timeout.stdout, bytes) else ""
            done = subprocess.CompletedProcess(cmd, 124, out, f"timed out after {args.timeout_s:.0f} s")
        status = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
        print(f"[{name}] {status} in {time.monotonic() - start:.0f} s", flush=True)
        if done.returncode != 0:
            failed.append(name)
            output = done.stdout + done.stderr
            print("    " + "\n    ".join(output.strip().splitlines()[-15:]))
            print("    moved releases named in its output: " + (", ".join(blame(output, moved)) or "none"))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print("drift: " + (f"{len(failed)} step(s) broke: {', '.join(failed)}" if failed else "none: every step passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
