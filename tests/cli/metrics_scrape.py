#!/usr/bin/env python3
"""`run --metrics-listen 127.0.0.1:0`: scrape /metrics of a running graph over real HTTP
and check the Prometheus text exposition format; the server is gone when the run ends.

    metrics_scrape.py GRAPH_RUNNER GRAPH
"""
import math
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

exe, graph = sys.argv[1], sys.argv[2]
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message)


NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
HELP = re.compile(rf"# HELP ({NAME}) .+")
TYPE = re.compile(rf"# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)")
SAMPLE = re.compile(rf"({NAME})(?:\{{(.*)\}})? (\S+)")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def parse(text):
    """Every line must be HELP, TYPE or a sample; returns (types, samples)."""
    types, samples = {}, []
    for line in text.splitlines():
        if HELP.fullmatch(line):
            continue
        m = TYPE.fullmatch(line)
        if m:
            types[m[1]] = m[2]
            continue
        m = SAMPLE.fullmatch(line)
        if not m:
            fail(f"not a HELP, TYPE or sample line: {line!r}")
            continue
        labels, rest = {}, m[2] or ""
        while rest:
            lm = LABEL.match(rest)
            if not lm:
                fail(f"bad labels in {line!r}")
                break
            labels[lm[1]] = lm[2]
            rest = rest[lm.end():]
        value = float(m[3])  # float() reads +Inf and NaN too
        family = re.sub(r"_(bucket|sum|count)$", "", m[1])
        if m[1] not in types and family not in types:
            fail(f"sample {m[1]} has no TYPE line before it")
        samples.append((m[1], labels, value))
    return types, samples


proc = subprocess.Popen([exe, "run", graph, "--metrics-listen", "127.0.0.1:0", "--timeout", "30"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
url = None
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    line = proc.stderr.readline()
    if not line:
        break
    m = re.search(r"serving metrics on (http://127\.0\.0\.1:(\d+)/metrics)", line)
    if m:
        url = m[1]
        break
if not url:
    proc.kill()
    print("no 'serving metrics on http://127.0.0.1:PORT/metrics' line on stderr")
    sys.exit(1)
print("scraping", url)

# Scrape until the sink has seen records (the run is under way), with a real HTTP client.
types, samples, text = {}, [], ""
for attempt in range(100):
    with urllib.request.urlopen(url, timeout=10) as response:
        if response.status != 200:
            fail(f"HTTP {response.status}")
        content_type = response.headers.get("Content-Type", "")
        text = response.read().decode("utf-8")
    failures_before = len(failures)
    types, samples = parse(text)
    if len(failures) > failures_before:
        break
    if any(n == "graph_runner_records_in_total" and l.get("node") == "show" and v > 0 for n, l, v in samples):
        break
    time.sleep(0.1)
else:
    fail("the sink 'show' never counted a record in 10 s")

if not content_type.startswith("text/plain") or "version=0.0.4" not in content_type:
    fail(f"Content-Type {content_type!r}, expected text/plain; version=0.0.4")

expected_types = {
    "graph_runner_records_in_total": "counter", "graph_runner_records_out_total": "counter",
    "graph_runner_records_dropped_total": "counter", "graph_runner_records_routed_total": "counter",
    "graph_runner_errors_total": "counter", "graph_runner_retries_total": "counter",
    "graph_runner_batches_acknowledged_total": "counter", "graph_runner_in_flight_batches": "gauge",
    "graph_runner_max_in_flight_batches": "gauge", "graph_runner_queued_batches": "gauge",
    "graph_runner_running_calls": "gauge", "graph_runner_call_duration_seconds": "histogram",
}
for name, kind in expected_types.items():
    if types.get(name) != kind:
        fail(f"{name}: TYPE {types.get(name)!r}, expected {kind!r}")

# counters per node, with the plugin and kind labels
for name, node, plugin, kind in [("graph_runner_records_out_total", "ticks", "generate", "source"),
                                 ("graph_runner_records_in_total", "show", "stdout", "sink"),
                                 ("graph_runner_errors_total", "ticks", "generate", "source"),
                                 ("graph_runner_errors_total", "show", "stdout", "sink")]:
    if not any(n == name and l.get("node") == node and l.get("plugin") == plugin and l.get("kind") == kind
               for n, l, _ in samples):
        fail(f"no {name}{{node=\"{node}\",plugin=\"{plugin}\",kind=\"{kind}\"}}")
bound = [v for n, l, v in samples if n == "graph_runner_max_in_flight_batches" and l.get("node") == "ticks"]
if bound != [64.0]:
    fail(f"graph_runner_max_in_flight_batches of ticks: {bound}, expected [64]")

# histograms: buckets ascending in le and cumulative, +Inf equal to _count
for node in ("ticks", "show"):
    buckets = [(float(l["le"]), v) for n, l, v in samples
               if n == "graph_runner_call_duration_seconds_bucket" and l.get("node") == node]
    count = [v for n, l, v in samples if n == "graph_runner_call_duration_seconds_count" and l.get("node") == node]
    if len(buckets) < 10 or len(count) != 1:
        fail(f"{node}: {len(buckets)} buckets, {len(count)} _count samples")
        continue
    if any(b[0] <= a[0] or b[1] < a[1] for a, b in zip(buckets, buckets[1:])):
        fail(f"{node}: buckets not ascending and cumulative: {buckets}")
    if not math.isinf(buckets[-1][0]) or buckets[-1][1] != count[0]:
        fail(f"{node}: +Inf bucket {buckets[-1]} differs from _count {count[0]}")
    if count[0] <= 0:
        fail(f"{node}: no calls counted")

# the end of the run stops the server
proc.send_signal(signal.SIGINT)
try:
    rest = proc.communicate(timeout=30)[1]
except subprocess.TimeoutExpired:
    proc.kill()
    fail("graph-runner did not exit within 30 s of SIGINT")
    rest = ""
if proc.returncode != 130:
    fail(f"exit code {proc.returncode}, expected 130; stderr:\n{rest}")
try:
    urllib.request.urlopen(url, timeout=5)
    fail("/metrics still answers after the run ended")
except (urllib.error.URLError, ConnectionError):
    pass

if failures:
    print("--- last scrape ---\n" + text)
    sys.exit(1)
print(f"ok: {len(samples)} samples, {len(types)} metrics")
