#!/usr/bin/env bash
# The tenancy goal of issue 10 (inTenant on the RLS table <= 1.10x the time per transaction of the
# reference without RLS), measured with enough rounds that the spread is known: runs
# bench/tenancy's TenancyBench in its paired mode (every thread alternates an inTenant and a
# reference transaction, one by one, so the machine's changing load hits both alike) at 1 and 4
# client threads, and reports the median of the per-round ratios and their spread (min-max and
# interquartile range), of the mean time per transaction and of the median one (which the few
# transactions a loaded machine preempts for milliseconds do not move).
# Usage: bench/pool/tenancy.sh [seconds-per-slice] [rounds] [modes]   (defaults 3 9 inTenant)
#   modes: comma-separated TenancyBench modes, each paired with the reference in every round (e.g.
#   inTenant,contextNoRls,handTwoSetConfigs,handOneSetConfig,handNoRow to see what each part costs).
set -euo pipefail
slice=${1:-3} rounds=${2:-9} modes=${3:-inTenant}
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -q -pl bench/tenancy -am package -DskipTests -Dspotless.check.skip=true
for threads in 1 4; do
  out=$(java -cp "bench/tenancy/target/classes:$(cat bench/tenancy/target/classpath.txt)" \
    dev.strata.bench.tenancy.TenancyBench "$slice" "$threads" "$rounds" paired "$modes" 2>/dev/null)
  python3 - "$threads" "$out" <<'PY'
import re, statistics as st, sys
threads, out = sys.argv[1], sys.argv[2]
# time per tx, inTenant / reference, each round's transactions alternated one by one
ref = [1e6 * int(threads) / float(x) for x in re.search(r"reference us/tx \[([^\]]*)\]", out).group(1).split(",")]
print(f"  {threads} thread(s), reference median {st.median(ref):.0f} tx/s, load average"
      f" {open('/proc/loadavg').read().split()[0]} at the end")
def line(mode, what, found):
    ratios = sorted(float(x) for x in found.split(","))
    q = st.quantiles(ratios, n=4)
    verdict = ("met" if q[2] <= 1.10 else "not met" if q[0] > 1.10 else "undecided")
    print(f"    {mode}/reference {what}, {len(ratios)} rounds: median {st.median(ratios):.3f},"
          f" min-max {ratios[0]:.3f}-{ratios[-1]:.3f}, IQR {q[0]:.3f}-{q[2]:.3f};"
          f" <= 1.10 {verdict}"
          f" (IQR {'clear of' if verdict != 'undecided' else 'straddles'} the goal)")
pattern = r"paired (\w+)/reference \(ratios: \[([^\]]*)\]\) \(median ratios: \[([^\]]*)\]\)"
for mode, means, medians in re.findall(pattern, out):
    line(mode, "mean time per tx", means)
    line(mode, "median time per tx", medians)
PY
done
