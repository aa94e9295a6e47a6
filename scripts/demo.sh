#!/usr/bin/env bash
# The main job: installs agora (idempotently) and runs a short self-play tournament of scripted agents.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
exec .venv/bin/agora demo "$@"
