#!/usr/bin/env python3
"""Adaptive concurrency of a blocking http sink against a service with a capacity:

    adaptive_http_test.py GRAPH_RUNNER WORKDIR

The service (tools/demo_service.py Crowded) answers in 20 ms up to CAPACITY requests at once,
slower with each request beyond, and 429 far beyond. The sink has concurrency = { min = 1,
max = 16 }: its limit must settle near CAPACITY (the median of the second half of the
--metrics-json trace), never pass 16, and every record must arrive exactly once. Bands, not
timings: it must pass on a loaded 2-core machine.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from demo_service import Crowded, Server  # noqa: E402
from loopback_run import run_graph  # noqa: E402

GR, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
CAPACITY, COUNT, MAX = 4, 3000, 16
failures = []


def check(ok, what, expected, got):
    if not ok:
        failures.append(f"{what}: expected {expected}, got {got}")


rec = Crowded(CAPACITY)
with Server(rec) as s:
    p = run_graph(GR, WORK, f"""
[graph]
batch_size = 10
[sources.numbers]
plugin = "generate"
count = {COUNT}
[sinks.upload]
plugin = "http"
inputs = ["numbers"]
url = "{s.url()}"
blocking = true
concurrency = {{ min = 1, max = {MAX} }}
retries = 10
backoff_ms = 10
""", args=("--metrics-interval", "0.05"))

check(p.returncode == 0, "exit code", 0, f"{p.returncode}: {p.stderr[-2000:]}")
upload = p.nodes.get("upload", {})
trace = [snap["nodes"]["upload"]["concurrency"] for snap in p.metrics.get("snapshots", [])
         if "concurrency" in snap["nodes"].get("upload", {})]
print("concurrency trace:", trace)
print("server: most requests at once", rec.max_in_flight, "refused (429)", rec.refused)
check(upload.get("concurrency") == MAX and upload.get("concurrency_min") == 1, "metrics: the range", (1, MAX),
      (upload.get("concurrency_min"), upload.get("concurrency")))
check(1 <= upload.get("concurrency_now", 0) <= MAX, "metrics: concurrency_now within the range", f"1..{MAX}",
      upload.get("concurrency_now"))
check(len(trace) >= 6, "snapshots with the node's concurrency", ">= 6", len(trace))
check(trace and max(trace) <= MAX, "the limit never passes max", f"<= {MAX}", max(trace or [0]))
check(rec.max_in_flight <= MAX, "requests the server saw at once", f"<= {MAX}", rec.max_in_flight)
tail = sorted(trace[len(trace) // 2:])
median = tail[len(tail) // 2] if tail else 0
check(2 <= median <= 2 * CAPACITY, "median limit over the second half (near the capacity)",
      f"2..{2 * CAPACITY}", median)
ids = sorted(int(line.split('"id":')[1].split(",")[0].split("}")[0])
             for r in rec.ok_bodies() for line in r["body"].decode().splitlines())
check(ids == list(range(1, COUNT + 1)) or ids == list(range(COUNT)), "every record delivered exactly once",
      f"{COUNT} distinct ids", f"{len(ids)} records, {len(set(ids))} distinct")
summary = [line for line in p.stderr.splitlines() if line.startswith("upload ")]
check(summary and "~" in summary[0], "the summary shows the adaptive limit (~N)", "a '~N' in the conc column", summary)

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print("ok")
