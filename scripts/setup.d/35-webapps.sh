#!/usr/bin/env bash
# The real web applications of web/<app>.* (envs/web): Django, django-helpdesk, django-wiki, django-machina,
# wagtail, django-oscar and the waitress WSGI server in their own venv, .venv-webapps, installed from
# locks/webapps.txt. The envs run in
# .venv and start each app as a server process under this interpreter; the seeded databases are built on
# first use (agora.envs.web.appserver: migrate + seed, cached under ~/.cache/agora/webapps).
# Idempotent: a stamp file records a finished install of this lock.
# agora-setup: background
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv-webapps
stamp=$VENV/.agora-webapps-installed
inputs=$(cat locks/webapps.txt | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ] || ! $VENV/bin/python -c "import django, helpdesk, wiki, oscar, machina, wagtail, waitress" 2>/dev/null; then
  echo "[webapps] installing locks/webapps.txt into $VENV"
  ensure_uv $VENV
  install_locked $VENV locks/webapps.txt
  $VENV/bin/python -c "import django; print('[webapps] Django', django.get_version())"
  echo "$inputs" > "$stamp"
fi
