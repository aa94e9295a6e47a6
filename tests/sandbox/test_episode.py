"""Every env that runs the agent's code takes `backend` and sandbox options through `SandboxedEnv`."""

from __future__ import annotations

import pytest

import agora
from agora.sandbox.episode import EpisodeSandbox, SandboxedEnv

SANDBOXED = ("code/UnitTests-v0", "tools/PythonCalc-v0", "swe/BugFix-v0")


@pytest.mark.parametrize("env_id", SANDBOXED)
def test_backend_and_sandbox_options_take_one_constructor_path(env_id):
    assert issubclass(agora.spec(env_id).load(), SandboxedEnv)
    env = agora.make(env_id, memory_mb=300, pool_size=0)
    try:
        sandbox = env.unwrapped.sandbox
        assert sandbox.backend == "docker" and sandbox._box is None  # no container before the first use
        assert sandbox.create_kwargs["memory_mb"] == 300 and sandbox.create_kwargs["pool_size"] == 0
        assert env.unwrapped.isolation_note == SandboxedEnv.isolation_note
    finally:
        env.close()


def test_a_class_default_gives_way_to_the_callers_option():
    env = agora.make("swe/BugFix-v0", tasks="parse", cpus=0.5)
    try:
        options = env.unwrapped.sandbox.create_kwargs
        assert options["cpus"] == 0.5 and options["pool_size"] == 2 and options["pids"] == 256
    finally:
        env.close()


@pytest.mark.docker
def test_another_image_gives_the_sandbox_back_and_makes_one_of_that_image():
    sandbox = EpisodeSandbox("docker", pool_size=0, memory_mb=256, timeout_s=30.0)
    try:
        sandbox.use_image("agora-sandbox-python:latest")
        first = sandbox.get()
        sandbox.use_image("agora-sandbox-python:latest")
        assert sandbox.get() is first
        assert first.exec("python3 -c 'import numpy'").exit_code == 0
        sandbox.use_image("agora-sandbox-swe:latest")
        second = sandbox.get()
        assert second is not first and second.exec("python3 -m pytest --version").exit_code == 0
    finally:
        sandbox.close()
