#!/usr/bin/env bash
# Stops what floor.sh started in $1.
set -uo pipefail
dir=$1
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ -f $dir/pgbouncer.pid ]] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
[[ -f $dir/redis.pid ]] && kill "$(cat "$dir/redis.pid")" 2>/dev/null
as_pg "$bin/pg_ctl" stop -s -w -m fast -D "$dir/pg" >/dev/null 2>&1
while [[ -f $dir/redis.pid ]] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; do sleep 0.01; done
while [[ -f $dir/pgbouncer.pid ]] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; do sleep 0.01; done
exit 0
