#!/usr/bin/env python3
"""The jsonl source finishes every run: jsonl -> jsonl over one file, many times.

    jsonl_repeat_runs_test.py GRAPH_RUNNER WORKDIR

A source waiting for a block being parsed ahead used to wait in the graph's own task arena,
where its thread could take its own input node's next task, whose lock the waiting call held:
the run hung now and then when oneTBB left the source a single thread (seen under an
address-space limit, as the bench runs it: one run in 15 to 40 of 18 MB; this test's 40 runs
caught it about half the time). Each run here must end within a time limit and write every
line back.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "bench"))
import bench  # noqa: E402  (its generator of JSON lines with 10 keys)

exe, workdir = sys.argv[1], sys.argv[2]
os.makedirs(workdir, exist_ok=True)
# Under AddressSanitizer (the asan preset sets ASAN_OPTIONS) the shadow memory needs far more
# address space than the cap, and runs are slower: fewer runs, no cap.
SANITIZED = "ASAN_OPTIONS" in os.environ
RUNS, LINES, LIMIT_S = (6, 20_000, 60) if SANITIZED else (40, 100_000, 30)

data = os.path.join(workdir, "events.jsonl")
with open(data, "w") as f:
    bench.sparse_events(f, LINES, 10)
out = os.path.join(workdir, "out.jsonl")
graph = os.path.join(workdir, "graph.toml")
with open(graph, "w") as f:
    f.write(f'[graph]\nbatch_size = 256\n[sources.lines]\nplugin = "jsonl"\npath = "{data}"\n'
            f'[sinks.out]\nplugin = "jsonl"\ninputs = ["lines"]\npath = "{out}"\n')
cap = [] if SANITIZED else ["prlimit", f"--as={4 << 30}", "--"]
for k in range(RUNS):
    try:
        p = subprocess.run(cap + [exe, "run", graph, "--quiet"], capture_output=True, text=True, timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAIL: run {k + 1} of {RUNS} did not end within {LIMIT_S} s (a deadlock)")
    if p.returncode != 0:
        sys.exit(f"FAIL: run {k + 1}: exit {p.returncode}, expected 0\n{p.stderr[-2000:]}")
    with open(data, "rb") as a, open(out, "rb") as b:
        if a.read() != b.read():
            sys.exit(f"FAIL: run {k + 1}: the output is not the input line for line")
print(f"{RUNS} runs of {LINES} lines: each ended and wrote every line back")
