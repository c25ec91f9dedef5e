#!/usr/bin/env bash
# Runs a command beside a throw-away PostgreSQL: `scripts/with-postgres.sh swift test --filter Postgres`.
#
# The server lives in a fresh temporary directory (data, socket, log), listens on a random loopback port with trust
# authentication for 127.0.0.1 only, and is stopped and deleted when the command ends, however it ends. The command
# sees INBOX_TEST_POSTGRES_URL=postgres://USER@127.0.0.1:PORT/postgres; tests create their own databases in it.
#
# PostgreSQL refuses to run as root, and CI runs as root: then initdb and postgres run as an unprivileged user
# (`inbox-test`, created as a system user when absent, else `nobody`). Installs Debian's postgresql when initdb is
# missing. Durability is off (fsync=off) for tests, whose data is thrown away anyway; INBOX_PG_DURABLE=1 keeps
# PostgreSQL's defaults (fsync, synchronous_commit, full_page_writes on), as benchmarks need: a webhook's 200 must
# mean the row is on disk.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGUMENT…]" >&2
  exit 2
fi

find_bin() {
  local dir
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
}

bin="$(find_bin)"
if [ -z "$bin" ]; then
  echo "with-postgres: installing postgresql (apt-get)" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
  bin="$(find_bin)"
  [ -n "$bin" ] || { echo "with-postgres: no initdb after installing postgresql" >&2; exit 1; }
fi

# Who runs the server: ourselves, or (as root) an unprivileged user.
as_user=()
user="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  user="inbox-test"
  if ! getent passwd "$user" >/dev/null; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$user" 2>/dev/null || user="nobody"
  fi
  group="$(id -gn "$user")"
  as_user=(setpriv "--reuid=$user" "--regid=$group" --clear-groups --)
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/inbox-pg.XXXXXX")"
chmod 0700 "$dir"
[ "$(id -u)" -eq 0 ] && chown "$user" "$dir"

stop() {
  "${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
# Interrupted: the command is ended first (bash runs traps only once its foreground child has exited).
child=""
trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; exit 130' INT TERM

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

"${as_user[@]}" "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# Loopback TCP only (no other host may connect, whatever pg_hba says), the socket inside the temporary directory.
cat >"$dir/data/pg_hba.conf" <<EOF
local all all trust
host  all all 127.0.0.1/32 trust
EOF
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${INBOX_PG_DURABLE:-0}" = 1 ] && durability=""
"${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
  -o "-h 127.0.0.1 -p $port -k $dir $durability -c max_connections=300" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
for _ in $(seq 1 100); do
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
  sleep 0.1
done
"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" || { cat "$dir/server.log" >&2; exit 1; }

export INBOX_TEST_POSTGRES_URL="postgres://$user@127.0.0.1:$port/postgres"
set +e
"$@" &
child=$!
wait "$child"
status=$?
set -e
exit $status
