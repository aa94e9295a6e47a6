"""A real `agora serve` server (its own event loop and thread) shared by a test module."""

from __future__ import annotations

import pytest

pytest.importorskip("websockets", reason="needs pip install 'agora[server]'")

from agora.server.app import ServerThread  # noqa: E402


@pytest.fixture(scope="module")
def server():
    with ServerThread() as running:
        yield running
