"""The built wheel is whole: installed into a fresh venv, every family registers and one env per family steps.

The wheel is built from a copy of this working tree (so nothing is written into it), installed with
``--no-deps`` into a new venv whose own site-packages comes first; the test environment's site-packages
is appended only for the third-party dependencies (torch, playwright, ...), so ``agora`` and its entry
points come from the wheel (Python's entry-point lookup keeps the first distribution of a name).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("code", "drills", "games", "gui", "puzzles", "reasoning", "text", "tools", "web")
ONE_PER_FAMILY = {
    "games": ("games/TicTacToe-v0", {"opponent": "random"}, "[4]"),
    "drills": ("drills/GuessNumber-v0", {}, "[1]"),
    "reasoning": ("reasoning/Countdown-v0", {}, "<answer>1+2</answer>"),
    "puzzles": ("puzzles/VisualSokoban-v0", {}, "<answer>Up</answer>"),
    "tools": ("tools/SQL-v0", {}, '{"name": "sql", "arguments": {"query": "SELECT 1"}}'),
    "code": ("code/UnitTests-v0", {}, "```python\ndef f():\n    return 1\n```"),
    "web": ("web/shop.buy-v0", {}, "noop()"),
    "gui": ("gui/canvas.click-button-v0", {}, "noop()"),
    "text": ("text/TextWorld-v0", {}, "look"),
}

PROBE = r"""
import json, sys
import agora
from agora.plugins import plugin_failures
cases = json.loads(sys.argv[1])
report = {"agora": agora.__file__, "failures": {k: str(v) for k, v in plugin_failures().items()},
          "families": sorted({i.split("/")[0] for i in agora.list_envs()}), "stepped": {}}
for family, (env_id, kwargs, action) in cases.items():
    env = agora.make(env_id, **kwargs)
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(action)
    report["stepped"][family] = [env_id, type(obs).__name__, float(reward)]
    env.close()
print(json.dumps(report))
"""


def _copy_tree(dest: Path) -> None:
    ignore = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "build", "*.egg-info", "runs", ".pytest_cache")
    shutil.copytree(ROOT, dest, ignore=ignore)


def _build_wheel(tmp_path: Path) -> Path:
    source, wheels = tmp_path / "src", tmp_path / "wheels"
    _copy_tree(source)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("agora-*.whl")
    return wheel


def test_the_wheel_ships_every_file_of_the_package_folders(tmp_path):
    """Data files too (a family's tasks, strategies, pages): only prose (``*.md``) stays behind."""
    folders = {
        "agora": "agora",
        "envs": "agora/envs",
        "agents": "agora/agents",
        "trainers": "agora/trainers",
        "kernels": "agora/kernels",
    }
    tracked = subprocess.run(["git", "ls-files", *folders], cwd=ROOT, capture_output=True, text=True, check=True)
    expected = {
        folders[f.split("/", 1)[0]] + "/" + f.split("/", 1)[1]
        for f in tracked.stdout.splitlines()
        if not f.endswith(".md")
    }
    assert len(expected) > 200 and "agora/envs/swe/bug_fix/data/toolz/tasks.jsonl" in expected
    shipped = set(zipfile.ZipFile(_build_wheel(tmp_path)).namelist())
    assert sorted(expected - shipped) == []


@pytest.mark.slow
@pytest.mark.docker
@pytest.mark.browser
def test_wheel_installs_every_family(tmp_path):
    wheel, env_dir = _build_wheel(tmp_path), tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    own = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (own / "zz-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    cases = json.dumps({f: list(c) for f, c in ONE_PER_FAMILY.items()})
    result = subprocess.run(
        [str(python), "-c", PROBE, cases], capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["agora"].startswith(str(own))  # the wheel's copy, not this checkout
    assert not {k: v for k, v in report["failures"].items() if k in FAMILIES}
    assert set(FAMILIES) <= set(report["families"])
    assert sorted(report["stepped"]) == sorted(FAMILIES)


def test_every_folder_with_python_code_is_a_package():
    """A folder without ``__init__.py`` is dropped from the wheel (find_packages skips it)."""
    missing = [
        str(folder.relative_to(ROOT))
        for top in ("agora", "envs", "agents", "trainers", "kernels")
        for folder in (ROOT / top).rglob("*")
        if folder.is_dir()
        and "__pycache__" not in folder.parts
        and any(folder.glob("*.py"))
        and not (folder / "__init__.py").exists()
    ]
    assert missing == []
