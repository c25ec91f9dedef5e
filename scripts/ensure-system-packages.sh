#!/usr/bin/env bash
# Installs the system libraries and tools inbox needs, only when missing (Debian/Ubuntu, via apt-get).
set -euo pipefail
needed=(libncurses-dev libsqlite3-dev libcurl4-openssl-dev libutf8proc-dev libfribidi-dev tmux sqlite3 pkg-config systemd)
missing=()
for package in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH (Swift 6.3 toolchain needed)" >&2; exit 1; }
