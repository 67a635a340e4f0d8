#!/usr/bin/env bash
# Does PgBouncer gain from more than one process? PgBouncer is single-threaded: one process does
# TLS and the protocol for every client, where direct connections spread that over one backend
# each. Its answer for more cores is several processes on one port (so_reuseport = 1, the kernel
# spreading new connections over them) with peer_id / [peers] (1.19+) so that a cancel request
# reaching the wrong process is forwarded to the right one.
# This makes a throwaway stack with this checkout's ./strata, starts N more PgBouncer processes
# beside Strata's own (copies of its pgbouncer.ini on another port, so_reuseport = 1, peer_id,
# [peers], default_pool_size divided by N so that the server connections total the same), then
# runs pgbench -M prepared at 50 clients through Strata's single process, through the N processes
# and DIRECT_URL, interleaved round by round (the order rotating), and prints medians, per-round
# spread and ratios.
# Usage: bench/pool/processes.sh [seconds-per-run] [rounds] [processes] [scale]   (defaults 8 3 2 10)
set -euo pipefail
secs=${1:-8} rounds=${2:-3} procs=${3:-2} scale=${4:-10}
root="$(cd "$(dirname "$0")/../.." && pwd)"
pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -1)
ws=$(mktemp -d /tmp/strata-bench-procs-XXXX)
chmod 755 "$ws"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  cd "$ws" && "$root/strata" destroy --yes >/dev/null 2>&1
  rm -rf "$ws"
}
trap cleanup EXIT
cat >"$ws/strata.yaml" <<YAML
postgres:
  port: 0
pooler:
  port: 0
  max_client_conn: 2000
redis:
  port: 0
YAML
cd "$ws"
"$root/strata" up >/dev/null
eval "$("$root/strata" env)"
"$pgbench" -i -s "$scale" -q "$DIRECT_URL" >/dev/null 2>&1
dir=$ws/.strata/pgbouncer
ini=$dir/pgbouncer.ini
owner=$(stat -c %U "$ini")
binary=$(readlink -f "/proc/$(head -1 "$dir/pgbouncer.pid")/exe")
version=$("$binary" --version | head -1)
pool=$(awk -F' = ' '$1 == "default_pool_size" {print $2}' "$ini")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
peers=$(for i in $(seq 1 "$procs"); do echo "$i = host=$dir/multi-$i"; done)
for i in $(seq 1 "$procs"); do
  mkdir -p "$dir/multi-$i"
  sed -e "s/^listen_port = .*/listen_port = $port/" \
    -e "s#^unix_socket_dir = .*#unix_socket_dir = $dir/multi-$i#" \
    -e "s#pgbouncer.log#multi-$i.log#; s#pgbouncer.pid#multi-$i.pid#" \
    -e "s/^default_pool_size = .*/default_pool_size = $((pool / procs))/" "$ini" >"$dir/multi-$i.ini"
  printf 'so_reuseport = 1\npeer_id = %d\n\n[peers]\n%s\n' "$i" "$peers" >>"$dir/multi-$i.ini"
done
chown -R "$owner" "$dir"
for i in $(seq 1 "$procs"); do
  runuser -u "$owner" -- "$binary" -d -q "$dir/multi-$i.ini"
  for _ in $(seq 50); do [[ -s $dir/multi-$i.pid ]] && break; sleep 0.1; done
  pids+=("$(cat "$dir/multi-$i.pid")")
done
multi=$(sed -E "s#(@[^:/]+:)[0-9]+/#\1$port/#" <<<"$DATABASE_URL")
results=$ws/results.tsv
: >"$results"
targets=(single multi direct)
for r in $(seq 1 "$rounds"); do
  for script in select tpcb; do
    for k in 0 1 2; do
      target=${targets[$(((k + r) % 3))]}
      case $target in
        single) url=$DATABASE_URL ;; multi) url=$multi ;; direct) url=$DIRECT_URL ;;
      esac
      if [[ $script == select ]]; then flag=-S threads=2; else flag="" threads=50; fi
      out=$("$pgbench" -n -c 50 -j "$threads" -T "$secs" $flag -M prepared "$url" 2>&1 || true)
      tps=$(awk '/^tps/ {print $3}' <<<"$out")
      printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$script" "$target" "${tps:-NA}" \
        "$(cut -d' ' -f1 /proc/loadavg)" >>"$results"
    done
  done
done
echo "bench/pool/processes.sh on $(date -u '+%F %H:%M'), $version, $procs processes (so_reuseport," \
  "default_pool_size $((pool / procs)) each) against Strata's one (default_pool_size $pool)," \
  "pgbench -M prepared, 50 clients, ${secs}s per run, $rounds interleaved rounds"
python3 - "$results" <<'PY'
import sys, statistics as st
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
loads = [float(r[4]) for r in rows]
for script in ("select", "tpcb"):
    name = "pgbench -S" if script == "select" else "TPC-B-like"
    t = {k: {r[0]: float(r[3]) for r in rows if r[1] == script and r[2] == k and r[3] != "NA"}
         for k in ("single", "multi", "direct")}
    def ratio(a, b):
        per = [t[a][r] / t[b][r] for r in t[a] if r in t[b]]
        return f"{st.median(t[a].values()) / st.median(t[b].values()):.2f} (per round {min(per):.2f}-{max(per):.2f})"
    print(f"  {name:11} " + "  ".join(
        f"{k} {st.median(v.values()):.0f} tps ({min(v.values()):.0f}-{max(v.values()):.0f})"
        for k, v in t.items()))
    print(f"  {'':11} multi/single {ratio('multi', 'single')}  single/direct {ratio('single', 'direct')}"
          f"  multi/direct {ratio('multi', 'direct')}")
print(f"  load average {min(loads):.1f}-{max(loads):.1f} during the runs")
PY
