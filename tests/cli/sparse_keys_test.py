#!/usr/bin/env python3
"""JSON lines with sparse keys through jsonl -> jsonl (issue 14: memory follows the data).

    sparse_keys_test.py GRAPH_RUNNER WORKDIR

30,000 lines of 10 keys each drawn from 100,000 names (`"k048064":"s15179"`, as the bench's
sparse_keys workload), against as many lines of 10 fixed keys. Both are written back byte for
byte at batch_size 256 and 1. In Release builds the peak RSS of the sparse runs must stay
within a few times that of the fixed-key run: a parsed batch holding a table of every key
ever seen made it ~2 GB at batch 256 and over 4 GB at batch 1 (100,000 lines).
"""
import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "bench"))
import bench  # noqa: E402  (its sparse_keys generator: the same lines as the workload)

exe, workdir = sys.argv[1], sys.argv[2]
os.makedirs(workdir, exist_ok=True)
LINES = 30_000
# Under AddressSanitizer (the asan test preset sets ASAN_OPTIONS) freed memory waits in its
# quarantine and the shadow memory needs terabytes of address space: RSS bounds and the
# address-space cap are for Release only.
SANITIZED = "ASAN_OPTIONS" in os.environ
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, flush=True)


def write_lines(path, names):
    """LINES lines of 10 keys drawn from `names` names: the bench's generator (bench.py)."""
    with open(path, "w") as f:
        bench.sparse_events(f, LINES, names)


def cap_address_space():
    # A regression must fail the test, not take the machine down.
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def run(data, batch):
    """Runs jsonl -> jsonl on `data` at `batch`; returns (peak RSS in KiB, output path)."""
    name = f"{os.path.basename(data)}-{batch}"
    out = os.path.join(workdir, name + ".out.jsonl")
    graph = os.path.join(workdir, name + ".toml")
    with open(graph, "w") as f:
        f.write(f'[graph]\nbatch_size = {batch}\n[sources.lines]\nplugin = "jsonl"\npath = "{data}"\n'
                f'[sinks.out]\nplugin = "jsonl"\ninputs = ["lines"]\npath = "{out}"\n')
    p = subprocess.Popen([exe, "run", graph, "--quiet"], stderr=subprocess.PIPE,
                         preexec_fn=None if SANITIZED else cap_address_space)
    _, status, usage = os.wait4(p.pid, 0)
    stderr = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        fail(f"{name}: exit {p.returncode}: {stderr[-2000:]}")
    print(f"{name}: peak RSS {usage.ru_maxrss} KiB", flush=True)
    return usage.ru_maxrss, out


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


inputs = {kind: os.path.join(workdir, f"{kind}.jsonl") for kind in ("sparse", "fixed")}
write_lines(inputs["sparse"], 100_000)
write_lines(inputs["fixed"], 10)
rss = {}
for kind, data in inputs.items():
    for batch in (256, 1):
        rss[kind, batch], out = run(data, batch)
        if os.path.exists(out) and not same_bytes(out, data):
            fail(f"{kind} keys at batch_size {batch}: the output differs from the input")

if SANITIZED:
    print("RSS bounds not checked under AddressSanitizer")
else:
    # Measured (Release, 2 cores): fixed 23 MiB at batch 256; sparse 64 MiB at 256, 102 MiB at 1.
    bound = 3 * rss["fixed", 256] + (64 << 10)
    for batch in (256, 1):
        if rss["sparse", batch] > bound:
            fail(f"sparse keys at batch_size {batch}: peak RSS {rss['sparse', batch]} KiB, more than "
                 f"{bound} KiB (3 x the fixed keys' {rss['fixed', 256]} KiB + 64 MiB)")
sys.exit(1 if failures else 0)
