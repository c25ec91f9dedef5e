#!/bin/sh
# Regenerates Sources/InboxTUI/Theme/BundledThemes.swift from themes/*.toml (run from the repository root, or
# `make themes`). ThemeTests fails when the two differ.
set -eu
out=Sources/InboxTUI/Theme/BundledThemes.swift
{
  echo '// GENERATED from themes/*.toml by scripts/bundle-themes.sh (`make themes`): do not edit by hand.'
  echo '// ThemeTests checks these are byte-identical to the files.'
  echo ''
  echo '/// The four shipped themes, compiled in so the binary works without the repository.'
  echo 'enum BundledThemes {'
  echo '    static let all: [(name: String, toml: String)] = ['
  echo '        ("dark", dark), ("light", light), ("high-contrast", highContrast), ("mono", mono),'
  echo '    ]'
  for pair in dark:dark light:light high-contrast:highContrast mono:mono; do
    file=${pair%%:*}; var=${pair##*:}
    echo ''
    echo "    static let $var = \"\"\""
    cat "themes/$file.toml"
    echo ''
    echo '"""'
  done
  echo '}'
} > "$out"
