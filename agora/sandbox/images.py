"""Builds the sandbox images from `containers/Dockerfile`, from a registry base or fully offline.

`build_images(offline=...)` is what `agora containers build [--offline]` runs. Every image is the one
Dockerfile with its own Debian packages (`IMAGES`). Each is tagged with a hash of its inputs (Dockerfile,
the files copied in, its packages, the base image) and rebuilt only when that tag is missing. Offline,
the base is a minimal Debian root filesystem made by `debootstrap` and loaded with `docker import`; the
Dockerfile's steps then run on top of it, so both paths make the same image.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from agora.errors import SandboxError

CONTAINERS_DIR = Path(__file__).resolve().parents[2] / "containers"
SERVER_FILE = Path(__file__).with_name("cmdserver.py")
REGISTRY_BASE = "debian:bookworm-slim"
OFFLINE_BASE = "agora-base-bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
IMAGES: dict[str, tuple[str, ...]] = {
    "python": ("python3-numpy",),
    "swe": ("python3-pytest",),
    "desktop": (
        "xvfb",
        "xdotool",
        "wmctrl",
        "openbox",
        "xterm",
        "mousepad",
        "gnumeric",
        "galculator",
        "pcmanfm",
        "fonts-dejavu-core",
        "at-spi2-core",  # the accessibility bus launcher and registry (`accessibility_tree=True`)
        "libatk-adaptor",  # the AT-SPI bridge as a GTK 2 module, for PCManFM (GTK 3 apps link it already)
        "libgail-common",  # GTK 2's widget accessibility (the `gail` module), for PCManFM
        "python3-gi",  # the tree reader's D-Bus client (Gio)
        "gir1.2-atspi-2.0",  # the reader's role names
    ),
}
"""Each image's name and the Debian packages it adds to Python 3 (`--build-arg PACKAGES`)."""
SETUP: dict[str, str] = {"desktop": "fc-cache -s -f"}
"""An image's one-time command as root after its packages (`--build-arg SETUP`): the desktop's system font
cache, so no application builds one in its fresh home directory at every episode (about 1 s)."""


RECIPE_VERSION = b"2"  # bump when build_image changes what it makes from the same inputs
SERVER_LABEL = "agora.cmdserver"
"""Image label holding the digest of the command server baked in, checked when a pool starts."""


def server_digest() -> str:
    """Digest of this checkout's command server; an image built from another one cannot serve this host."""
    return _digest(SERVER_FILE.read_bytes())


def image_name(name: str) -> str:
    """The repository name of an image, e.g. 'python' -> 'agora-sandbox-python'."""
    return f"agora-sandbox-{name}"


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:16]


def _context_files() -> dict[str, bytes]:
    dockerfile = CONTAINERS_DIR / "Dockerfile"
    if not dockerfile.is_file():
        raise SandboxError(
            f"No Dockerfile at {dockerfile}: `agora containers build` needs the source checkout "
            "(the containers/ folder next to agora/)."
        )
    return {"Dockerfile": dockerfile.read_bytes(), "cmdserver.py": SERVER_FILE.read_bytes()}


def _build_args(name: str, base: str) -> dict[str, str]:
    if name not in IMAGES:
        raise SandboxError(f"No sandbox image {name!r}; the images are {sorted(IMAGES)}.")
    args = {"BASE": base, "PACKAGES": " ".join(IMAGES[name])}
    return {**args, "SETUP": SETUP[name]} if name in SETUP else args


def image_tag(name: str, base: str) -> str:
    """`<repository>:<hash of the Dockerfile, the files copied in, the image's packages and the base>`."""
    files, args = _context_files(), _build_args(name, base)
    parts = [
        RECIPE_VERSION,
        *(f"{k}={v}".encode() for k, v in sorted(args.items())),
        *(k.encode() + v for k, v in sorted(files.items())),
    ]
    return f"{image_name(name)}:{_digest(*parts)}"


def _has_image(client, tag: str) -> bool:
    import docker

    try:
        client.images.get(tag)
        return True
    except docker.errors.ImageNotFound:
        return False


def offline_base(client, log: Callable[[str], None] = print) -> str:
    """Makes (once) the base image from a debootstrap root filesystem; returns its tag."""
    tag = f"{OFFLINE_BASE}:{_digest(b'minbase bookworm', DEBIAN_MIRROR.encode())}"
    if _has_image(client, tag):
        log(f"up to date: {tag}")
        return tag
    for tool in ("debootstrap", "tar"):
        if shutil.which(tool) is None:
            raise SandboxError(f"{tool!r} is not installed; the offline build needs it: apt-get install {tool}")
    with tempfile.TemporaryDirectory(prefix="agora-rootfs-") as tmp:
        rootfs, tarball = Path(tmp) / "rootfs", Path(tmp) / "rootfs.tar"
        log(f"debootstrap --variant=minbase bookworm (about 30 s) -> {tag}")
        _run(["debootstrap", "--variant=minbase", "bookworm", str(rootfs), DEBIAN_MIRROR])
        _run(["tar", "-C", str(rootfs), "-cf", str(tarball), "."])
        repository, version = tag.split(":")
        client.api.import_image_from_file(str(tarball), repository=repository, tag=version)
    return tag


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SandboxError(
            f"`{' '.join(cmd)}` failed with exit code {proc.returncode}: {proc.stderr[-2000:]}",
            command=" ".join(cmd),
            exit_code=proc.returncode,
            stderr=proc.stderr,
        )


def build_image(client, name: str, base: str, log: Callable[[str], None] = print) -> str:
    """Builds one image on `base` unless its hash tag exists; tags it `:latest` too; returns the tag."""
    tag = image_tag(name, base)
    if _has_image(client, tag):
        log(f"up to date: {tag}")
    else:
        log(f"building {tag} on {base}")
        with tempfile.TemporaryDirectory(prefix="agora-build-") as ctx:
            for filename, data in _context_files().items():
                (Path(ctx) / filename).write_bytes(data)
            _docker_build(client, ctx, tag, _build_args(name, base))
    client.images.get(tag).tag(image_name(name), "latest")
    return tag


def _docker_build(client, context: str, tag: str, buildargs: dict[str, str]) -> None:
    import docker

    labels = {SERVER_LABEL: server_digest()}
    try:
        client.images.build(path=context, tag=tag, buildargs=buildargs, rm=True, pull=False, labels=labels)
    except (docker.errors.BuildError, docker.errors.APIError) as e:
        log_lines = getattr(e, "build_log", [])
        tail = "".join(str(c.get("stream", c.get("error", ""))) for c in log_lines)[-2000:]
        hint = (
            "\nNo registry reachable? Build offline: agora containers build --offline"
            if buildargs["BASE"] == REGISTRY_BASE
            else ""
        )
        raise SandboxError(f"building {tag} failed: {e}\n{tail}{hint}", command="docker build", stderr=tail) from e


def build_images(offline: bool = False, log: Callable[[str], None] = print) -> list[str]:
    """Builds every image in `IMAGES` (offline: on a debootstrap base); returns their tags."""
    from agora.sandbox.docker_engine import docker_client

    client = docker_client()
    base = offline_base(client, log) if offline else REGISTRY_BASE
    return [build_image(client, name, base, log) for name in IMAGES]
