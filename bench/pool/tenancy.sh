#!/usr/bin/env bash
# The tenancy goal of issue 10 (inTenant on the RLS table <= 1.10x the time per transaction of the
# reference without RLS), measured with enough rounds that the spread is known: runs
# bench/tenancy's TenancyBench in its paired mode (every thread alternates an inTenant and a
# reference transaction, one by one, so the machine's changing load hits both alike) at 1 and 4
# client threads, and reports the median of the per-round ratios and their spread (min-max and
# interquartile range).
# Usage: bench/pool/tenancy.sh [seconds-per-slice] [rounds]   (defaults 3 9)
set -euo pipefail
slice=${1:-3} rounds=${2:-9}
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -q -pl bench/tenancy -am package -DskipTests -Dspotless.check.skip=true
for threads in 1 4; do
  out=$(java -cp "bench/tenancy/target/classes:$(cat bench/tenancy/target/classpath.txt)" \
    dev.strata.bench.tenancy.TenancyBench "$slice" "$threads" "$rounds" paired 2>/dev/null)
  python3 - "$threads" "$out" <<'PY'
import re, statistics as st, sys
threads, out = sys.argv[1], sys.argv[2]
# time per tx, inTenant / reference, each round's transactions alternated one by one
ratios = sorted(float(x) for x in re.search(r"\(ratios: \[([^\]]*)\]\)", out).group(1).split(","))
ref = [1e6 * int(threads) / float(x) for x in re.search(r"reference us/tx \[([^\]]*)\]", out).group(1).split(",")]
q = st.quantiles(ratios, n=4)
gap = 1.10 - st.median(ratios)
print(f"  {threads} thread(s), {len(ratios)} rounds: inTenant/reference time per tx median"
      f" {st.median(ratios):.3f}, min-max {ratios[0]:.3f}-{ratios[-1]:.3f}, IQR {q[0]:.3f}-{q[2]:.3f};"
      f" reference median {st.median(ref):.0f} tx/s;"
      f" goal <= 1.10 {'met' if q[2] <= 1.10 else 'not met' if q[0] > 1.10 else 'undecided'}"
      f" (IQR {'clear of' if q[2] <= 1.10 or q[0] > 1.10 else 'straddles'} the goal)")
PY
done
