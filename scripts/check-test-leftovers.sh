#!/usr/bin/env bash
# Run after the test suite: fails when a process the tests started outlived them. Tests name everything they make
# after themselves (tmux sockets `inbox-test-…`, temporary directories `inbox-test-`, `inbox-process-`,
# `inbox-chaos-` that servers and clients are started in; PostgreSQL databases `inbox_test_…`), so such a process
# is found by its command line.
# Processes already on their way out get 5 s.
set -uo pipefail
leftovers() { pgrep -af 'inbox-(test|process|chaos)-|postgres://[^ ]*/inbox_test_' | grep -v -e 'check-test-leftovers' || true; }
for _ in $(seq 50); do
  [ -z "$(leftovers)" ] && { echo "no process started by the tests is left running"; exit 0; }
  sleep 0.1
done
echo "processes started by the tests are still running:" >&2
leftovers | cut -c1-200 >&2
exit 1
