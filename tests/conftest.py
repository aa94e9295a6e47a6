"""Shared fixtures and the requirement markers (docker, browser) with honest skip reasons."""

from __future__ import annotations

import shutil

import pytest


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
    needs = {"docker": (docker_available, "no Docker engine reachable: run scripts/setup.sh as root"),
             "browser": (chromium_available, "chromium is not installed: apt-get install chromium")}
    cache: dict[str, bool] = {}
    for item in items:
        for marker, (probe, reason) in needs.items():
            if marker in item.keywords:
                if marker not in cache:
                    cache[marker] = probe()
                if not cache[marker]:
                    item.add_marker(pytest.mark.skip(reason=reason))
