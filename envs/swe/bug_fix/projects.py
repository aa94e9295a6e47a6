"""Projects: pinned PyPI sdists in agora's cache, read into memory as source trees, and their layout.

An sdist is fetched once by ``pip download --no-deps --no-binary :all:`` (at setup or by ``agora swe
generate``), checked against its pinned sha256, and kept in ``agora.cache.cache_dir("swe", "sdists")``.
Envs only read it from there: nothing is downloaded while an env runs. A `SourceTree` maps relative
paths to bytes; reading an sdist is bounded (file count, sizes, no links, no absolute or ``..`` paths),
since any project from PyPI may be given to `agora swe generate`.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from agora.cache import cache_dir
from agora.errors import AgoraError

PINS_FILE = Path(__file__).with_name("projects.json")
MAX_FILES = 5000
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TREE_BYTES = 40 * 1024 * 1024
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
TEST_DIRS = frozenset({"tests", "test", "testing"})
NOT_SOURCE = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py", "conf.py"})
NOT_SOURCE_DIRS = frozenset({"docs", "doc", "documentation", "examples", "benchmarks", "benchmark", "scripts"})
PYTEST_DEPENDENCIES = frozenset(
    {"pytest", "_pytest", "pluggy", "iniconfig", "packaging", "attr", "attrs", "py", "more_itertools"}
)
"""Importable names the image's Debian pytest brings: a project among them would have a copy in the image."""

SourceTree = dict[str, bytes]


class ProjectError(AgoraError):
    """A project cannot be fetched, read or used for tasks; the message says why and what to do."""


@dataclass(frozen=True)
class Project:
    """A project at one version: where its sdist lies and how its tree is laid out."""

    name: str
    version: str
    sha256: str | None = None

    @property
    def key(self) -> str:
        """``name-version``, the sdist's stem and the task ids' prefix."""
        return f"{self.name}-{self.version}"

    @property
    def sdist(self) -> Path:
        """Where the sdist lies in agora's cache."""
        return cache_dir("swe", "sdists") / f"{self.key}.tar.gz"


def pins() -> dict[str, dict]:
    """The pinned projects: name -> {version, sha256, shipped}."""
    return json.loads(PINS_FILE.read_text())


def shipped_projects() -> list[Project]:
    """The projects whose tasks ship with agora."""
    return [Project(n, p["version"], p["sha256"]) for n, p in pins().items() if p.get("shipped")]


def parse_requirement(text: str) -> Project:
    """``NAME==VERSION`` -> `Project` (with the pinned hash when agora pins that version)."""
    name, sep, version = text.strip().partition("==")
    if not sep or not NAME_PATTERN.match(name) or not NAME_PATTERN.match(version):
        raise ProjectError(f"Expected PACKAGE==VERSION (e.g. tinydb==4.9.0), got {text!r}.")
    pin = pins().get(name, {})
    return Project(name, version, pin.get("sha256") if pin.get("version") == version else None)


def sha256_of(path: Path) -> str:
    """The file's sha256 hex digest."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(project: Project) -> Path:
    """The project's sdist in the cache, downloaded with pip when missing; checks the pinned sha256."""
    if not project.sdist.is_file():
        _download(project)
    if project.sha256 and sha256_of(project.sdist) != project.sha256:
        bad = project.sdist.with_suffix(".bad")
        project.sdist.replace(bad)
        raise ProjectError(
            f"{project.key}: sha256 {sha256_of(bad)} is not the pinned {project.sha256} "
            f"(moved aside to {bad}); fetch it again or fix the pin in {PINS_FILE}."
        )
    return project.sdist


def _download(project: Project) -> None:
    with tempfile.TemporaryDirectory(prefix="agora-sdist-") as tmp:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--no-binary",
            ":all:",
            "-d",
            tmp,
            f"{project.name}=={project.version}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        found = [p for p in Path(tmp).iterdir() if p.name.endswith((".tar.gz", ".zip"))]
        if proc.returncode != 0 or not found:
            raise ProjectError(
                f"pip could not download the sdist of {project.name}=={project.version} "
                f"(exit {proc.returncode}): {proc.stderr.strip()[-600:]}"
            )
        if found[0].name.endswith(".zip"):
            _zip_to_tar(found[0], project.sdist)
        else:
            shutil.move(str(found[0]), project.sdist)


def _zip_to_tar(source: Path, target: Path) -> None:
    with zipfile.ZipFile(source) as zf, tarfile.open(target, "w:gz") as tf:
        for info in zf.infolist()[:MAX_FILES]:
            if not info.is_dir() and info.file_size <= MAX_FILE_BYTES:
                member = tarfile.TarInfo(info.filename)
                data = zf.read(info)
                member.size = len(data)
                tf.addfile(member, io.BytesIO(data))


@functools.lru_cache(maxsize=16)
def load_tree(sdist: Path) -> SourceTree:
    """The sdist's regular files, keyed by path below its top folder (bounded; links and odd paths skipped)."""
    tree: SourceTree = {}
    total = 0
    with tarfile.open(sdist, "r:gz") as tf:
        for member in tf:
            path = clean_path(member.name.split("/", 1)[1] if "/" in member.name else "")
            if not member.isfile() or path is None or member.size > MAX_FILE_BYTES or path.endswith(".pyc"):
                continue
            total += member.size
            if len(tree) >= MAX_FILES or total > MAX_TREE_BYTES:
                raise ProjectError(
                    f"{sdist.name} is too large for a task (over {MAX_FILES} files or {MAX_TREE_BYTES >> 20} MiB)."
                )
            tree[path] = tf.extractfile(member).read()
    if not tree:
        raise ProjectError(f"{sdist.name} holds no files.")
    return tree


def clean_path(path: str) -> str | None:
    """`path` normalised, or None when it is empty, absolute, climbs out with `..`, or holds odd characters."""
    norm = posixpath.normpath(path)
    if not path or norm.startswith(("/", "..")) or norm == "." or "\\" in norm or "\0" in norm:
        return None
    return norm


def is_test_path(path: str) -> bool:
    """True for test code and test configuration: restored at grading, never mutated."""
    parts = path.split("/")
    name = parts[-1]
    return (
        any(p in TEST_DIRS for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


@dataclass(frozen=True)
class Layout:
    """Where a project's importable code lies in its tree."""

    pythonpath: str
    """The folder put on ``PYTHONPATH`` ("" for the root, "src" for a src layout)."""
    packages: tuple[str, ...]
    """Top-level package folders and module files (paths in the tree): what an agent may change."""

    def is_source(self, path: str) -> bool:
        """True when `path` is library code (inside a package, not a test): editable and mutable."""
        inside = any(path == p or path.startswith(p + "/") for p in self.packages)
        return inside and path.endswith(".py") and not is_test_path(path)


def detect_layout(tree: SourceTree) -> Layout:
    """Finds the importable top-level packages and modules (root or ``src/``)."""
    root = "src" if any(p.startswith("src/") and p.count("/") == 2 and p.endswith("/__init__.py") for p in tree) else ""
    prefix = f"{root}/" if root else ""
    found = set()
    for path in tree:
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix) :].split("/")
        if len(rest) == 1 and rest[0].endswith(".py") and rest[0] not in NOT_SOURCE and not is_test_path(rest[0]):
            found.add(prefix + rest[0])
        elif len(rest) == 2 and rest[1] == "__init__.py" and rest[0] not in TEST_DIRS | NOT_SOURCE_DIRS:
            found.add(prefix + rest[0])
    if not found:
        raise ProjectError("no importable package or module found at the top of the sdist or under src/.")
    return Layout(root, tuple(sorted(found)))


def importable_names(layout: Layout) -> list[str]:
    """The top-level import names of the layout's packages and modules."""
    return sorted({p.rsplit("/", 1)[-1].removesuffix(".py") for p in layout.packages})
