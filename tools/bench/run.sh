#!/usr/bin/env bash
# make bench: installs what the benchmarks need, builds the Release preset (graph-runner,
# the bench plugins, the C++ baselines) and the Go baseline, then runs tools/bench/bench.py.
# Extra arguments go to bench.py (e.g. --quick, --rounds 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/setup.sh bench
build=build/release
cmake --preset release >/dev/null
cmake --build $build -j "$(nproc)" --target bench_programs
# Go keeps its build cache in the build tree, not in $HOME.
export GOCACHE="$PWD/$build/go-cache" GOPATH="$PWD/$build/go-path"
go build -o $build/tools/bench/go_pipeline tools/bench/baselines/go/pipeline.go
exec python3 tools/bench/bench.py --build-dir $build "$@"
