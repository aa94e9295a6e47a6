"""Image tags follow their inputs; `agora containers build` skips images that are up to date."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from agora.cli import app
from agora.errors import SandboxError
from agora.sandbox import images


def test_the_tag_is_a_hash_of_the_dockerfile_the_server_the_packages_and_the_base(tmp_path, monkeypatch):
    tag = images.image_tag("python", images.REGISTRY_BASE)
    assert tag.startswith("agora-sandbox-python:") and len(tag.split(":")[1]) == 16
    assert images.image_tag("python", images.REGISTRY_BASE) == tag
    assert images.image_tag("python", "agora-base-bookworm:0123") != tag
    monkeypatch.setitem(images.IMAGES, "python", ("python3-numpy", "python3-scipy"))
    assert images.image_tag("python", images.REGISTRY_BASE) != tag
    monkeypatch.setitem(images.IMAGES, "python", ("python3-numpy",))
    copy = tmp_path / "containers"
    shutil.copytree(images.CONTAINERS_DIR, copy)
    monkeypatch.setattr(images, "CONTAINERS_DIR", copy)
    assert images.image_tag("python", images.REGISTRY_BASE) == tag
    with (copy / "Dockerfile").open("a") as f:
        f.write("\n# a change\n")
    assert images.image_tag("python", images.REGISTRY_BASE) != tag


def test_every_image_is_the_one_dockerfile_with_its_own_packages():
    assert images.image_tag("python", images.REGISTRY_BASE) != images.image_tag("swe", images.REGISTRY_BASE)
    assert images._build_args("swe", "b") == {"BASE": "b", "PACKAGES": "python3-pytest"}
    with pytest.raises(SandboxError, match="'python', 'swe'"):
        images.image_tag("nodejs", images.REGISTRY_BASE)


def test_an_image_setup_step_is_a_build_argument_and_part_of_its_tag(monkeypatch):
    assert images._build_args("desktop", "b")["SETUP"] == "fc-cache -s -f"
    assert "SETUP" not in images._build_args("python", "b")
    tag = images.image_tag("desktop", "b")
    monkeypatch.setitem(images.SETUP, "desktop", "true")
    assert images.image_tag("desktop", "b") != tag
    assert b"RUN ${SETUP}" in images._context_files()["Dockerfile"]


def test_the_server_copied_into_the_image_is_the_package_one():
    files = images._context_files()
    assert files["cmdserver.py"] == images.SERVER_FILE.read_bytes()
    assert b"/opt/agora/cmdserver.py" in files["Dockerfile"] and b"${PACKAGES}" in files["Dockerfile"]


@pytest.mark.docker
def test_cli_build_offline_is_idempotent():
    result = CliRunner().invoke(app, ["containers", "build", "--offline"])
    assert result.exit_code == 0, result.output
    assert "up to date: agora-base-bookworm:" in result.output
    from agora.sandbox.docker_backend import docker_client

    base = images.offline_base(docker_client(), log=lambda line: None)
    for name in images.IMAGES:
        assert f"ready: {images.image_tag(name, base)}" in result.output
