#!/usr/bin/env bash
# PgBouncer with prepared statements against direct connections, side by side in one run, on a
# throwaway stack made by this checkout's ./strata:
#   - pgbench -S and the TPC-B-like script, -M prepared, 50 clients: DATABASE_URL (through
#     PgBouncer, transaction mode) vs DIRECT_URL, in interleaved rounds; median, min-max, ratio;
#   - the same at 200 and 1000 clients through the pool (failed transactions must be 0), and what
#     DIRECT_URL does there (PostgreSQL refuses past max_connections).
# Usage: bench/pool/run.sh [seconds-per-run] [rounds] [scale]   (defaults 8 3 10)
# The TPC-B-like runs use a thread per client: pgbench prepares a statement synchronously on a
# client's first use, and a thread blocked there stalls its other clients while they hold server
# connections mid-transaction, which deadlocks once clients outnumber server connections.
set -euo pipefail
secs=${1:-8} rounds=${2:-3} scale=${3:-10}
root="$(cd "$(dirname "$0")/../.." && pwd)"
pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -1)
ws=$(mktemp -d /tmp/strata-bench-pool-XXXX)
chmod 755 "$ws"
trap 'cd "$ws" && "$root/strata" destroy --yes >/dev/null 2>&1; rm -rf "$ws"' EXIT
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
pooler=$("$root/strata" status --json | python3 -c 'import json,sys; print(next(i["version"] for i in json.load(sys.stdin)["instances"] if i["kind"] == "pooler"))')
"$pgbench" -i -s "$scale" -q "$DIRECT_URL" >/dev/null 2>&1
results=${BENCH_RESULTS:-$ws/results.tsv}
: >"$results"

# run LABEL TARGET CLIENTS SCRIPT: one pgbench run; appends
# "label target clients script tps failed connect-ms".
# pgbench's -T counts from before its clients connect, and TLS + SCRAM handshakes run at 25-200 a
# second on this machine depending on its load: a run of N clients gets N/10 s more so that it
# measures transactions, and its initial connection time is recorded.
run() {
  local label=$1 target=$2 clients=$3 script=$4 url threads out tps failed connect
  url=$([[ $target == pooled ]] && echo "$DATABASE_URL" || echo "$DIRECT_URL")
  threads=$([[ $script == select ]] && echo 2 || echo "$clients")
  local flag=$([[ $script == select ]] && echo -S || echo "")
  local duration=$((secs + clients / 10))
  out=$("$pgbench" -n -c "$clients" -j "$threads" -T "$duration" $flag -M prepared "$url" 2>&1 || true)
  tps=$(awk '/^tps/ {print $3}' <<<"$out" || true)
  failed=$(awk '/number of failed transactions/ {print $5}' <<<"$out" || true)
  connect=$(awk '/initial connection time/ {print $5}' <<<"$out" || true)
  if [[ $(awk '/actually processed/ {print $NF}' <<<"$out") == 0 ]]; then
    tps=NA failed="0 transactions in ${duration}s (clients still connecting)"
  elif [[ -z $tps ]]; then
    tps=NA
    failed="$( (grep -m1 -oE 'FATAL: +.*|error: .*' <<<"$out" || echo "no tps line") | head -c 150)"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$target" "$clients" "$script" "$tps" "${failed:-?}" \
    "${connect:-NA}" >>"$results"
}

for r in $(seq 1 "$rounds"); do
  for script in select tpcb; do
    if (( r % 2 )); then order="pooled direct"; else order="direct pooled"; fi
    for target in $order; do run "round$r" "$target" 50 "$script"; done
  done
done
for clients in 200 1000; do
  for script in select tpcb; do
    run high pooled "$clients" "$script"
    run high direct "$clients" "$script"
  done
done

echo "bench/pool on $(date -u +%F), PgBouncer $pooler, pgbench $("$pgbench" --version | awk '{print $3}'), scale $scale, -M prepared, ${secs}s per run, $rounds interleaved rounds at 50 clients"
python3 - "$results" <<'PY'
import sys, statistics as st
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
def tps(rows): return [float(r[4]) for r in rows if r[4] != "NA"]
for script in ("select", "tpcb"):
    name = "pgbench -S" if script == "select" else "TPC-B-like"
    p = [r for r in rows if r[0].startswith("round") and r[3] == script and r[1] == "pooled"]
    d = [r for r in rows if r[0].startswith("round") and r[3] == script and r[1] == "direct"]
    pt, dt = tps(p), tps(d)
    pairs = [float(a[4]) / float(b[4]) for a, b in zip(p, d) if a[4] != "NA" and b[4] != "NA"]
    fails = sum(int(r[5]) for r in p if r[5].isdigit())
    print(f"  {name:11} 50 clients  pooled {st.median(pt):8.0f} tps ({min(pt):.0f}-{max(pt):.0f})"
          f"  direct {st.median(dt):8.0f} tps ({min(dt):.0f}-{max(dt):.0f})"
          f"  pooled/direct {st.median(pt)/st.median(dt):.2f} (per round {min(pairs):.2f}-{max(pairs):.2f})"
          f"  failed through the pool: {fails}")
for r in rows:
    if r[0] == "high":
        name = "pgbench -S" if r[3] == "select" else "TPC-B-like"
        connect = f", clients connected in {float(r[6]) / 1000:.1f} s" if r[6] != "NA" else ""
        what = (f"{float(r[4]):8.0f} tps, failed {r[5]}{connect}" if r[4] != "NA"
                else f"not measured: {r[5]}")
        print(f"  {name:11} {r[2]:>4} clients  {r[1]:6}  {what}")
PY
