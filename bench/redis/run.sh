#!/usr/bin/env bash
# Builds strata-redis and runs the Redis benchmark on a throwaway stack (or on $REDIS_URL if set).
# Usage: bench/redis/run.sh [seconds-per-measurement]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -q -pl bench/redis -am package -DskipTests -Dspotless.check.skip=true
exec java -cp "bench/redis/target/classes:$(cat bench/redis/target/classpath.txt)" \
  dev.strata.bench.redis.RedisBench "$@"
