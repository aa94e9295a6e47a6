"""Sandboxes for the sandbox tests: one per backend per module, reset before each test."""

from __future__ import annotations

import shutil

import pytest

import agora.sandbox

from .helpers import LIMITS

BACKENDS = [
    pytest.param("docker", marks=pytest.mark.docker, id="docker"),
    pytest.param(
        "local",
        marks=pytest.mark.skipif(
            shutil.which("bwrap") is None, reason="bubblewrap is not installed: apt-get install bubblewrap"
        ),
        id="local",
    ),
]


@pytest.fixture(scope="module", params=BACKENDS)
def shared_box(request):
    box = agora.sandbox.create(backend=request.param, pool_size=1, **LIMITS)
    yield box
    box.close()


@pytest.fixture
def box(shared_box):
    shared_box.reset()
    return shared_box
