#!/usr/bin/env bash
# make soak, Redis Streams part: the scale-out run at full size, then one process against two.
#   scale_out:  REDIS_SCALE_ENTRIES (default 1,000,000) entries, three graph-runner processes in
#               one consumer group, one killed with SIGKILL mid-stream; the others claim its
#               pending entries; every entry reaches a sink at least once, duplicates counted and
#               bounded by what the killed process held (tests/cli/redis/redis_stream_test.py).
#   throughput: REDIS_THROUGHPUT_ENTRIES (default 1,000,000) through one process, then two.
# Environment: GRAPH_RUNNER (default build/dev/bin/graph-runner), SOAK_DIR (default build/soak).
set -euo pipefail
cd "$(dirname "$0")/.."
runner=${GRAPH_RUNNER:-build/dev/bin/graph-runner}
dir=${SOAK_DIR:-build/soak}/redis
mkdir -p "$dir"
export REDIS_SCALE_ENTRIES=${REDIS_SCALE_ENTRIES:-1000000}
export REDIS_THROUGHPUT_ENTRIES=${REDIS_THROUGHPUT_ENTRIES:-1000000}
python3 tests/cli/redis/redis_stream_test.py "$runner" "$dir/scale_out" scale_out
python3 tests/cli/redis/redis_stream_test.py "$runner" "$dir/throughput" throughput
