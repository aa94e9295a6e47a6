#!/usr/bin/env bash
# Docker for the sandbox: starts the engine when none answers (no init system here: dockerd in the
# background, logging to /var/log/agora-dockerd.log), then builds the sandbox images offline
# (debootstrap + docker import; skipped when up to date). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v dockerd >/dev/null 2>&1; then
  echo "[docker] dockerd is not installed (apt-get install docker.io); docker tests will skip" >&2
  exit 0
fi
if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "[docker] no engine answers and starting one needs root; docker tests will skip" >&2
    exit 0
  fi
  echo "[docker] starting dockerd (log: /var/log/agora-dockerd.log)"
  nohup dockerd >/var/log/agora-dockerd.log 2>&1 &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "[docker] dockerd did not answer in 60 s:"; tail -20 /var/log/agora-dockerd.log; exit 1; }
fi
.venv/bin/agora containers build --offline
