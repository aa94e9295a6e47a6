#!/usr/bin/env bash
# Installs what the tests need (idempotently) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh tests
exec .venv/bin/python -m pytest "$@"
