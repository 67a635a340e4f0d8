#!/usr/bin/env bash
# Builds strata-jdbc and runs the tenancy benchmark on a throwaway stack: point-select transactions
# through PgBouncer without tenant context (reference) and with it, side by side, with the ratio.
# Usage: bench/tenancy/run.sh [seconds-per-slice] [threads] [rounds]   (defaults 5 4 3)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -q -pl bench/tenancy -am package -DskipTests -Dspotless.check.skip=true
exec java -cp "bench/tenancy/target/classes:$(cat bench/tenancy/target/classpath.txt)" \
  dev.strata.bench.tenancy.TenancyBench "$@"
