#!/usr/bin/env bash
# The floor for `strata up`: the same three servers started by a plain shell script, as the seeds
# do by hand — initdb, pg_ctl start, pgbouncer -d, redis-server — on free ports in $1, no TLS, no
# roles, no tuning. Prints nothing; exits when all three answer.
# Usage: floor.sh DIR PG_PORT BOUNCER_PORT REDIS_PORT [warm]
set -euo pipefail
dir=$1 pg_port=$2 bouncer_port=$3 redis_port=$4 warm=${5:-}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

mkdir -p "$dir/redis"
[[ $(id -u) == 0 ]] && chown -R postgres "$dir"
if [[ -z $warm ]]; then
  as_pg "$bin/initdb" -D "$dir/pg" -U postgres --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
postgres = host=$dir port=$pg_port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  echo '"postgres" ""' >"$dir/userlist.txt"
  [[ $(id -u) == 0 ]] && chown postgres "$dir/pgbouncer.ini" "$dir/userlist.txt"
fi
as_pg "$bin/pg_ctl" start -s -w -D "$dir/pg" -l "$dir/pg.log" -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1"
as_pg pgbouncer -d -q "$dir/pgbouncer.ini"
as_pg redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --dir "$dir/redis" \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --appendonly yes
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.01; done
