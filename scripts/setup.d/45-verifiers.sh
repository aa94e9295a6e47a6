#!/usr/bin/env bash
# verifiers for the verifiers adapter's test: agora[verifiers] in its own venv, .venv-verifiers, because
# verifiers 0.3.1 pins mcp<2 and (through openai-agents) openai>=3, while .venv has mcp 2 (text extra)
# and openai 2 (openai extra). The test runs the example under this interpreter against
# `agora serve-model` started from .venv (torch stays there: this venv needs none).
# Installed from locks/verifiers.txt. Idempotent: a stamp file records a finished install of this lock.
# agora-setup: background
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv-verifiers
stamp=$VENV/.agora-verifiers-installed
inputs=$(cat locks/verifiers.txt pyproject.toml setup.py | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ] && $VENV/bin/python -c "import verifiers, agora" 2>/dev/null; then
  exit 0
fi
echo "[verifiers] installing locks/verifiers.txt into $VENV"
ensure_uv $VENV
install_locked $VENV locks/verifiers.txt .
$VENV/bin/python -c "import verifiers as vf; print('[verifiers] verifiers', vf.__version__, vf.MultiTurnEnv.__name__)"
echo "$inputs" > "$stamp"
