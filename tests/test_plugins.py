"""Third-party plugins: a real package installed in the test venv, and a broken one installed on the fly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import gymnasium

import agora

PLUGINS = Path(__file__).parent / "plugins"


def test_installed_plugin_registers_its_envs() -> None:
    assert {"example/CountUp-v0", "example/CountUpLong-v0"} <= set(agora.list_envs(family="example"))
    assert agora.spec("example/CountUp-v0").plugin == "example"


def test_plugin_env_works_with_agora_and_gymnasium_make() -> None:
    for env in (agora.make("example/CountUp-v0"), gymnasium.make("example/CountUp-v0")):
        obs, info = env.reset(seed=0)
        assert "Say 1" in obs
        assert env.step("1")[1] == 1.0
    agora.check_env(agora.make("example/CountUp-v0"))


def test_broken_plugin_is_reported_and_does_not_hide_others(tmp_path: Path) -> None:
    # Install the broken package for real (its metadata and entry point) into a separate target dir,
    # then import agora in a fresh interpreter that sees it.
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(PLUGINS / "broken_plugin"),
        ],
        check=True,
    )
    script = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import agora\n"
        "print('WARNED', [str(w.message) for w in caught])\n"
        "from agora.plugins import plugin_failures\n"
        "print('FAILED', sorted(plugin_failures()))\n"
        "print('HAS_GAMES', 'games/TicTacToe-v0' in agora.list_envs())\n"
        "print('HAS_EXAMPLE', 'example/CountUp-v0' in agora.list_envs())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    ).stdout
    assert "plugin 'broken' failed to load: ModuleNotFoundError" in out
    assert "FAILED ['broken']" in out
    assert "HAS_GAMES True" in out and "HAS_EXAMPLE True" in out


def test_cli_list_shows_plugin_envs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "agora.cli", "list", "--family", "example"], capture_output=True, text=True, check=True
    ).stdout
    assert "example/CountUp-v0" in out
