#!/usr/bin/env bash
# A strata-test stack of this checkout against one of another checkout (REF, e.g. the previous
# commit's, with its bench/testkit built: bench/testkit/run.sh there builds it), alternating JVMs
# round by round so that the machine's noise hits both alike. Prints medians and spreads.
# Usage: bench/testkit/ab.sh REF [ROUNDS] [STACKS_PER_JVM]   (defaults 4 and 3)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ref=$(cd "$1" && pwd) rounds=${2:-4} per=${3:-3}
(cd "$root" && mvn -B -q -pl bench/testkit -am package -DskipTests -Dspotless.check.skip=true)
run() {
  local cp; cp=$(IFS=:; a=("$1/bench/testkit/target/classes" "$1"/bench/testkit/target/lib/*.jar); echo "${a[*]}")
  local java=(java -cp "$cp" "$root/bench/testkit/ab/StackAB.java" "$per")
  if [[ $(id -u) == 0 ]]; then
    chmod -R o+rX "$1/bench/testkit/target" "$root/bench/testkit/ab"
    runuser -u postgres -- env HOME=/var/lib/postgresql "${java[@]}" 2>/dev/null | tail -1
  else
    "${java[@]}" 2>/dev/null | tail -1
  fi
}
declare -A t
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= rounds; i++)); do
  t[this]+="$(run "$root") "
  t[ref]+="$(run "$ref") "
done
stats() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {printf "n=%d median %d ms, min %d, max %d", NR, (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), a[1], a[NR]}'; }
echo "this checkout: $(stats "${t[this]}")"
echo "reference:     $(stats "${t[ref]}")"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
