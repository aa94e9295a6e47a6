"""The Sandbox API on both backends: results, files, output cap, reset, errors, pool hygiene, crashes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import agora.sandbox
from agora.errors import EngineUnavailable, ImageNotBuilt, SandboxCrashed, SandboxError
from agora.sandbox.messages import MAX_OUTPUT_BYTES, ExecResult

from .helpers import LIMITS, assert_healthy


def test_exec_reports_exit_code_and_both_streams(box):
    result = box.exec("echo out; echo err >&2; exit 3")
    assert (result.exit_code, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert not result.timed_out and not result.truncated and not result.succeeded
    assert box.exec("python3 -c 'print(6 * 7)'").stdout == "42\n"


def test_output_is_capped_at_the_documented_size(box):
    result = box.exec("python3 -c 'print(\"x\" * 200000)'")
    assert result.truncated and len(result.stdout) == MAX_OUTPUT_BYTES and result.exit_code == 0


def test_files_round_trip_and_missing_files_raise(box):
    data = bytes(range(256)) * 10
    box.write_file("dir/blob.bin", data)
    assert box.read_file("dir/blob.bin") == data
    assert box.read_file("/work/dir/blob.bin") == data
    assert box.exec("wc -c < dir/blob.bin").stdout.strip() == "2560"
    with pytest.raises(SandboxError, match="No such file"):
        box.read_file("nope.txt")


def test_kept_processes_live_across_commands_until_reset(box):
    assert box.exec("setsid sleep 60 >/dev/null 2>&1 &", keep_processes=True).exit_code == 0
    assert "sleep 60" in box.exec("cat /proc/[0-9]*/cmdline | tr '\\0' ' '", keep_processes=True).stdout
    slow = box.exec("setsid sleep 61 >/dev/null 2>&1 & sleep 5", timeout_s=0.5, keep_processes=True)
    assert slow.timed_out  # only the command's own group died: the kept sleep 60 and the new sleep 61 live
    alive = box.exec("cat /proc/[0-9]*/cmdline | tr '\\0' ' '", keep_processes=True).stdout
    assert "sleep 60" in alive and "sleep 61" in alive
    box.exec("true")  # an ordinary command kills every process it did not start when it ends
    assert "sleep 6" not in box.exec("cat /proc/[0-9]*/cmdline | tr '\\0' ' '").stdout
    box.exec("setsid sleep 60 >/dev/null 2>&1 &", keep_processes=True)
    box.reset()
    assert "sleep 60" not in box.exec("cat /proc/[0-9]*/cmdline | tr '\\0' ' '").stdout


def test_reset_empties_the_work_dir_even_when_the_policy_locks_it(box):
    box.exec("mkdir -p a/b && touch a/b/f .hidden /tmp/t && chmod 000 a/b a")
    box.reset()
    assert box.exec("ls -A /work /tmp").stdout.split() == ["/tmp:", "/work:"]


def test_limits_are_validated():
    with pytest.raises(ValidationError):
        agora.sandbox.create(backend="local", memry_mb=12)
    with pytest.raises(ValueError, match="docker, local"):
        agora.sandbox.create(backend="vm")
    with pytest.raises(ValidationError):
        ExecResult.model_validate(
            {"exit_code": 0, "stdout": "", "stderr": "", "timed_out": False, "duration_s": 0.1, "extra": 1}
        )


@pytest.mark.docker
def test_a_pooled_container_comes_back_clean():
    first = agora.sandbox.create(pool_size=1, **LIMITS)
    first.exec("echo secret > /work/left-behind; echo x > /tmp/t")
    first_id = first._container.id
    first.close()
    second = agora.sandbox.create(pool_size=1, **LIMITS)
    try:
        assert second._container.id == first_id  # the same container, recycled
        assert second.exec("ls -A /work /tmp").stdout.split() == ["/tmp:", "/work:"]
    finally:
        second.close()


@pytest.mark.docker
def test_a_dead_container_is_reported_then_replaced():
    box = agora.sandbox.create(pool_size=1, **LIMITS)
    try:
        box._container.api.kill(box._container.id)
        with pytest.raises(SandboxCrashed) as caught:
            box.exec("echo hi")
        assert caught.value.command == "echo hi"
        assert_healthy(box)
    finally:
        box.close()


@pytest.mark.docker
def test_a_missing_image_names_the_build_command():
    with pytest.raises(ImageNotBuilt, match="agora containers build"):
        agora.sandbox.create(image="agora-sandbox-missing:latest", **LIMITS)


def test_no_engine_says_how_to_start_one(monkeypatch):
    pytest.importorskip("docker")
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(EngineUnavailable, match="dockerd"):
        agora.sandbox.create(memory_mb=99)


@pytest.mark.docker
def test_image_build_is_skipped_when_up_to_date():
    from agora.sandbox.images import build_images

    lines: list[str] = []
    tags = build_images(offline=True, log=lines.append)
    assert all(line.startswith("up to date") for line in lines), lines
    assert tags[0].startswith("agora-sandbox-python:")


@pytest.mark.docker
def test_containers_left_created_by_a_dead_process_are_pruned():
    from agora.sandbox.docker_backend import DEFAULT_IMAGE, LABEL, docker_client, prune_stale

    client = docker_client()
    orphan = client.api.create_container(DEFAULT_IMAGE, labels={LABEL: "1"})["Id"]
    prune_stale(client, min_age_s=0)
    assert orphan not in [c.id for c in client.containers.list(all=True)]


@pytest.mark.docker
def test_an_image_with_another_command_server_is_refused():
    from agora.sandbox.docker_backend import DEFAULT_IMAGE, check_image, docker_client
    from agora.sandbox.images import SERVER_LABEL

    client = docker_client()
    check_image(client, DEFAULT_IMAGE)  # the one setup built from this checkout
    stale = client.containers.create(DEFAULT_IMAGE)
    try:
        image = stale.commit("agora-sandbox-stale", "test", conf={"Labels": {SERVER_LABEL: "0000"}})
        with pytest.raises(ImageNotBuilt, match="another version"):
            check_image(client, "agora-sandbox-stale:test")
    finally:
        stale.remove(force=True)
        client.images.remove(image.id, force=True)
