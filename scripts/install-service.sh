#!/bin/sh
# Installs the systemd unit for `inbox serve` (`make install-service`; run as root after `make install`).
# Environment: DESTDIR (staging root, may be empty: then the user is created and systemd reloaded), PREFIX (where
# `make install` put bin/inbox; the unit names /usr/local/bin/inbox and is rewritten for another prefix).
set -eu
: "${DESTDIR:=}"
: "${PREFIX:=/usr/local}"
install -d -m 0755 "$DESTDIR/etc/systemd/system" "$DESTDIR/etc/sysusers.d"
sed "s|^ExecStart=/usr/local/bin/inbox |ExecStart=$PREFIX/bin/inbox |" dist/inbox.service >"$DESTDIR/etc/systemd/system/inbox.service"
chmod 0644 "$DESTDIR/etc/systemd/system/inbox.service"
install -m 0644 dist/inbox.sysusers.conf "$DESTDIR/etc/sysusers.d/inbox.conf"
# The environment file holds provider secrets: root-only directory and file, never overwritten.
install -d -m 0700 "$DESTDIR/etc/inbox"
if [ ! -e "$DESTDIR/etc/inbox/inbox.env" ]; then
    install -m 0600 dist/inbox.env.example "$DESTDIR/etc/inbox/inbox.env"
    echo "wrote $DESTDIR/etc/inbox/inbox.env (0600): fill in the provider settings"
fi
if [ -z "$DESTDIR" ]; then
    if command -v systemd-sysusers >/dev/null 2>&1; then systemd-sysusers /etc/sysusers.d/inbox.conf
    elif ! id inbox >/dev/null 2>&1; then useradd --system --home-dir /var/lib/inbox --shell /usr/sbin/nologin inbox; fi
    if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
    echo "installed inbox.service: systemctl enable --now inbox"
fi
