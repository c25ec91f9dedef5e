#!/bin/sh
# Installs or uninstalls inbox (called by `make install` / `make uninstall`).
#   scripts/install.sh install|uninstall
# Environment: DESTDIR (staging root, may be empty), PREFIX, BUILD_DIR (where the built `inbox` is).
# Install records every file it writes and every directory it had to create in a manifest, so uninstall removes
# exactly those files, and those directories only when they are empty again. The manifest names paths without
# DESTDIR (as they are on the target system); uninstall takes the same DESTDIR.
set -eu

: "${PREFIX:=/usr/local}"
: "${DESTDIR:=}"
: "${BUILD_DIR:=.build/release}"
root="$DESTDIR$PREFIX"
share="$root/share"
manifest="$share/inbox/install-manifest"
pending="$manifest.new"

make_dir() { # make_dir DIR: creates DIR and its missing parents, recording each one it created
    dir="$1"
    created=""
    while [ ! -d "$dir" ]; do
        created="$dir
$created"
        dir=$(dirname "$dir")
    done
    [ -n "$created" ] || return 0
    mkdir -p "$1"
    printf '%s' "$created" | while IFS= read -r made; do echo "dir ${made#"$DESTDIR"}"; done >>"$pending"
}

put() { # put MODE SOURCE INSTALLED_FILE
    make_dir "$(dirname "$3")"
    install -m "$1" "$2" "$3"
    echo "file ${3#"$DESTDIR"}" >>"$pending"
}

do_install() {
    [ -x "$BUILD_DIR/inbox" ] || { echo "install: $BUILD_DIR/inbox is missing (swift build -c release --product inbox)" >&2; exit 1; }
    for needed in dist/completions/inbox.bash dist/completions/_inbox dist/completions/inbox.fish dist/man/inbox.1; do
        [ -f "$needed" ] || { echo "install: $needed is missing (make docs)" >&2; exit 1; }
    done
    # The manifest's directory comes first; the pending list is written there once it exists.
    created=""
    dir="$share/inbox"
    while [ ! -d "$dir" ]; do
        created="$dir
$created"
        dir=$(dirname "$dir")
    done
    mkdir -p "$share/inbox"
    if [ -f "$manifest" ]; then cp "$manifest" "$pending"; else : >"$pending"; fi  # reinstall keeps earlier records
    printf '%s' "$created" | while IFS= read -r made; do [ -n "$made" ] && echo "dir ${made#"$DESTDIR"}"; done >>"$pending"

    put 0755 "$BUILD_DIR/inbox" "$root/bin/inbox"
    for theme in themes/*.toml; do put 0644 "$theme" "$share/inbox/themes/$(basename "$theme")"; done
    for page in dist/man/*.1; do put 0644 "$page" "$share/man/man1/$(basename "$page")"; done
    put 0644 dist/completions/inbox.bash "$share/bash-completion/completions/inbox"
    put 0644 dist/completions/_inbox "$share/zsh/site-functions/_inbox"
    put 0644 dist/completions/inbox.fish "$share/fish/vendor_completions.d/inbox.fish"
    sort -u "$pending" >"$manifest"
    rm -f "$pending"
    echo "installed inbox into $root"
}

do_uninstall() {
    [ -f "$manifest" ] || { echo "uninstall: no $manifest, so nothing was installed under $root" >&2; exit 1; }
    records=$(cat "$manifest")
    printf '%s\n' "$records" | sed -n 's/^file //p' | while IFS= read -r file; do rm -f "$DESTDIR$file"; done
    rm -f "$manifest"
    # Deepest first, so a parent is tried only after its children; rmdir leaves any directory still in use.
    printf '%s\n' "$records" | sed -n 's/^dir //p' | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
        while IFS= read -r dir; do rmdir "$DESTDIR$dir" 2>/dev/null || true; done
    echo "uninstalled inbox from $root"
}

case "${1:-}" in
    install) do_install ;;
    uninstall) do_uninstall ;;
    *) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
