#!/usr/bin/env bash
# Installs what the tests need (idempotently) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh tests
# Everything is installed now: a test that skips for a missing framework, venv or engine fails the run
# (tests/conftest.py; only the skips in EXPECTED_SKIPS, such as "needs a CUDA GPU", remain skips).
export AGORA_NO_SKIPS="${AGORA_NO_SKIPS:-1}"
exec .venv/bin/python -m pytest "$@"
