#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on 127.0.0.1 (a free port, trust auth, data in a temp folder)
# and prints `export DATABASE_URL=…`, `export POSTHORN_PG_STOP=…`, `export POSTHORN_PG_DATA=…` (the
# data folder) and `export POSTHORN_PG_CTL=…` (a command prefix running pg_ctl as the right user
# with -D and the log file: append `stop -m fast`, `start -w`, `restart -m immediate`, …) for the
# caller to eval.
# Installs Debian's postgresql package when no server binaries are present.
# By default durability is off (fsync, synchronous_commit, full_page_writes) for fast tests;
# POSTHORN_PG_DURABLE=1 keeps PostgreSQL's defaults (benchmarks that should count commits honestly).
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries missing; installing Debian's postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
dir=$(mktemp -d /tmp/posthorn-pg-XXXXXX)
chmod 755 "$dir"
run() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home "$dir" postgres
  chown postgres "$dir"
  # PostgreSQL refuses to run as root.
  run() { su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; }
fi
run "$bin/initdb" -D "$dir/data" --auth=trust --username=postgres --encoding=UTF8 --locale=C >/dev/null
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${POSTHORN_PG_DURABLE:-0}" = 1 ]; then durability=""; fi
run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 $durability" start >/dev/null
echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
echo "export POSTHORN_PG_DATA=$dir/data"
# pg_ctl with this cluster's folder, log and server options; append the action, e.g.
# `eval "$POSTHORN_PG_CTL restart -m immediate -w"` or `eval "$POSTHORN_PG_CTL start -w"`.
ctl=$(printf '%q ' "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 $durability")
if [ "$(id -u)" = 0 ]; then
  echo "export POSTHORN_PG_STOP=\"su postgres -s /bin/sh -c '$bin/pg_ctl -D $dir/data -m fast stop'\""
  ctl="su postgres -s /bin/sh -c 'exec \"\$0\" \"\$@\"' -- $ctl"
else
  echo "export POSTHORN_PG_STOP=\"$bin/pg_ctl -D $dir/data -m fast stop\""
fi
printf 'export POSTHORN_PG_CTL=%q\n' "$ctl"
