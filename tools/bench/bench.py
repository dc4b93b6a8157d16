#!/usr/bin/env python3
"""graph-runner's benchmark suite (run it with `make bench`; see docs/performance.md).

Runs every workload against its baselines in the same session, alternating them round by
round (A B A B ...) because this kind of machine changes speed by up to 2x within minutes,
and quotes each ratio as the median of per-round ratios. Prints one table and writes it,
with every raw run, as JSON under tools/bench/results/.

Usage: tools/bench/bench.py [--build-dir build/release] [--rounds 5] [--quick]
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GRAPHS = os.path.join(HERE, "graphs")
SEED_RECORDS = 10_000_000


class Runner:
    """Runs programs and measures wall time, CPU time and peak RSS of each."""

    def __init__(self, build_dir, go_binary):
        self.gr = os.path.join(build_dir, "bin", "graph-runner")
        self.plugins = os.path.join(build_dir, "tools", "bench", "plugins")
        self.baselines = os.path.join(build_dir, "tools", "bench")
        self.go = go_binary
        self.runs = []  # every run, for the JSON file

    def run(self, name, cmd, keep_stdout=400):
        before = os.times()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        out, err = proc.communicate()
        wall = time.perf_counter() - start
        after = os.times()  # the reaped child's CPU time is added to our children's
        cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
        out = out.decode(errors="replace")
        if proc.returncode != 0:
            sys.exit(f"bench: {name} failed (exit {proc.returncode}): {' '.join(cmd)}\n{out}{err.decode(errors='replace')}")
        checksums = re.findall(r"checksum ([0-9a-f]{16})", out)
        records = [int(n) for n in re.findall(r"(\d+) records", out)]
        result = {"name": name, "wall_s": wall, "cpu_s": cpu, "checksums": checksums, "records": records,
                  "stdout": out.strip()[-keep_stdout:]}
        self.runs.append(result)
        return result

    def rss_kb(self, name, cmd):
        """Runs under /usr/bin/time -v and returns (result, peak RSS in KiB)."""
        with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
            result = self.run(name, ["/usr/bin/time", "-v", "-o", f.name] + cmd)
            text = f.read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        result["max_rss_kb"] = int(m.group(1)) if m else None
        return result, result["max_rss_kb"]

    def graph(self, name, graph, *sets):
        cmd = [self.gr, "run", graph, "--quiet", "--plugin-path", self.plugins]
        for s in sets:
            cmd += ["--set", s]
        return self.run(name, cmd)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def same_checksum(results, label):
    sums = {r["checksums"][0] if r["checksums"] else None for r in results}
    if len(sums) != 1 or None in sums:
        sys.exit(f"bench: {label}: checksums differ: " + ", ".join(f"{r['name']}={r['checksums']}" for r in results))
    return sums.pop()


def seed_sets(total):
    n = [total // 3 + (1 if i < total % 3 else 0) for i in range(3)]
    return [f"sources.s{i + 1}.count={n[i]}" for i in range(3)]


def bench_seed(r, rounds, records):
    """Seed pipeline: graph (compiled stages), graph (expressions), oneTBB, loop, Go x2."""
    sets = seed_sets(records)
    programs = {
        "graph_compiled": lambda: r.graph("graph_compiled", os.path.join(GRAPHS, "seed_compiled.toml"), *sets),
        "tbb": lambda: r.run("tbb", [os.path.join(r.baselines, "tbb_seed"), str(records)]),
        "tbb_batches": lambda: r.run("tbb_batches", [os.path.join(r.baselines, "tbb_seed_batches"), str(records)]),
        "graph_expr": lambda: r.graph("graph_expr", os.path.join(GRAPHS, "seed_expressions.toml"), *sets),
        "loop": lambda: r.run("loop", [os.path.join(r.baselines, "loop_seed"), str(records)]),
        "go_record": lambda: r.run("go_record", [r.go, "-records", str(records), "-mode", "record"]),
        "go_slice": lambda: r.run("go_slice", [r.go, "-records", str(records), "-mode", "slice"]),
    }
    names = list(programs)
    times = {n: [] for n in names}
    cpu = {n: [] for n in names}
    checksum = None
    for k in range(rounds):
        order = names[k % len(names):] + names[:k % len(names)]  # rotate: no program always first
        results = [programs[n]() for n in order]
        checksum = same_checksum(results, "seed pipeline")
        for res in results:
            times[res["name"]].append(res["wall_s"])
            cpu[res["name"]].append(res["cpu_s"])
    ratio = lambda a, b: median([times[b][i] / times[a][i] for i in range(rounds)])  # speed of a over b
    out = {"records": records, "checksum": checksum,
           "records_per_s": {n: records / median(times[n]) for n in names},
           "wall_s": {n: median(times[n]) for n in names},
           "cpu_s": {n: median(cpu[n]) for n in names},
           "ratios": {
               "compiled_vs_tbb": ratio("graph_compiled", "tbb"),
               "compiled_vs_tbb_batches": ratio("graph_compiled", "tbb_batches"),
               "tbb_batches_vs_tbb": ratio("tbb_batches", "tbb"),
               "expr_vs_compiled": ratio("graph_expr", "graph_compiled"),
               "compiled_vs_loop": ratio("graph_compiled", "loop"),
               "tbb_vs_loop": ratio("tbb", "loop"),
               "compiled_vs_go_record": ratio("graph_compiled", "go_record"),
               "expr_vs_go_record": ratio("graph_expr", "go_record"),
               "compiled_vs_go_slice": ratio("graph_compiled", "go_slice"),
               "tbb_vs_go_record": ratio("tbb", "go_record"),
               "loop_vs_go_record": ratio("loop", "go_record"),
               "expr_vs_go_slice": ratio("graph_expr", "go_slice"),
           }}
    return out


def chain_graph(directory, hops, records):
    lines = ['[graph]', f'name = "chain-{hops}"', "", "[sources.numbers]", 'plugin = "generate"',
             f"count = {records}", ""]
    previous = "numbers"
    for i in range(hops):
        lines += [f"[stages.hop{i}]", 'plugin = "bench_pass"', f'inputs = ["{previous}"]', ""]
        previous = f"hop{i}"
    lines += ["[sinks.total]", 'plugin = "bench_discard"', f'inputs = ["{previous}"]', ""]
    path = os.path.join(directory, f"chain_{hops}.toml")
    with open(path, "w") as f:
        f.write("# Benchmark: generate -> N x bench_pass -> bench_discard (written by bench.py)\n")
        f.write("\n".join(lines))
    return path


def bench_hops(r, rounds, records, directory):
    """Per-hop overhead: chains of 0 (the reference), 1, 4, 16 pass-through stages."""
    chains = [0, 1, 4, 16]
    paths = {h: chain_graph(directory, h, records) for h in chains}
    wall = {h: [] for h in chains}
    cpu = {h: [] for h in chains}
    for k in range(rounds):
        for h in chains:
            res = r.graph(f"chain_{h}", paths[h])
            if res["records"][:1] != [records]:
                sys.exit(f"bench: chain {h} delivered {res['records']} records, expected {records}")
            wall[h].append(res["wall_s"])
            cpu[h].append(res["cpu_s"])
    out = {"records": records, "per_hop": {}}
    for h in chains[1:]:
        out["per_hop"][h] = {
            "wall_ns_per_record_hop": median([(wall[h][i] - wall[0][i]) * 1e9 / (records * h) for i in range(rounds)]),
            "cpu_ns_per_record_hop": median([(cpu[h][i] - cpu[0][i]) * 1e9 / (records * h) for i in range(rounds)]),
            "records_per_s": records / median(wall[h]),
        }
    out["chain_0_records_per_s"] = records / median(wall[0])
    return out


def bench_fan(r, rounds):
    out = {}
    for name, graph, records, sinks in [("fan_out_1x4", "fan_out.toml", 4_000_000, 4),
                                        ("fan_in_8x1", "fan_in.toml", 8_000_000, 1)]:
        walls = []
        for _ in range(rounds):
            res = r.graph(name, os.path.join(GRAPHS, graph))
            if res["records"] != [records if sinks == 1 else records] * sinks:
                sys.exit(f"bench: {name} delivered {res['records']}, expected {sinks} x {records}")
            if name.startswith("fan_out") and len(set(res["checksums"])) != 1:
                sys.exit(f"bench: {name}: the sinks saw different records: {res['checksums']}")
            walls.append(res["wall_s"])
        out[name] = {"source_records": records, "sinks": sinks, "wall_s": median(walls),
                     "source_records_per_s": records / median(walls),
                     "delivered_records_per_s": records * sinks / median(walls)}
    return out


def bench_cpu_heavy(r, rounds, records):
    graph = os.path.join(GRAPHS, "cpu_heavy.toml")
    t = {1: [], 2: []}
    cpu = {1: [], 2: []}
    results = []
    for _ in range(rounds):
        for c in (1, 2):
            res = r.graph(f"cpu_heavy_c{c}", graph, f"stages.heavy.concurrency={c}", f"sources.numbers.count={records}")
            t[c].append(res["wall_s"])
            cpu[c].append(res["cpu_s"])
            results.append(res)
    same_checksum(results, "cpu-heavy")
    # What two cores give right now: two copies of the single-threaded loop side by side
    # against one alone (2.0 on an idle 2-core machine; less when neighbours take a core).
    loop = [os.path.join(r.baselines, "loop_seed"), "3000000"]
    machine = []
    for _ in range(rounds):
        one = r.run("loop_alone", loop)["wall_s"]
        start = time.perf_counter()
        pair = [subprocess.Popen(loop, stdout=subprocess.DEVNULL) for _ in range(2)]
        if any(p.wait() != 0 for p in pair):
            sys.exit("bench: loop_seed failed")
        machine.append(2 * one / (time.perf_counter() - start))
    # CPU time per record says how heavy the stage is even when the machine is loaded.
    return {"records": records, "us_per_record_c1": median(t[1]) * 1e6 / records,
            "cpu_us_per_record_c1": median(cpu[1]) * 1e6 / records,
            "cpu_us_per_record_c2": median(cpu[2]) * 1e6 / records,
            "speedup_c2_vs_c1": median([t[1][i] / t[2][i] for i in range(rounds)]),
            "machine_two_process_speedup": median(machine)}


def bench_backpressure(r, rounds):
    graph = os.path.join(GRAPHS, "backpressure.toml")
    rss = {1: [], 10: []}
    for _ in range(rounds):
        for m in (1, 10):
            cmd = [r.gr, "run", graph, "--quiet", "--plugin-path", r.plugins, "--set",
                   f"sources.numbers.count={m * 1_000_000}"]
            _, kb = r.rss_kb(f"backpressure_{m}M", cmd)
            rss[m].append(kb)
    return {"rss_1M_kb": median(rss[1]), "rss_10M_kb": median(rss[10]),
            "ratio_10M_vs_1M": median([rss[10][i] / rss[1][i] for i in range(rounds)])}


def bench_batch_sweep(r, sizes):
    graph = os.path.join(GRAPHS, "latency.toml")
    out = []
    for size in sizes:
        records = max(100_000, min(4_000_000, size * 25_000))
        res = r.graph(f"batch_{size}", graph, f"graph.batch_size={size}", f"sources.clock.count={records}")
        m = re.search(r"latency p50 ([\d.]+) p99 ([\d.]+) max ([\d.]+) us", res["stdout"])
        out.append({"batch_size": size, "records": records, "records_per_s": records / res["wall_s"],
                    "p50_latency_us": float(m.group(1)), "p99_latency_us": float(m.group(2))})
    return out


def bench_validate(r, runs):
    walls = [r.run("validate", [r.gr, "validate", "graphs/quickstart.toml"])["wall_s"] for _ in range(runs)]
    return {"median_ms": median(walls) * 1000, "min_ms": min(walls) * 1000}


def bench_jsonl(r):
    script = os.path.join(HERE, "jsonl_read.sh")
    if not os.path.exists(script):
        return None
    # The data helper's script (issue 7): prints one line per variant, "... <wall> s <N> MB/s ...".
    env_cmd = ["env", "SIZE_MB=200", "ROUNDS=5", "bash", script, r.gr]
    res = r.run("jsonl_read", env_cmd)
    out = {"output": res["stdout"][-600:]}
    for line in res["stdout"].splitlines():
        m = re.match(r"\s*(graph-runner read_jsonl, \d+ cores?|read_jsonl alone \(no sink work\), \d+ cores?)\s+[\d.]+ s\s+(\d+) MB/s.*?(\d+) MB/CPU-s", line)
        if m:
            out[m.group(1)] = float(m.group(2))
            out[m.group(1) + " per CPU-second"] = float(m.group(3))
    return out


def bench_jsonl_bad(r):
    """read_jsonl on 0.5 % truncated lines against the clean file (issue 13: target <= 1.3x)."""
    script = os.path.join(HERE, "jsonl_bad_lines.sh")
    res = r.run("jsonl_bad_lines", ["env", "LINES=200000", "ROUNDS=5", "bash", script, r.gr])
    out = {"output": res["stdout"][-600:]}
    for line in res["stdout"].splitlines():
        m = re.match(r"bad / clean: ([\d.]+)x", line)
        if m:
            out["bad_vs_clean"] = float(m.group(1))
        m = re.match(r"(garbage(?:_one_line)?)\s+([\d.]+) CPU-s", line)
        if m:
            out[m.group(1) + "_cpu_s"] = float(m.group(2))
    return out


def bench_http(r, rounds, records, seconds):
    """Issue 16. The `http` sink to a loopback server (tools/bench/http_sink.py: generate ->
    http, batch 500, concurrency 1 and 4); `http_server` ingest from 4 keep-alive Python
    clients (tools/bench/http_ingest.py: 2,000-record bodies -> count), ack end_to_end and
    on_receive. Alternated round by round; medians."""
    sink_cmd = lambda c: [sys.executable, os.path.join(HERE, "http_sink.py"), r.gr, "--records", str(records),
                          "--batch", "500", "--concurrency", str(c), "--json"]
    ingest_cmd = lambda ack: [sys.executable, os.path.join(HERE, "http_ingest.py"), r.gr, "--ack", ack,
                              "--records", "2000", "--clients", "4", "--seconds", str(seconds), "--json"]
    runs = {("sink", 1): [], ("sink", 4): [], ("ingest", "end_to_end"): [], ("ingest", "on_receive"): []}
    keys = list(runs)
    for k in range(rounds):
        for kind, what in keys[k % len(keys):] + keys[:k % len(keys)]:  # rotate: none always first
            cmd = sink_cmd(what) if kind == "sink" else ingest_cmd(what)
            res = r.run(f"http_{kind}_{what}", cmd, keep_stdout=4000)
            runs[(kind, what)].append(json.loads(res["stdout"].splitlines()[-1]))
    med = lambda xs, key: median([x[key] for x in xs])
    return {"sink_records": records, "ingest_seconds": seconds,
            "sink": {c: {key: med(runs[("sink", c)], key)
                         for key in ("records_per_s", "requests_per_s", "mb_per_s", "server_cpu_share")} for c in (1, 4)},
            "ingest": {ack: {key: med(runs[("ingest", ack)], key)
                             for key in ("mb_per_s", "requests_per_s", "records_per_s", "p50_ms", "p99_ms")}
                       for ack in ("end_to_end", "on_receive")}}


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(), "loadavg_start": os.getloadavg()}


def target(ok):
    return "met" if ok else "MISSED"


def table(res):
    s, h, rows = res["seed"], res["hops"], []
    rps = s["records_per_s"]
    q = s["ratios"]
    rows.append((f"seed pipeline, {s['records'] / 1e6:g}M records (records/s, medians)", ""))
    for n, label in [("graph_compiled", "graph, compiled stages"), ("graph_expr", "graph, filter/map expressions"),
                     ("tbb", "(a) hand-written oneTBB"),
                     ("tbb_batches", "(a') hand-written oneTBB, graph-runner batches"), ("loop", "(b) single-threaded loop"),
                     ("go_record", "(c) Go, a record per message"), ("go_slice", "(c) Go, a slice per message")]:
        rows.append((f"  {label}", f"{rps[n] / 1e6:8.2f} M/s   {s['wall_s'][n]:6.2f} s wall {s['cpu_s'][n]:6.2f} s CPU"))
    rows.append(("ratios (median of per-round ratios)", ""))
    rows.append(("  compiled / oneTBB            (target >= 0.8)", f"{q['compiled_vs_tbb']:6.2f}x  {target(q['compiled_vs_tbb'] >= 0.8)}"))
    rows.append(("  compiled / oneTBB with graph-runner batches (engine cost)", f"{q['compiled_vs_tbb_batches']:6.2f}x"))
    rows.append(("  oneTBB with graph-runner batches / oneTBB (record format cost)", f"{q['tbb_batches_vs_tbb']:6.2f}x"))
    rows.append(("  expressions / compiled       (target >= 0.5)", f"{q['expr_vs_compiled']:6.2f}x  {target(q['expr_vs_compiled'] >= 0.5)}"))
    rows.append(("  compiled / Go record         (target >= 10)", f"{q['compiled_vs_go_record']:6.2f}x  {target(q['compiled_vs_go_record'] >= 10)}"))
    rows.append(("  expressions / Go record      (target >= 10)", f"{q['expr_vs_go_record']:6.2f}x  {target(q['expr_vs_go_record'] >= 10)}"))
    rows.append(("  (a) oneTBB / Go record (what hand-written C++ reaches)", f"{q['tbb_vs_go_record']:6.2f}x"))
    rows.append(("  (b) loop / Go record", f"{q['loop_vs_go_record']:6.2f}x"))
    rows.append(("  compiled / Go slice", f"{q['compiled_vs_go_slice']:6.2f}x"))
    rows.append(("  compiled / loop              (goal > 1)", f"{q['compiled_vs_loop']:6.2f}x"))
    rows.append(("  oneTBB / loop", f"{q['tbb_vs_loop']:6.2f}x"))
    rows.append((f"per-hop overhead, {h['records'] / 1e6:g}M records, batch 256 (chain - no chain)", ""))
    for hops, v in h["per_hop"].items():
        rows.append((f"  {hops:>2} hops: ns/record/hop wall | cpu (target <= 10)",
                     f"{v['wall_ns_per_record_hop']:5.2f} | {v['cpu_ns_per_record_hop']:5.2f}  "
                     f"{target(v['wall_ns_per_record_hop'] <= 10)}"))
    for name, v in res["fan"].items():
        rows.append((f"{name}: source records/s (delivered)", f"{v['source_records_per_s'] / 1e6:6.2f} M/s ({v['delivered_records_per_s'] / 1e6:.2f} M/s)"))
    c = res["cpu_heavy"]
    rows.append((f"CPU-heavy stage ({c['cpu_us_per_record_c1']:.2f} us CPU/record): conc 2 / conc 1 (target >= 1.8)",
                 f"{c['speedup_c2_vs_c1']:6.2f}x  {target(c['speedup_c2_vs_c1'] >= 1.8)}"))
    rows.append(("  the machine now: 2 single-threaded processes side by side / 1 alone",
                 f"{c['machine_two_process_speedup']:6.2f}x"))
    b = res["backpressure"]
    rows.append((f"backpressure peak RSS 1M | 10M records (target ratio <= 1.1)",
                 f"{b['rss_1M_kb'] / 1024:.1f} | {b['rss_10M_kb'] / 1024:.1f} MiB = {b['ratio_10M_vs_1M']:.2f}x  {target(b['ratio_10M_vs_1M'] <= 1.1)}"))
    rows.append(("batch size sweep (max_in_flight 64): records/s, latency p50 | p99", ""))
    for v in res["batch_sweep"]:
        rows.append((f"  batch_size {v['batch_size']:>4}",
                     f"{v['records_per_s'] / 1e6:6.2f} M/s  {v['p50_latency_us']:9.1f} | {v['p99_latency_us']:9.1f} us"))
    v = res["validate"]
    rows.append(("graph-runner validate graphs/quickstart.toml (target <= 50 ms)",
                 f"{v['median_ms']:5.1f} ms (min {v['min_ms']:.1f})  {target(v['median_ms'] <= 50)}"))
    if res.get("jsonl"):
        for label, mb in res["jsonl"].items():
            if label != "output":
                unit = "MB/CPU-s" if label.endswith("per CPU-second") else "MB/s"
                sink = "" if label.startswith("read_jsonl alone") else " -> count"
                rows.append((f"JSONL {label.replace(' per CPU-second', ', per CPU-s')}{sink} (target >= 500 per core)",
                             f"{mb:6.0f} {unit}"))
    jb = res.get("jsonl_bad")
    if jb and "bad_vs_clean" in jb:
        rows.append(("JSONL 0.5 % bad lines / clean, CPU (target <= 1.3)",
                     f"{jb['bad_vs_clean']:6.2f}x  {target(jb['bad_vs_clean'] <= 1.3)}"))
        rows.append(("JSONL 10 MB of random bytes, with | without newlines",
                     f"{jb.get('garbage_cpu_s', 0):.2f} | {jb.get('garbage_one_line_cpu_s', 0):.2f} CPU-s"))
    hs = res.get("http")
    if hs:
        rows.append(("http sink -> loopback Python server, batch 500 (target >= 200 k records/s)", ""))
        for c, v in hs["sink"].items():
            rows.append((f"  concurrency {c}: records/s, requests/s (server CPU)",
                         f"{v['records_per_s'] / 1e3:7.0f} k/s {v['requests_per_s']:6.0f} req/s ({v['server_cpu_share']:.2f} core)  "
                         f"{target(v['records_per_s'] >= 200e3)}"))
        rows.append(("http_server ingest, 4 Python clients, 2,000-record bodies (target >= 100 MB/s)", ""))
        for ack, v in hs["ingest"].items():
            rows.append((f"  {ack}: MB/s, requests/s, latency p50 | p99",
                         f"{v['mb_per_s']:6.1f} MB/s {v['requests_per_s']:6.0f} req/s {v['p50_ms']:6.1f} | {v['p99_ms']:6.1f} ms  "
                         f"{target(v['mb_per_s'] >= 100)}"))
    width = max(len(a) for a, _ in rows) + 2
    return "\n".join(f"{a:<{width}}{b}" for a, b in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--go-binary", default=None, help="the Go baseline (default: BUILD/tools/bench/go_pipeline)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of A B A B pairs (default 5)")
    ap.add_argument("--quick", action="store_true", help="1/10 of the records, 2 rounds: checks the suite, not speed")
    args = ap.parse_args()
    build = os.path.abspath(args.build_dir)
    r = Runner(build, args.go_binary or os.path.join(build, "tools", "bench", "go_pipeline"))
    scale = 10 if args.quick else 1
    rounds = 2 if args.quick else args.rounds
    started = time.time()
    res = {"machine": machine(), "started": datetime.datetime.now().isoformat(timespec="seconds"), "rounds": rounds}
    with tempfile.TemporaryDirectory() as tmp:
        steps = [("seed", lambda: bench_seed(r, rounds, SEED_RECORDS // scale)),
                 ("hops", lambda: bench_hops(r, rounds, 4_000_000 // scale, tmp)),
                 ("fan", lambda: bench_fan(r, max(1, rounds - 2))),
                 ("cpu_heavy", lambda: bench_cpu_heavy(r, rounds, 400_000 // scale)),
                 ("backpressure", lambda: bench_backpressure(r, max(1, rounds - 2))),
                 ("batch_sweep", lambda: bench_batch_sweep(r, [1, 4, 16, 64, 256, 1024, 4096])),
                 ("validate", lambda: bench_validate(r, 11)),
                 ("jsonl", lambda: bench_jsonl(r)),
                 ("jsonl_bad", lambda: bench_jsonl_bad(r)),
                 ("http", lambda: bench_http(r, max(1, rounds - 2), 1_000_000 // scale, 2 if args.quick else 5))]
        for name, step in steps:
            t = time.time()
            res[name] = step()
            print(f"bench: {name} done in {time.time() - t:.0f} s (load {os.getloadavg()[0]:.1f})", file=sys.stderr)
    res["machine"]["loadavg_end"] = os.getloadavg()
    res["duration_s"] = time.time() - started
    res["runs"] = r.runs
    text = table(res)
    res["table"] = text
    print(text)
    print(f"\n{res['machine']['nproc']} x {res['machine']['cpu']}; load average at start "
          f"{res['machine']['loadavg_start'][0]:.1f}, at end {res['machine']['loadavg_end'][0]:.1f}; "
          f"{res['duration_s']:.0f} s")
    results = os.path.join(HERE, "results")
    os.makedirs(results, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in (os.path.join(results, f"bench-{stamp}.json"), os.path.join(results, "latest.json")):
        with open(path, "w") as f:
            json.dump(res, f, indent=1)
    print(f"written: tools/bench/results/bench-{stamp}.json")


if __name__ == "__main__":
    main()
