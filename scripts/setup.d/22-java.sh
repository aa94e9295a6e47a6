#!/usr/bin/env bash
# Java for text/ScienceWorld: the scienceworld wheel ships the simulator as a JAR run by a JVM
# (Debian's default-jre-headless, OpenJDK 17). Idempotent: nothing to do when `java` runs.
set -euo pipefail

if java -version >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "[java] java is missing and installing it needs root: apt-get install default-jre-headless" >&2
  exit 0
fi
echo "[java] apt-get install default-jre-headless"
export DEBIAN_FRONTEND=noninteractive
# The package lists of the system-packages step are usually fresh: update only when the install needs it.
apt-get install -y -qq default-jre-headless >/dev/null 2>&1 ||
  { apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null; }
java -version
