#!/usr/bin/env bash
# swe/ family: the pinned PyPI sdists of its projects (envs/swe/bug_fix/projects.json: version and sha256),
# fetched with `pip download --no-deps --no-binary :all:` into agora's cache (never committed, never fetched
# while an env runs), and its image agora-sandbox-swe (Python 3 + Debian's pytest, built offline by
# `agora containers build --offline` in 20-docker.sh; built here too when missing). Idempotent: a cached
# sdist with the right hash is not fetched again, an up-to-date image is not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/agora swe fetch
if docker info >/dev/null 2>&1; then
  .venv/bin/python -c "from agora.envs.swe.bug_fix.generate import ensure_image; ensure_image()"
else
  echo "[swe] no Docker engine: the swe image is not built (swe tests will skip)" >&2
fi
