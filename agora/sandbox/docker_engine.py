"""The connection to the Docker engine, shared by the backend that runs sandboxes and the builder of their images."""

from __future__ import annotations

from typing import Any

from agora._optional import require
from agora.errors import EngineUnavailable


def docker_client() -> Any:
    """A docker SDK client that answers, or `EngineUnavailable` saying how to start the engine."""
    docker = require("docker", "sandbox")
    try:
        client = docker.from_env(timeout=60)
        client.ping()
    except Exception as e:
        raise EngineUnavailable(e) from e
    return client
