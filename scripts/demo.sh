#!/usr/bin/env bash
# The main job: installs agora (idempotently), then `agora demo`: SmolLM2-135M learns TicTacToe on CPU
# (LoRA) and a tournament rates it before and after. `./scripts/demo.sh --quick`: scripted tournament only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
exec .venv/bin/agora demo "$@"
