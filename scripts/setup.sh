#!/usr/bin/env bash
# Installs everything agora and its tests need on a fresh Debian 12 machine, idempotently:
# system packages (as root), the .venv with every extra, and each family's own step in setup.d/.
# Safe to run again: each step checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1

APT_PACKAGES=(docker.io bubblewrap debootstrap chromium busybox-static build-essential)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "[setup] apt-get install ${missing[*]}"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "[setup] not root: skipping system packages ${missing[*]} (docker/browser tests will skip)" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
PY=.venv/bin/python
stamp=.venv/.agora-installed
inputs=$(cat pyproject.toml setup.py tests/plugins/example_plugin/pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
  echo "[setup] installing agora and its extras into .venv"
  $PY -m pip install -q --upgrade pip
  # The CPU build of torch that lies on this kind of machine, before anything that depends on torch.
  $PY -m pip install -q "torch==2.13.0"
  $PY -m pip install -q -e ".[games,sandbox,web,text,train,dev]"
  # The example third-party plugin, so the tests (and `agora list`) see a real installed plugin.
  $PY -m pip install -q -e tests/plugins/example_plugin
  echo "$inputs" > "$stamp"
fi

for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  echo "[setup] $step"
  bash "$step"
done
