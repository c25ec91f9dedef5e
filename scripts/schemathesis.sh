#!/usr/bin/env bash
# `make test`'s API contract step (issue 15): validates docs/openapi.yaml, starts a real `inbox serve` on a fresh
# database filled through the CLI and signed webhooks, and runs schemathesis over the document with every check,
# the stateful phase included, with a fixed seed and a bounded number of examples. Any disagreement fails the step.
# schemathesis is installed with pip into .venv-schemathesis/ (gitignored) when missing or when
# scripts/schemathesis-requirements.txt changed. Needs the debug build (`swift build --build-tests`).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-schemathesis
requirements=scripts/schemathesis-requirements.txt

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  echo "installing: python3 python3-venv" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3 python3-venv >/dev/null
fi
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
  echo "installing schemathesis into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/requirements.txt"
fi
[ -x .build/debug/inbox ] || { echo "no .build/debug/inbox: run swift build --build-tests first" >&2; exit 1; }
exec "$venv/bin/python" -B scripts/schemathesis_run.py "$@"
