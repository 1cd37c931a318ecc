#!/usr/bin/env bash
# runner serve under load (issue 17): a server process with 4 adapters on loopback, concurrent clients asking for
# mixed adapters; requests/s, images/s, p50/p99 latency, errors and the server's heap every second; p50/p99 at half
# that load; then the same workload served batched across adapters, each request alone, and by a merged model per
# adapter. Bounded: LOAD_SECONDS (30–60) for the main run, COMPARE_SECONDS per strategy; about 3 minutes in all.
#
#   bench/serve-load.sh                              # writes results/serve/{load.md,timeline.csv,batching.csv}
#   BACKEND=java LOAD_SECONDS=30 bench/serve-load.sh
#
# Settings (environment variables):
#   LOAD_SECONDS=45      the saturation run (the half-load run lasts as long, at most 30 s)
#   COMPARE_SECONDS=15   each of the three strategies
#   CLIENTS=16           concurrent clients (closed loop)
#   IMAGES=16            images per request in the main runs; COMPARE_IMAGES=4 in the comparison
#   BACKEND=             the engine; empty: the best available one, as `runner serve` picks it
#   OUT=results/serve    where the figures go
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-results/serve}
mkdir -p "$OUT"
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -ntp -q -pl toylora-runner -am test -Dtest=ServeLoadTest -Dsurefire.failIfNoSpecifiedTests=false -Dtoylora.fuzz.skip=true \
    -DexcludedGroups=mnist -Dtoylora.serve.load="${LOAD_SECONDS:-45}" -Dtoylora.serve.load.compare-seconds="${COMPARE_SECONDS:-15}" \
    -Dtoylora.serve.load.clients="${CLIENTS:-16}" -Dtoylora.serve.load.images="${IMAGES:-16}" \
    -Dtoylora.serve.load.compare-images="${COMPARE_IMAGES:-4}" -Dtoylora.serve.load.backend="${BACKEND:-}" \
    -Dtoylora.serve.load.out="$PWD/$OUT"
echo "wrote $OUT/load.md, $OUT/timeline.csv and $OUT/batching.csv"
