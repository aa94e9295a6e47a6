"""Shared fixtures, the requirement markers (docker, browser) with honest skip reasons, and strict skips.

`scripts/test.sh` installs everything the suite needs and sets ``AGORA_NO_SKIPS=1``: a test that
skips there because a framework, a venv or an engine is missing is a broken install, so it fails.
Only `EXPECTED_SKIPS` may skip: they say what the machine is (no GPU) or a documented limit.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Precision left to the machine (``auto``) is fp32 in tests, so their numbers do not depend on the host's CPU
# (`agora.hardware`: bf16 where AMX exists); tests of the rule itself unset it.
os.environ.setdefault("AGORA_PRECISION", "fp32")

EXPECTED_SKIPS = (
    "needs a CUDA GPU",
    "the local backend has no pids limit",
    "this engine cannot enforce seccomp",
)
"""Skip reasons that hold on a complete install (CI has no GPU; the documented limits of a backend)."""


def docker_available() -> bool:
    """True when a Docker engine answers (CI starts one in scripts/setup.d)."""
    try:
        import docker

        docker.from_env(timeout=5).ping()
        return True
    except Exception:
        return False


def chromium_available() -> bool:
    """True when Debian's chromium is installed."""
    return shutil.which("chromium") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    needs = {
        "docker": (docker_available, "no Docker engine reachable: run scripts/setup.sh as root"),
        "browser": (chromium_available, "chromium is not installed: apt-get install chromium"),
    }
    cache: dict[str, bool] = {}
    for item in items:
        for marker, (probe, reason) in needs.items():
            if marker in item.keywords:
                if marker not in cache:
                    cache[marker] = probe()
                if not cache[marker]:
                    item.add_marker(pytest.mark.skip(reason=reason))


_unexpected_skips: list[str] = []


def _note_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Notes a skip that `EXPECTED_SKIPS` does not allow, under ``AGORA_NO_SKIPS=1`` (see the module docs)."""
    if not (report.skipped and os.environ.get("AGORA_NO_SKIPS") == "1") or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if not any(expected in reason for expected in EXPECTED_SKIPS):
        _unexpected_skips.append(f"{report.nodeid or report.fspath}: {reason}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    outcome = yield
    _note_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> object:
    outcome = yield
    _note_skip(outcome.get_result())


def pytest_terminal_summary(terminalreporter: object) -> None:
    if _unexpected_skips:
        terminalreporter.section("skips that mean a broken install (AGORA_NO_SKIPS=1): the run fails")
        for line in _unexpected_skips:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _unexpected_skips and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
