#!/usr/bin/env bash
# The agent's own CPU and memory at rest: a stack with every default (backups on, so the heartbeat
# runs; supervision every 2 s; sampling every 15 s) brought up by ./strata up, left alone for
# SECONDS (default 120) after a warm-up, measured from /proc: CPU of the agent's JVM and of the
# programs it runs (psql for the heartbeat, redis-cli for the samples), its resident memory and
# its Java heap. Usage: bench/monitor/agent-at-rest.sh [SECONDS]
set -euo pipefail
secs=${1:-120}
root="$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)"
strata="$root/strata"
ws=$(mktemp -d /tmp/strata-bench-agent-XXXXXX); chmod 755 "$ws"; cd "$ws"
trap 'cd "$ws" && "$strata" destroy --yes >/dev/null 2>&1; rm -rf "$ws"' EXIT
printf 'postgres:\n  port: 0\npooler:\n  port: 0\nredis:\n  port: 0\n' > strata.yaml
"$strata" up > up.log 2>&1 || { tail -5 up.log; exit 1; }
pid=$(sed -n 's/^pid=//p' .strata/agent/agent.properties)
url=$(sed -n 's/^url=//p' .strata/agent/agent.properties | sed 's/\\//g')
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14+$15, $16+$17}' "/proc/$pid/stat"; }
sleep 30 # warm-up: the JIT and the first samples
read -r own0 kids0 < <(ticks); t0=$(date +%s.%N)
sleep "$secs"
read -r own1 kids1 < <(ticks); t1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
heap=$(curl -fsS "$url/metrics" | awk '/^jvm_memory_used_bytes/ && /area="heap"/ {s+=$NF} END {printf "%.1f", s/1048576}')
python3 - "$own0" "$own1" "$kids0" "$kids1" "$t0" "$t1" "$hz" "$rss" "$heap" <<'PY'
import sys
o0, o1, k0, k1, t0, t1, hz, rss, heap = map(float, sys.argv[1:])
wall = t1 - t0
print(f"agent at rest over {wall:.0f} s: JVM CPU {100*(o1-o0)/hz/wall:.2f} % of one core, "
      f"with the programs it ran {100*((o1-o0)+(k1-k0))/hz/wall:.2f} %; RSS {rss/1024:.0f} MiB, heap used {heap} MiB")
print("load average at the end:", open("/proc/loadavg").read().split()[0])
PY
