#!/usr/bin/env bash
# make soak: the checkpoint crash loop (below), then runs tools/soak.toml for SOAK_SECONDS (default 600) while sampling the
# graph-runner process's resident memory (VmRSS in /proc/PID/status) and open file
# descriptors (/proc/PID/fd) every second. Fails when
#   - RSS grows after warm-up: RSS at the 95% mark > 1.2 x RSS at the 25% mark + 16 MiB
#     (warm-up: pools, arenas and TBB's per-thread caches fill during the first quarter);
#   - open fds grow after warm-up: fds at the 95% mark > fds at the 25% mark + 2;
#   - the run does not end by its time limit, or the accounting does not balance exactly:
#     records produced = records into sinks + records dropped (routed records reach the
#     `rejects` sink; the route stage's ports split records, never copy them).
# Environment: SOAK_SECONDS, SOAK_RATE (records/s, default 100000), GRAPH_RUNNER (binary,
# default build/dev/bin/graph-runner), SOAK_DIR (samples and metrics, default build/soak).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${SOAK_SECONDS:-600}
rate=${SOAK_RATE:-100000}
runner=${GRAPH_RUNNER:-build/dev/bin/graph-runner}
dir=${SOAK_DIR:-build/soak}
mkdir -p "$dir"

# First the checkpoint crash loop (docs/lifecycle.md): a 1 M-line file into an append sink,
# kill -9 at 20 random moments, restart: every line at least once, no torn line, duplicates
# per crash within in-flight + one checkpoint interval (the figure is printed).
python3 tests/cli/checkpoint.py "$runner" crash_loop "${SOAK_CRASH_LINES:-1000000}" "${SOAK_CRASHES:-20}" "${SOAK_SEED:-1}"
samples=$dir/samples.csv metrics=$dir/metrics.json log=$dir/run.log
echo "second,rss_kib,fds" > "$samples"

# One metrics snapshot for the whole run: the snapshot history of --metrics-json grows (up to
# its bound of 3600) by design, and would hide the engine's own memory behind it.
"$runner" run tools/soak.toml --quiet --metrics-json "$metrics" --metrics-interval "$seconds" \
  --set graph.timeout_s="$seconds" --set sources.numbers.rate="$rate" >"$log" 2>&1 &
pid=$!
echo "soak: graph-runner pid $pid for ${seconds}s at $rate records/s (samples: $samples)"
start=$SECONDS t=0 last_report=-1
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l || true)
  if [ -n "$rss" ]; then echo "$t,$rss,$fds" >> "$samples"; fi
  if ((t / 60 != last_report)); then last_report=$((t / 60)); echo "soak: ${t}s rss ${rss:-?} KiB, ${fds:-?} fds"; fi
  sleep 1
  t=$((SECONDS - start))  # wall seconds: a loaded machine may skip a sample
  if ((t > seconds + 120)); then
    echo "soak: FAILED: still running ${t}s after a ${seconds}s time limit"; kill -TERM "$pid"; exit 1
  fi
done
set +e; wait "$pid"; code=$?; set -e

python3 - "$samples" "$metrics" "$seconds" "$code" <<'PY'
import csv, json, sys
samples_path, metrics_path, seconds, code = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = [(int(r["second"]), int(r["rss_kib"]), int(r["fds"])) for r in csv.DictReader(open(samples_path))]
failures = []
def at(fraction):  # the sample nearest to that point of the run
    return min(rows, key=lambda r: abs(r[0] - fraction * seconds))
warm, end = at(0.25), at(0.95)
peak = max(r[1] for r in rows)
print(f"soak: {len(rows)} samples; at {warm[0]}s (warm) rss {warm[1]/1024:.1f} MiB, {warm[2]} fds; "
      f"at {end[0]}s (end) rss {end[1]/1024:.1f} MiB, {end[2]} fds; peak rss {peak/1024:.1f} MiB")
if end[1] > 1.2 * warm[1] + 16 * 1024:
    failures.append(f"RSS grew after warm-up: {warm[1]} KiB -> {end[1]} KiB (limit 1.2x + 16 MiB)")
if end[2] > warm[2] + 2:
    failures.append(f"open fds grew after warm-up: {warm[2]} -> {end[2]}")
m = json.load(open(metrics_path))
if code != 124 or m["status"] != "timed_out":
    failures.append(f"expected the time limit to end the run (exit 124, timed_out); got exit {code}, "
                    f"status {m['status']}: {m.get('error', '')}")
nodes = {n["name"]: n for n in m["nodes"]}
produced = m["records_produced"]
into_sinks = sum(n["records_in"] for n in nodes.values() if n["kind"] == "sink")
dropped = sum(n["dropped"] for n in nodes.values())
routed = sum(n["routed"] for n in nodes.values())
retries = sum(n["retries"] for n in nodes.values())
print(f"soak: {produced} records produced in {m['wall_seconds']:.0f}s; into sinks {into_sinks} "
      f"(rejects {nodes['rejects']['records_in']}), dropped {dropped}, routed {routed}, retries {retries}; "
      f"{m['acknowledged_batches']}/{m['source_batches']} batches acknowledged")
if produced != into_sinks + dropped:
    failures.append(f"accounting does not balance: produced {produced} != into sinks {into_sinks} + dropped {dropped}")
if routed != nodes["rejects"]["records_in"]:
    failures.append(f"routed {routed} != records into rejects {nodes['rejects']['records_in']}")
if m["acknowledged_batches"] != m["source_batches"]:
    failures.append(f"{m['source_batches'] - m['acknowledged_batches']} source batches never acknowledged")
if produced == 0 or retries == 0 or dropped == 0 or routed == 0:
    failures.append("the soak did not exercise every path (no records, retries, drops or routes)")
for f in failures:
    print("soak: FAILED:", f)
print("soak: ok" if not failures else "soak: FAILED")
sys.exit(1 if failures else 0)
PY
