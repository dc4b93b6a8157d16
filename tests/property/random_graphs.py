#!/usr/bin/env python3
"""Property test: random small graphs, run by graph-runner, checked record by record.

    random_graphs.py --graph-runner PATH [--count N] [--seed S] [--jobs J]
                     [--timeout-per-graph SECONDS] [--work DIR] [--keep]

Graph k of a run has seed S + k (graph_gen.py builds it from that number alone); each runs
with `--metrics-json`, and graph_model.py says what each of its jsonl sinks must hold. A graph
passes when graph-runner exits 0 (130 when it was sent SIGINT mid-run), every source produced
its count, every source batch was acknowledged, and every sink holds exactly the records the
model expects (order too, where the graph promises it). A run cut short by SIGINT may hold
fewer, but none twice and none the model does not allow; when it drained every batch it is
exact again, for the records each source produced. No run may die by a signal, print a
sanitizer report, or outlive --timeout-per-graph.

A failing graph is kept in WORK/seed-N/ (graph.toml, stderr, metrics, sink files) and printed
with its first differences. Replay it with --seed N --count 1.
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from graph_check import compare, read_jsonl  # noqa: E402
from graph_gen import generate  # noqa: E402
from graph_model import ModelError, expected_sinks  # noqa: E402
from graph_toml import to_toml  # noqa: E402


def features(g):
    """One line saying what a graph holds, for the list of failing seeds."""
    s = g.settings
    parts = [f"bs={s['batch_size']} mif={s['max_in_flight']}" + (f" threads={s['threads']}" if "threads" in s else "")]
    for n in g.nodes.values():
        r, p = n.reserved, n.params
        if n.kind == "source":
            extra = "".join(f" {k}={r[k]}" for k in ("batch_size", "max_in_flight", "rate", "blocking") if k in r)
            parts.append(f"{n.name}(n={p['count']}{extra})")
            continue
        desc = n.plugin
        if n.plugin == "batch":
            desc += f"(size={p['size']},t={p.get('timeout_ms', 0)})"
        if n.plugin == "chaos":
            desc += f"({r.get('on_error', 'pass')}{',' + p.get('fail', 'batch') if r.get('on_error') in ('drop', 'route') else ''})"
        shape = n.shape()
        conc = {0: "u"}.get(n.concurrency(), str(n.concurrency()))
        desc += f"[c{conc}{'' if shape == 'plain' else ',' + shape}]"
        if len(n.inputs) > 1:
            desc += "<fan-in>"
        parts.append(f"{n.name}:{desc}")
    if g.sigint:
        parts.append("SIGINT")
    return " ".join(parts)


def sanitizer_report(text):
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "ThreadSanitizer"):
        i = text.find(marker)
        if i >= 0:
            return text[i:i + 800]
    return None


def start_and_maybe_interrupt(g, cmd, out_dir, stdout, stderr, timeout):
    """Runs graph-runner; for a SIGINT graph, sends SIGINT once records reach a sink. Returns
    (process or None if it hung, whether SIGINT was sent, seconds)."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
    sent = False
    if g.sigint:
        sinks = [out_dir / f"{n.name}.jsonl" for n in g.nodes.values() if n.kind == "sink"]
        while proc.poll() is None and time.monotonic() - started < timeout:
            if any(p.exists() and p.stat().st_size > 0 for p in sinks):
                break
            time.sleep(0.005)
        time.sleep(g.sigint_delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            sent = True
    try:
        proc.wait(timeout=max(0.1, timeout - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None, sent, time.monotonic() - started
    return proc, sent, time.monotonic() - started


def check_run(g, proc, sent, out_dir, stderr_text, metrics):
    """(failures of one finished run (empty: it passed), how it ended: "completed",
    "interrupted, exact" (every batch drained) or "interrupted, partial")."""
    failures = []
    rc = proc.returncode
    if rc < 0:
        failures.append(f"graph-runner died by signal {-rc} ({signal.Signals(-rc).name})")
    report = sanitizer_report(stderr_text)
    if report:
        failures.append("sanitizer report:\n" + report)
    if rc == 2 and "max_in_flight" in stderr_text and any(n.plugin == "batch" for n in g.nodes.values()):
        # Refusing a batch stage that could starve its sources is one of the two fixes issue 13
        # allows (the other: the engine frees what it holds); the message must name the bound.
        return failures, "refused (batch bound)"
    interrupted = sent and rc == 130
    if rc >= 0 and not interrupted and rc != 0:
        failures.append(f"exit code {rc}, expected 0" + (" (SIGINT sent: 0 or 130)" if sent else ""))
    if metrics is None:
        failures.append("no --metrics-json file")
        if rc < 0 or not interrupted:
            return failures, "no metrics"
    sources = g.sources()
    counts = {s.name: s.params["count"] for s in sources}
    produced, exact, dropped = dict(counts), metrics is not None or not interrupted, None
    if metrics is not None:
        nodes = {n["name"]: n for n in metrics["nodes"]}
        dropped = {n: v["dropped"] for n, v in nodes.items()}
        status = metrics["status"]
        acked, emitted = metrics["acknowledged_batches"], metrics["source_batches"]
        if interrupted:
            produced = {s: nodes[s]["records_out"] for s in counts}
            exact = acked == emitted and status == "interrupted"
            if status != "interrupted":
                failures.append(f"exit 130 but status {status!r}, expected 'interrupted'")
            if acked != emitted and "abandoned in flight" not in stderr_text:
                # Only a cancellation (second signal, grace period over) may leave batches
                # unacknowledged, and it says so (docs/lifecycle.md).
                failures.append(f"{acked}/{emitted} batches acknowledged after a graceful stop, "
                                "with no warning of batches abandoned in flight")
        else:
            if status != "completed":
                failures.append(f"status {status!r}, expected 'completed' ({metrics.get('error', '')})")
            for s, n in counts.items():
                if nodes[s]["records_out"] != n:
                    failures.append(f"source '{s}' produced {nodes[s]['records_out']} of its {n} records")
            # Already a failure if a source stopped short; the sinks are then compared with what
            # the sources did produce, which shows the records lost inside the graph too.
            produced = {s: nodes[s]["records_out"] for s in counts}
            if acked != emitted:
                failures.append(f"{acked}/{emitted} batches acknowledged")
    got = {n.name: read_jsonl(out_dir / f"{n.name}.jsonl") for n in g.nodes.values() if n.kind == "sink"}
    probes = {(n.inputs[0][0], n.probe): got[n.name] for n in g.nodes.values() if n.probe} if exact else None
    try:
        expected = expected_sinks(g, produced, probes, dropped)
    except ModelError as e:  # a chaos stage's probes disagree with what entered it
        failures.append(str(e))
        exact = exact and not any(n.nondeterministic_chaos() for n in g.nodes.values())
        expected = expected_sinks(g, produced, None, None)
    for name, records in got.items():
        failures += compare(name, expected[name], records, exact=exact)
        if metrics is not None and nodes[name]["records_in"] != len(records):
            failures.append(f"sink '{name}': metrics count {nodes[name]['records_in']} records in, "
                            f"its file holds {len(records)}")
    outcome = "completed" if not interrupted else "interrupted, exact" if exact else "interrupted, partial"
    return failures, outcome


def run_one(seed, runner, work, timeout, keep):
    """(seed, failures, seconds, features); failures empty when the graph passed."""
    g = generate(seed)
    d = work / f"seed-{seed}"
    shutil.rmtree(d, ignore_errors=True)
    out_dir = d / "out"
    out_dir.mkdir(parents=True)
    graph_file = d / "graph.toml"
    graph_file.write_text(to_toml(g, out_dir))
    metrics_file = d / "metrics.json"
    cmd = [runner, "run", str(graph_file), "--metrics-json", str(metrics_file)]
    with open(d / "stdout.txt", "wb") as so, open(d / "stderr.txt", "wb") as se:
        proc, sent, seconds = start_and_maybe_interrupt(g, cmd, out_dir, so, se, timeout)
    stderr_text = (d / "stderr.txt").read_text(errors="replace")
    outcome = "hung"
    if proc is None:
        failures = [f"hung: still running after {timeout:.0f} s (killed)"]
    else:
        try:
            metrics = json.loads(metrics_file.read_text())
        except (OSError, ValueError):
            metrics = None
        try:
            failures, outcome = check_run(g, proc, sent, out_dir, stderr_text, metrics)
        except Exception as e:  # a bug of the checker, or output it cannot read: still a failure with a seed
            failures, outcome = [f"checker error: {type(e).__name__}: {e}"], "checker error"
    if failures:
        tail = "\n".join(stderr_text.strip().splitlines()[-8:])
        failures.append(f"stderr (last lines):\n{tail}")
    elif not keep:
        shutil.rmtree(d, ignore_errors=True)
    return seed, failures, seconds, features(g), graph_file, outcome


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graph-runner", required=True)
    ap.add_argument("--count", type=int, default=1, help="graphs to run (seeds SEED .. SEED+COUNT-1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout-per-graph", type=float, default=60.0)
    ap.add_argument("--work", help="folder for graphs and outputs (default: a temp folder)")
    ap.add_argument("--keep", action="store_true", help="keep passing graphs' folders too")
    args = ap.parse_args()
    runner = os.path.abspath(args.graph_runner)
    work = pathlib.Path(args.work or tempfile.mkdtemp(prefix="random-graphs-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    failed = []
    outcomes = collections.Counter()
    seeds = range(args.seed, args.seed + args.count)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, s, runner, work, args.timeout_per_graph, args.keep) for s in seeds]
        for f in concurrent.futures.as_completed(futures):
            seed, failures, seconds, feats, graph_file, outcome = f.result()
            outcomes[outcome] += 1
            if not failures:
                continue
            failed.append((seed, failures[0].splitlines()[0], feats))
            print(f"=== FAILED: seed {seed} ({seconds:.2f} s): {feats}", flush=True)
            print(graph_file.read_text())
            for text in failures:
                print(f"  - {text}")
            print(f"  replay: {sys.argv[0]} --graph-runner {runner} --seed {seed}  (kept in {graph_file.parent})\n",
                  flush=True)
    elapsed = time.monotonic() - started
    print(f"random graphs: {args.count - len(failed)}/{args.count} passed (seeds {args.seed}..{args.seed + args.count - 1}) "
          f"in {elapsed:.1f} s; work folder {work}")
    print("  runs: " + ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items())))
    for seed, first, feats in sorted(failed):
        print(f"  seed {seed}: {first} | {feats}")
    if not failed and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
