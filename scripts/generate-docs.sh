#!/bin/sh
# Regenerates dist/completions and dist/man from the argument parser (`make docs`).
#   scripts/generate-docs.sh [INBOX_BINARY]   (default .build/debug/inbox, built first by make)
# Completions come from `inbox --generate-completion-script`; man pages from swift-argument-parser's
# generate-manual plugin (one page per command, dated for reproducible output).
set -eu
binary="${1:-.build/debug/inbox}"
mkdir -p dist/completions dist/man
"$binary" --generate-completion-script bash >dist/completions/inbox.bash
"$binary" --generate-completion-script zsh >dist/completions/_inbox
"$binary" --generate-completion-script fish >dist/completions/inbox.fish

rm -rf .build/plugins/GenerateManual/outputs/InboxCLI
swift package --disable-sandbox plugin generate-manual --configuration debug --multi-page --date 2026-01-01 >&2
pages=.build/plugins/GenerateManual/outputs/InboxCLI
[ -f "$pages/inbox.1" ] || { echo "generate-manual wrote no $pages/inbox.1" >&2; exit 1; }
rm -f dist/man/*.1
cp "$pages"/inbox*.1 dist/man/
echo "regenerated dist/completions and dist/man ($(ls dist/man | wc -l) pages)" >&2
