#!/usr/bin/env python3
"""graph-runner's benchmark suite (run it with `make bench`; see docs/performance.md).

Runs every workload against its baselines in the same session, alternating them round by
round (A B A B ...) because this kind of machine changes speed by up to 2x within minutes,
and quotes each ratio as the median of per-round ratios. Prints one table and writes it,
with every raw run, as JSON under tools/bench/results/.

Usage: tools/bench/bench.py [--build-dir build/release] [--rounds 5] [--quick] [--only NAME[,NAME]]
"""
import argparse
import collections
import datetime
import filecmp
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GRAPHS = os.path.join(HERE, "graphs")
sys.path.insert(0, HERE)
import adaptive  # noqa: E402  (tools/bench/adaptive.py: the issue 18 workloads)
SEED_RECORDS = 10_000_000
# The workloads, in the order they run (--only picks some).
STEPS = ["seed", "hops", "fan", "cpu_heavy", "backpressure", "batch_sweep", "validate", "jsonl", "jsonl_bad", "http",
         "jsonl_nested", "sparse_keys", "batch_one", "fan_out_hop", "map_exprs", "adaptive", "record_language"]


class Runner:
    """Runs programs and measures wall time, CPU time and peak RSS of each."""

    def __init__(self, build_dir, go_binary):
        self.gr = os.path.join(build_dir, "bin", "graph-runner")
        self.plugins = os.path.join(build_dir, "tools", "bench", "plugins")
        self.baselines = os.path.join(build_dir, "tools", "bench")
        self.go = go_binary
        self.runs = []  # every run, for the JSON file

    def run(self, name, cmd, keep_stdout=400, check=True):
        """Runs cmd; stops the bench if it fails, unless check is False (then see "exit")."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)  # in microseconds (os.times: 10 ms ticks)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        out, err = proc.communicate()
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the reaped child's CPU time is added to our children's
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        out, err = out.decode(errors="replace"), err.decode(errors="replace")
        if proc.returncode != 0 and check:
            sys.exit(f"bench: {name} failed (exit {proc.returncode}): {' '.join(cmd)}\n{out}{err}")
        checksums = re.findall(r"checksum ([0-9a-f]{16})", out)
        records = [int(n) for n in re.findall(r"(\d+) records", out)]
        result = {"name": name, "wall_s": wall, "cpu_s": cpu, "checksums": checksums, "records": records,
                  "stdout": out.strip()[-keep_stdout:], "exit": proc.returncode}
        if proc.returncode != 0:
            result["stderr"] = err.strip()[-keep_stdout:]
        self.runs.append(result)
        return result

    def rss_kb(self, name, cmd, check=True):
        """Runs under /usr/bin/time -v and returns (result, peak RSS in KiB)."""
        with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
            result = self.run(name, ["/usr/bin/time", "-v", "-o", f.name] + cmd, check=check)
            text = f.read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        result["max_rss_kb"] = int(m.group(1)) if m else None
        m = re.search(r"Command terminated by signal (\d+)", text)
        result["signal"] = int(m.group(1)) if m else None
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
    native = os.path.join(r.baselines, "tbb_seed_native")
    if os.path.exists(native):  # (a) built with -march=native: a reference (see CMakeLists.txt)
        programs["tbb_native"] = lambda: r.run("tbb_native", [native, str(records)])
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
    if "tbb_native" in programs:
        out["ratios"]["compiled_vs_tbb_native"] = ratio("graph_compiled", "tbb_native")
        out["ratios"]["tbb_native_vs_tbb"] = ratio("tbb_native", "tbb")
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


def bench_adaptive(r, rounds, scale, directory):
    """Issue 18: adaptive concurrency, a CPU stage and an http sink (tools/bench/adaptive.py)."""
    return {"cpu": adaptive.bench_cpu(r.gr, r.plugins, directory, rounds, 600_000 // scale),
            "http": adaptive.bench_http(r.gr, directory, rounds, 10_000 // scale)}


def bench_record_language(r, rounds, records):
    """Issue 15: `method == "POST" && starts_with(path, "/api")` and a regex filter over parsed event
    records, the language against a hand-written C++ loop on the same columns (target >= 0.7x)."""
    exe = os.path.join(r.baselines, "expr_filter")
    out = subprocess.run([exe, "--records", str(records), "--rounds", str(2 * rounds + 1)],
                         check=True, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        m = re.match(r"(.+?)\s+language\s+([\d.]+) M.*hand-written\s+([\d.]+) M.*ratio ([\d.]+)", line)
        if m:
            res[m.group(1)] = {"language_mrps": float(m.group(2)), "hand_mrps": float(m.group(3)), "ratio": float(m.group(4))}
    return res


def record_language_rows(res):
    rows = [("record language filters, 1 M parsed events: language | hand-written C++ (target >= 0.7x)", "")] if res else []
    for name, v in res.items():
        rows.append((f"  {name}", f"{v['language_mrps']:6.1f} | {v['hand_mrps']:6.1f} M records/s  ratio {v['ratio']:.2f}  "
                                  f"{target(v['ratio'] >= 0.7)}"))
    return rows


# --- Issue 14 (SDK 2.0) workloads: measured before and after the record format changes. ---

def alternate(rounds, programs):
    """Runs every program once per round, the order rotated each round (A B C, B C A, ...: none
    always first), and returns {name: [result of each round]}."""
    names = list(programs)
    out = {n: [] for n in names}
    for k in range(rounds):
        for n in names[k % len(names):] + names[:k % len(names)]:
            out[n].append(programs[n]())
    return out


def per_round(results, key):
    return [res[key] for res in results]


def write_graph(directory, name, text):
    path = os.path.join(directory, f"{name}.toml")
    with open(path, "w") as f:
        f.write(f"# Benchmark graph written by tools/bench/bench.py\n{text.strip()}\n")
    return path


def cached(path, write):
    """Makes the data file `path` with write(file) unless it is there already (from an earlier
    run: the generators are deterministic, so the same name holds the same bytes)."""
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".part", "w") as f:
            write(f)
        os.replace(path + ".part", path)
    return path


def nested_events(f, size_bytes):
    """Event lines with a nested object and an array, ~200 bytes each, e.g.
    {"ts":"2026-12-05T10:00:00.123Z","host":"web-3","method":"GET","path":"/api/v1/items/123",
     "status":200,"bytes":5123,"user":{"id":123,"country":"DE","tags":["a","b"]},"latency_ms":12.5,"cached":false}.
    random.Random's getrandbits is the same on every Python 3, so the file is too."""
    rng = random.Random(14)
    methods = ["GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"]
    statuses = [200] * 9 + [201, 204, 304, 400, 404, 500, 503]
    countries = ["DE", "FR", "US", "GB", "JP", "BR", "IN", "ES", "IT", "NL", "PL", "SE"]
    tags = ["a", "b", "beta", "mobile", "vip", "trial", "eu", "app"]
    paths = ["/api/v1/items/{}", "/api/v1/users/{}/orders", "/static/img/{}.png", "/search?q=item{}&page=2"]
    written = i = 0
    while written < size_bytes:
        lines = []
        for _ in range(10000):
            b = rng.getrandbits(64)
            ms = i * 7
            user_tags = ",".join(f'"{tags[(b >> (44 + 3 * t)) % 8]}"' for t in range((b >> 36) % 4))
            lines.append(
                f'{{"ts":"2026-12-05T{10 + ms // 3_600_000 % 14:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}Z",'
                f'"host":"web-{b % 16}","method":"{methods[(b >> 4) % 8]}",'
                f'"path":"{paths[(b >> 7) % 4].format((b >> 9) % 100_000)}","status":{statuses[(b >> 26) % 16]},'
                f'"bytes":{(b >> 30) % 200_000},"user":{{"id":{(b >> 12) % 1_000_000},"country":"{countries[(b >> 32) % 12]}",'
                f'"tags":[{user_tags}]}},"latency_ms":{(b >> 40) % 50_000 / 100},"cached":{"true" if b >> 63 else "false"}}}\n')
            i += 1
        text = "".join(lines)
        f.write(text)
        written += len(text)


def bench_jsonl_nested(r, rounds, size_mb, work, directory):
    """Issue 14: the `jsonl` source -> count on event lines with nested objects and arrays, on one
    core (pinned, --threads 1) and on all, against simdjson's iterate_many reading the same file on
    one core and touching every value (tools/bench/baselines/simdjson_iterate_many.cpp)."""
    data = cached(os.path.join(work, f"nested-{size_mb}MB-v1.jsonl"), lambda f: nested_events(f, size_mb * 1_000_000))
    mb = os.path.getsize(data) / 1e6
    with open(data, "rb") as f:
        lines = sum(1 for _ in f)
    graph = lambda threads: write_graph(directory, f"nested_{threads}", f"""
[graph]
batch_size = 1024
[sources.events]
plugin = "jsonl"
path = "{data}"
threads = {threads}
[sinks.total]
plugin = "count"
inputs = ["events"]""")
    one, all_cores = graph(1), graph(0)
    pin = ["taskset", "-c", "0"]
    run = alternate(rounds, {
        "one_core": lambda: r.run("nested_1core", pin + [r.gr, "run", one, "--quiet", "--threads", "1"]),
        "all_cores": lambda: r.run("nested_all_cores", [r.gr, "run", all_cores, "--quiet"]),
        "simdjson": lambda: r.run("nested_simdjson", pin + [os.path.join(r.baselines, "simdjson_iterate_many"), data]),
    })
    for name, results in run.items():
        for res in results:
            if res["records"][:1] != [lines]:
                sys.exit(f"bench: nested JSONL {name} saw {res['records']} records, the file has {lines} lines")
    wall = {n: per_round(v, "wall_s") for n, v in run.items()}
    cpu = {n: per_round(v, "cpu_s") for n, v in run.items()}
    return {"mb": mb, "lines": lines, "cpus": os.cpu_count(),
            "mb_per_s": {n: mb / median(wall[n]) for n in run},
            "mb_per_cpu_s": {n: mb / median(cpu[n]) for n in run},
            "one_core_vs_simdjson": median([s / o for s, o in zip(wall["simdjson"], wall["one_core"])]),
            "all_vs_one_core": median([o / a for o, a in zip(wall["one_core"], wall["all_cores"])])}


# Caps of the sparse-keys runs: today's batches hold a column per key seen anywhere in them,
# so a run can take GBs of memory and write GBs of nulls.
# mem_gib: address space (prlimit --as); file_gib: the output file (prlimit --fsize: SIGXFSZ
# past it); seconds: wall time (timeout -s KILL). --quick uses the smaller ones.
Caps = collections.namedtuple("Caps", "mem_gib file_gib seconds")
SPARSE_CAPS = Caps(4, 1, 120)
SPARSE_CAPS_QUICK = Caps(2, 0.5, 60)


def sparse_events(f, lines, names):
    """`lines` JSON lines of 10 keys each, the keys drawn from `names` distinct names
    ("k000000" ...; with names = 10 every line has k000000..k000009), values ints and strings."""
    rng = random.Random(1400)
    for i in range(lines):
        keys = []
        while len(keys) < 10:
            k = rng.getrandbits(32) % names if names > 10 else len(keys)
            if k not in keys:
                keys.append(k)
        values = [str(rng.getrandbits(20)) if j % 3 else f'"s{rng.getrandbits(16):05d}"' for j in range(10)]
        f.write("{" + ",".join(f'"k{k:06d}":{v}' for k, v in zip(keys, values)) + "}\n")


def capped_run(r, name, cmd, caps):
    """Runs cmd under /usr/bin/time -v with the sparse-keys caps; returns (result, status):
    "ok", "over time cap", "over output cap", "over memory cap" or "failed (exit N)"."""
    limits = ["timeout", "-s", "KILL", str(caps.seconds), "prlimit", f"--as={int(caps.mem_gib * 2**30)}",
              f"--fsize={int(caps.file_gib * 2**30)}", "--"]
    res, _ = r.rss_kb(name, limits + cmd, check=False)
    if res["exit"] == 0:
        return res, "ok"
    if res["wall_s"] >= caps.seconds:
        return res, f"over time cap ({caps.seconds} s)"
    if res["signal"] == signal.SIGXFSZ or "File too large" in res.get("stderr", ""):
        return res, f"over output cap ({caps.file_gib:g} GiB)"
    if "alloc" in res.get("stderr", "") or "memory" in res.get("stderr", "") or res["signal"] in (signal.SIGSEGV, signal.SIGABRT):
        return res, f"over memory cap ({caps.mem_gib:g} GiB)"
    return res, f"failed (exit {res['exit']})"


def bench_sparse_keys(r, rounds, lines, work, directory, caps):
    """Issue 14: jsonl -> jsonl (a file) on lines of 10 keys drawn from 100,000 names against the
    same number of lines with 10 fixed keys: wall time and peak RSS (target: sparse within 2x of
    fixed), and whether batch_size 1 and 256 write the same bytes."""
    data = {kind: cached(os.path.join(work, f"{kind}-keys-{lines}-v1.jsonl"), lambda f, n=names: sparse_events(f, lines, n))
            for kind, names in (("sparse", 100_000), ("fixed", 10))}
    outputs = os.path.join(work, "sparse_out")
    os.makedirs(outputs, exist_ok=True)

    def run(kind, batch):
        out = os.path.join(outputs, f"{kind}-{batch}.jsonl")
        graph = write_graph(directory, f"keys_{kind}_{batch}", f"""
[graph]
batch_size = {batch}
[sources.lines]
plugin = "jsonl"
path = "{data[kind]}"
[sinks.out]
plugin = "jsonl"
inputs = ["lines"]
path = "{out}"
""")
        res, status = capped_run(r, f"keys_{kind}_{batch}", [r.gr, "run", graph, "--quiet"], caps)
        res["status"] = status
        res["output_bytes"] = os.path.getsize(out) if os.path.exists(out) else 0
        return res

    try:
        run_256 = alternate(rounds, {kind: lambda kind=kind: run(kind, 256) for kind in data})
        out = {"lines": lines, "caps": caps._asdict()}
        for kind, results in run_256.items():
            one = run(kind, 1)
            if one["status"] != "ok" or results[-1]["status"] != "ok":  # a partial file: nothing to compare
                same = "over cap: " + "; ".join(f"batch {n}: {v['status']}" for n, v in ((1, one), (256, results[-1]))
                                                if v["status"] != "ok")
            else:
                same = "identical" if filecmp.cmp(os.path.join(outputs, f"{kind}-1.jsonl"),
                                                  os.path.join(outputs, f"{kind}-256.jsonl"), shallow=False) else "DIFFERENT"
            statuses = sorted({res["status"] for res in results})
            out[kind] = {"input_mb": os.path.getsize(data[kind]) / 1e6, "wall_s": median(per_round(results, "wall_s")),
                         "max_rss_kb": median(per_round(results, "max_rss_kb")),
                         "status": "ok" if statuses == ["ok"] else ", ".join(s for s in statuses if s != "ok"),
                         "output_mb": results[-1]["output_bytes"] / 1e6,
                         "batch_1": {"wall_s": one["wall_s"], "max_rss_kb": one["max_rss_kb"], "status": one["status"],
                                     "output_mb": one["output_bytes"] / 1e6},
                         "batch_1_vs_256_output": same}
        out["rss_sparse_vs_fixed"] = median([s["max_rss_kb"] / f["max_rss_kb"]
                                             for s, f in zip(run_256["sparse"], run_256["fixed"])])
        return out
    finally:
        shutil.rmtree(outputs, ignore_errors=True)  # GBs of nulls today


def bench_batch_one(r, rounds, records, latency_records):
    """Issue 14, a batch of one: the seed pipeline at graph.batch_size = 1 (max_in_flight 64, as
    the batch sweep) against a oneTBB graph passing single records (tbb_seed_records) and Go's
    record per message; p50/p99 latency of latency.toml at batch_size 1. Also (a') at batch
    size 1: the same oneTBB graph as (a1) carrying graph-runner's batches of one record, with no
    engine. graph / (a'1) is what the engine costs over hand-written oneTBB with the same
    records; (a'1) / (a1) what a batch of one costs as a record format."""
    one = ["graph.batch_size=1", "graph.max_in_flight=64"]
    sets = seed_sets(records) + one
    run = alternate(rounds, {
        "graph_compiled": lambda: r.graph("batch1_compiled", os.path.join(GRAPHS, "seed_compiled.toml"), *sets),
        "graph_expr": lambda: r.graph("batch1_expr", os.path.join(GRAPHS, "seed_expressions.toml"), *sets),
        "tbb_records": lambda: r.run("tbb_records", [os.path.join(r.baselines, "tbb_seed_records"), str(records), "64"]),
        "tbb_batches_one": lambda: r.run("tbb_batches_one",
                                         [os.path.join(r.baselines, "tbb_seed_batches"), str(records), "1", "64"]),
        "go_record": lambda: r.run("batch1_go_record", [r.go, "-records", str(records), "-mode", "record"]),
        "latency": lambda: r.graph("batch1_latency", os.path.join(GRAPHS, "latency.toml"), *one,
                                   f"sources.clock.count={latency_records}"),
    })
    latency = run.pop("latency")
    for k in range(rounds):
        same_checksum([v[k] for v in run.values()], "batch of one")
    wall = {n: per_round(v, "wall_s") for n, v in run.items()}
    ratio = lambda a, b: median([tb / ta for ta, tb in zip(wall[a], wall[b])])  # speed of a over b
    p = [re.search(r"latency p50 ([\d.]+) p99 ([\d.]+) max", res["stdout"]) for res in latency]
    return {"records": records, "latency_records": latency_records,
            "records_per_s": {n: records / median(wall[n]) for n in wall},
            "cpu_us_per_record": {n: median(per_round(v, "cpu_s")) * 1e6 / records for n, v in run.items()},
            "ratios": {"compiled_vs_tbb_records": ratio("graph_compiled", "tbb_records"),
                       "compiled_vs_go_record": ratio("graph_compiled", "go_record"),
                       "expr_vs_tbb_records": ratio("graph_expr", "tbb_records"),
                       "expr_vs_go_record": ratio("graph_expr", "go_record"),
                       "compiled_vs_tbb_batches_one": ratio("graph_compiled", "tbb_batches_one"),
                       "tbb_batches_one_vs_tbb_records": ratio("tbb_batches_one", "tbb_records")},
            "p50_latency_us": median([float(m.group(1)) for m in p]),
            "p99_latency_us": median([float(m.group(2)) for m in p])}


def ratio(a, b):
    return a / b if b > 0 else float("nan")


def delta_ns(results, reference, records, units):
    """Per round, (time - reference time) per record per unit in ns, wall and CPU."""
    return {kind: [(a[f"{kind}_s"] - b[f"{kind}_s"]) * 1e9 / (records * units) for a, b in zip(results, reference)]
            for kind in ("wall", "cpu")}


def bench_fan_out_hop(r, rounds, records, directory):
    """Issue 14: generate -> 1 and -> 4 bench_discard sinks: what each extra consumer costs per
    record (target <= 2 ns: the batch is shared, no record data moves)."""
    def graph(n):
        sinks = "".join(f'\n[sinks.d{i}]\nplugin = "bench_discard"\ninputs = ["numbers"]\n' for i in range(n))
        return write_graph(directory, f"fan_out_{n}", f'[sources.numbers]\nplugin = "generate"\ncount = {records}\n{sinks}')
    paths = {n: graph(n) for n in (1, 4)}
    run = alternate(rounds, {n: lambda n=n: r.graph(f"fan_out_hop_{n}", paths[n]) for n in paths})
    for n, results in run.items():
        for res in results:
            if res["records"] != [records] * n:
                sys.exit(f"bench: fan-out 1 -> {n} delivered {res['records']}, expected {n} x {records}")
    per = delta_ns(run[4], run[1], records, 3)
    return {"records": records, "per_extra_consumer": {f"{kind}_ns": median(v) for kind, v in per.items()},
            "records_per_s": {n: records / median(per_round(v, "wall_s")) for n, v in run.items()}}


MAP_EXPRESSIONS = [1, 10, 100]


def bench_map_exprs(r, rounds, records, directory):
    """Issue 14: generate -> map with 1, 10 and 100 `set` expressions (each a new field,
    x_i = value * 2 + i) -> bench_discard, against generate -> bench_discard with as many records:
    ns per expression per record (today a map copies the batch once per expression; target: the
    same at 100 as at 1). One expression runs over 10x the records, so that its difference from
    the reference stands well above the noise."""
    count = lambda n: records * (10 if n == 1 else 1)

    def graph(n):
        sets = ", ".join(f'x{i} = "value * 2 + {i}"' for i in range(n))
        stage = f'[stages.exprs]\nplugin = "map"\ninputs = ["numbers"]\nset = {{ {sets} }}\n' if n else ""
        return write_graph(directory, f"map_{n}", f"""
[sources.numbers]
plugin = "generate"
count = {count(n)}
{stage}
[sinks.total]
plugin = "bench_discard"
inputs = ["{'exprs' if n else 'numbers'}"]""")
    paths = {n: graph(n) for n in [0] + MAP_EXPRESSIONS}
    programs = {n: lambda n=n: r.graph(f"map_{n}", paths[n]) for n in MAP_EXPRESSIONS}
    programs["reference"] = lambda: r.graph("map_0", paths[0])
    programs["reference_10x"] = lambda: r.graph("map_0_10x", paths[0], f"sources.numbers.count={count(1)}")
    run = alternate(rounds, programs)
    for n, results in run.items():
        want = count(1) if n in (1, "reference_10x") else records
        if any(res["records"] != [want] for res in results):
            sys.exit(f"bench: map {n} delivered {[res['records'] for res in results]}, expected {want}")
    per = {n: delta_ns(run[n], run["reference_10x" if n == 1 else "reference"], count(n), n) for n in MAP_EXPRESSIONS}
    # The figure at 1 carries the map stage's own cost (a hop, the batch it makes); what one
    # expression adds is the slope: from 1 to 10 expressions, and from 10 to 100.
    slope = lambda a, b, kind: [(pb * b - pa * a) / (b - a) for pa, pb in zip(per[a][kind], per[b][kind])]
    return {"records": {n: count(n) for n in MAP_EXPRESSIONS},
            "per_expression": {n: {f"{kind}_ns": median(v) for kind, v in per[n].items()} for n in MAP_EXPRESSIONS},
            "ratio_100_vs_1": {kind: ratio(median(per[100][kind]), median(per[1][kind])) for kind in ("wall", "cpu")},
            "added_1_to_10_ns": {kind: median(slope(1, 10, kind)) for kind in ("wall", "cpu")},
            "added_10_to_100_ns": {kind: median(slope(10, 100, kind)) for kind in ("wall", "cpu")},
            "added_ratio": {kind: median([ratio(y, x) for x, y in zip(slope(1, 10, kind), slope(10, 100, kind))])
                            for kind in ("wall", "cpu")}}


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


def sdk2_rows(res):
    """The table's rows of the issue-14 workloads (those that ran)."""
    rows = []
    n = res.get("jsonl_nested")
    if n:
        one, two, simd = (n["mb_per_s"][k] for k in ("one_core", "all_cores", "simdjson"))
        rows.append((f"nested JSONL, {n['mb']:.0f} MB, {n['lines']:,} lines, batch 1024: MB/s | MB per CPU-s", ""))
        rows.append(("  read_jsonl -> count, 1 core (target >= 800 MB/s per core)",
                     f"{one:6.0f} | {n['mb_per_cpu_s']['one_core']:6.0f}  {target(one >= 800)}"))
        rows.append((f"  read_jsonl -> count, {n['cpus']} cores", f"{two:6.0f} | {n['mb_per_cpu_s']['all_cores']:6.0f}"))
        rows.append(("  simdjson iterate_many, every value touched, 1 core", f"{simd:6.0f} | {n['mb_per_cpu_s']['simdjson']:6.0f}"))
        rows.append(("  read_jsonl -> count 1 core / simdjson iterate_many (target: 800 MB/s per core)",
                     f"{n['one_core_vs_simdjson']:6.2f}x"))
        rows.append((f"  {n['cpus']} cores / 1 core (target >= 1.6)",
                     f"{n['all_vs_one_core']:6.2f}x  {target(n['all_vs_one_core'] >= 1.6)}"))
    k = res.get("sparse_keys")
    if k:
        rows.append((f"sparse keys, jsonl -> jsonl file, {k['lines']:,} lines: wall, peak RSS, output (batch 256)", ""))
        for kind, label in (("sparse", "10 keys of 100,000 names"), ("fixed", "10 fixed keys")):
            v = k[kind]
            rows.append((f"  {label} ({v['input_mb']:.1f} MB)",
                         f"{v['wall_s']:6.2f} s {v['max_rss_kb'] / 1024:7.1f} MiB -> {v['output_mb']:7.1f} MB  {v['status']}"))
        over = k["sparse"]["status"] != "ok"
        rows.append(("  peak RSS sparse / fixed (target <= 2)",
                     f"{k['rss_sparse_vs_fixed']:6.2f}x  " + ("over cap" if over else target(k["rss_sparse_vs_fixed"] <= 2))))
        for kind in ("sparse", "fixed"):
            v = k[kind]
            rows.append((f"  {kind}: output at batch_size 1 and 256 (batch 1: {v['batch_1']['wall_s']:.2f} s, "
                         f"{v['batch_1']['max_rss_kb'] / 1024:.0f} MiB, {v['batch_1']['output_mb']:.1f} MB)",
                         v["batch_1_vs_256_output"]))
    o = res.get("batch_one")
    if o:
        rows.append((f"batch of one: seed pipeline at graph.batch_size = 1 (max_in_flight 64), {o['records'] / 1e6:g}M records", ""))
        for name, label in (("graph_compiled", "graph, compiled stages"), ("graph_expr", "graph, filter/map expressions"),
                            ("tbb_records", "(a1) hand-written oneTBB, a record per message"),
                            ("tbb_batches_one", "(a'1) the same oneTBB graph, graph-runner batches of one record"),
                            ("go_record", "(c) Go, a record per message")):
            if name not in o["records_per_s"]:
                continue  # (a'1) in results from before it was measured
            rows.append((f"  {label}", f"{o['records_per_s'][name] / 1e6:6.2f} M/s {o['cpu_us_per_record'][name]:6.2f} us CPU/record"))
        for key, label in (("compiled_vs_tbb_records", "compiled / oneTBB per record"),
                           ("compiled_vs_go_record", "compiled / Go record"),
                           ("expr_vs_tbb_records", "expressions / oneTBB per record"),
                           ("expr_vs_go_record", "expressions / Go record")):
            rows.append((f"  {label} (target >= 1.0)", f"{o['ratios'][key]:6.2f}x  {target(o['ratios'][key] >= 1.0)}"))
        if "compiled_vs_tbb_batches_one" in o["ratios"]:  # results from before (a'1) have no such ratio
            rows.append(("  compiled / (a'1): the engine over hand-written oneTBB, same records",
                         f"{o['ratios']['compiled_vs_tbb_batches_one']:6.2f}x"))
            rows.append(("  (a'1) / (a1): a batch of one as a record format against a struct",
                         f"{o['ratios']['tbb_batches_one_vs_tbb_records']:6.2f}x"))
        rows.append((f"  latency at batch_size 1 (latency.toml, {o['latency_records']:,} records): p50 | p99",
                     f"{o['p50_latency_us']:9.1f} | {o['p99_latency_us']:9.1f} us"))
    f = res.get("fan_out_hop")
    if f:
        v = f["per_extra_consumer"]
        rows.append((f"fan-out generate -> 1 vs 4 bench_discard, {f['records'] / 1e6:g}M records: "
                     "ns/record per extra consumer, wall | CPU (target <= 2, CPU)",
                     f"{v['wall_ns']:5.2f} | {v['cpu_ns']:5.2f}  {target(v['cpu_ns'] <= 2)}"))
    m = res.get("map_exprs")
    if m:
        rows.append(("map with N set expressions -> bench_discard: ns per expression per record, wall | CPU", ""))
        for count, v in m["per_expression"].items():
            rows.append((f"  {count:>3} expression{'s' if int(count) > 1 else ''}, {m['records'][count] / 1e6:g}M records",
                         f"{v['wall_ns']:6.2f} | {v['cpu_ns']:6.2f}"))
        q = m["ratio_100_vs_1"]
        rows.append(("  per expression, 100 / 1 (the figure at 1 holds the map stage's own cost)",
                     f"{q['wall']:5.2f} | {q['cpu']:5.2f}x"))
        a, b, q = m["added_1_to_10_ns"], m["added_10_to_100_ns"], m["added_ratio"]
        rows.append(("  one more expression, from 1 to 10 | from 10 to 100: ns/record, CPU",
                     f"{a['cpu']:6.2f} | {b['cpu']:6.2f}"))
        rows.append(("  one more expression, 10 to 100 / 1 to 10 (target: the same, <= 1.1 CPU)",
                     f"{q['wall']:5.2f} | {q['cpu']:5.2f}x  {target(q['cpu'] <= 1.1)}"))
    if rows:
        rows.insert(0, ("SDK 2.0 workloads (issue 14)", ""))
    return rows


def table(res):
    rows = []
    if res.get("seed"):
        s = res["seed"]
        rps = s["records_per_s"]
        q = s["ratios"]
        rows.append((f"seed pipeline, {s['records'] / 1e6:g}M records (records/s, medians)", ""))
        for n, label in [("graph_compiled", "graph, compiled stages"), ("graph_expr", "graph, filter/map expressions"),
                         ("tbb", "(a) hand-written oneTBB"),
                         ("tbb_native", "(a) built with -march=native (a reference)"),
                         ("tbb_batches", "(a') hand-written oneTBB, graph-runner batches"), ("loop", "(b) single-threaded loop"),
                         ("go_record", "(c) Go, a record per message"), ("go_slice", "(c) Go, a slice per message")]:
            if n not in rps:
                continue
            rows.append((f"  {label}", f"{rps[n] / 1e6:8.2f} M/s   {s['wall_s'][n]:6.2f} s wall {s['cpu_s'][n]:6.2f} s CPU"))
        rows.append(("ratios (median of per-round ratios)", ""))
        # Issue 14's targets (SDK 2.0); issue 2's were 0.8 and 0.5.
        rows.append(("  compiled / oneTBB            (target >= 1.0)", f"{q['compiled_vs_tbb']:6.2f}x  {target(q['compiled_vs_tbb'] >= 1.0)}"))
        if "compiled_vs_tbb_native" in q:
            rows.append(("  compiled / oneTBB built with -march=native (count's loops use AVX-512/AVX2 at run time)",
                         f"{q['compiled_vs_tbb_native']:6.2f}x"))
        rows.append(("  compiled / oneTBB with graph-runner batches (engine cost)", f"{q['compiled_vs_tbb_batches']:6.2f}x"))
        rows.append(("  oneTBB with graph-runner batches / oneTBB (record format cost, target >= 0.9)",
                     f"{q['tbb_batches_vs_tbb']:6.2f}x  {target(q['tbb_batches_vs_tbb'] >= 0.9)}"))
        rows.append(("  expressions / compiled       (target >= 0.9)", f"{q['expr_vs_compiled']:6.2f}x  {target(q['expr_vs_compiled'] >= 0.9)}"))
        rows.append(("  compiled / Go record         (target >= 10)", f"{q['compiled_vs_go_record']:6.2f}x  {target(q['compiled_vs_go_record'] >= 10)}"))
        rows.append(("  expressions / Go record      (target >= 10)", f"{q['expr_vs_go_record']:6.2f}x  {target(q['expr_vs_go_record'] >= 10)}"))
        rows.append(("  (a) oneTBB / Go record (what hand-written C++ reaches)", f"{q['tbb_vs_go_record']:6.2f}x"))
        rows.append(("  (b) loop / Go record", f"{q['loop_vs_go_record']:6.2f}x"))
        rows.append(("  compiled / Go slice", f"{q['compiled_vs_go_slice']:6.2f}x"))
        rows.append(("  compiled / loop              (goal > 1)", f"{q['compiled_vs_loop']:6.2f}x"))
        rows.append(("  oneTBB / loop", f"{q['tbb_vs_loop']:6.2f}x"))
    if res.get("hops"):
        h = res["hops"]
        rows.append((f"per-hop overhead, {h['records'] / 1e6:g}M records, batch 256 (chain - no chain)", ""))
        for hops, v in h["per_hop"].items():
            rows.append((f"  {hops:>2} hops: ns/record/hop wall | cpu (target <= 10)",
                         f"{v['wall_ns_per_record_hop']:5.2f} | {v['cpu_ns_per_record_hop']:5.2f}  "
                         f"{target(v['wall_ns_per_record_hop'] <= 10)}"))
    if res.get("fan"):
        for name, v in res["fan"].items():
            rows.append((f"{name}: source records/s (delivered)", f"{v['source_records_per_s'] / 1e6:6.2f} M/s ({v['delivered_records_per_s'] / 1e6:.2f} M/s)"))
    if res.get("cpu_heavy"):
        c = res["cpu_heavy"]
        rows.append((f"CPU-heavy stage ({c['cpu_us_per_record_c1']:.2f} us CPU/record): conc 2 / conc 1 (target >= 1.8)",
                     f"{c['speedup_c2_vs_c1']:6.2f}x  {target(c['speedup_c2_vs_c1'] >= 1.8)}"))
        rows.append(("  the machine now: 2 single-threaded processes side by side / 1 alone",
                     f"{c['machine_two_process_speedup']:6.2f}x"))
    if res.get("backpressure"):
        b = res["backpressure"]
        rows.append((f"backpressure peak RSS 1M | 10M records (target ratio <= 1.1)",
                     f"{b['rss_1M_kb'] / 1024:.1f} | {b['rss_10M_kb'] / 1024:.1f} MiB = {b['ratio_10M_vs_1M']:.2f}x  {target(b['ratio_10M_vs_1M'] <= 1.1)}"))
    if res.get("batch_sweep"):
        rows.append(("batch size sweep (max_in_flight 64): records/s, latency p50 | p99", ""))
        for v in res["batch_sweep"]:
            rows.append((f"  batch_size {v['batch_size']:>4}",
                         f"{v['records_per_s'] / 1e6:6.2f} M/s  {v['p50_latency_us']:9.1f} | {v['p99_latency_us']:9.1f} us"))
    if res.get("validate"):
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
    rows += sdk2_rows(res)
    rows += adaptive.rows(res.get("adaptive") or {})
    rows += record_language_rows(res.get("record_language") or {})
    width = max(len(a) for a, _ in rows) + 2
    return "\n".join(f"{a:<{width}}{b}" for a, b in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--go-binary", default=None, help="the Go baseline (default: BUILD/tools/bench/go_pipeline)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of A B A B pairs (default 5)")
    ap.add_argument("--quick", action="store_true", help="1/10 of the records, 2 rounds: checks the suite, not speed")
    ap.add_argument("--only", default="", metavar="NAME[,NAME]",
                    help="run only these workloads: " + ", ".join(STEPS) + " (then, as with --quick, latest.json is left alone)")
    ap.add_argument("--work-dir", default=None,
                    help="where generated data files are kept between runs (default: BUILD/tools/bench/work)")
    args = ap.parse_args()
    only = [n for n in args.only.split(",") if n]
    unknown = [n for n in only if n not in STEPS]
    if unknown:
        ap.error(f"--only: no workload {', '.join(unknown)}; there are {', '.join(STEPS)}")
    build = os.path.abspath(args.build_dir)
    work = os.path.abspath(args.work_dir or os.path.join(build, "tools", "bench", "work"))
    r = Runner(build, args.go_binary or os.path.join(build, "tools", "bench", "go_pipeline"))
    scale = 10 if args.quick else 1
    rounds = 2 if args.quick else args.rounds
    started = time.time()
    res = {"machine": machine(), "started": datetime.datetime.now().isoformat(timespec="seconds"), "rounds": rounds}
    if only:
        res["only"] = only
    with tempfile.TemporaryDirectory() as tmp:
        steps = {"seed": lambda: bench_seed(r, rounds, SEED_RECORDS // scale),
                 "hops": lambda: bench_hops(r, rounds, 4_000_000 // scale, tmp),
                 "fan": lambda: bench_fan(r, max(1, rounds - 2)),
                 "cpu_heavy": lambda: bench_cpu_heavy(r, rounds, 400_000 // scale),
                 "backpressure": lambda: bench_backpressure(r, max(1, rounds - 2)),
                 "batch_sweep": lambda: bench_batch_sweep(r, [1, 4, 16, 64, 256, 1024, 4096]),
                 "validate": lambda: bench_validate(r, 11),
                 "jsonl": lambda: bench_jsonl(r),
                 "jsonl_bad": lambda: bench_jsonl_bad(r),
                 "http": lambda: bench_http(r, max(1, rounds - 2), 1_000_000 // scale, 2 if args.quick else 5),
                 # Issue 14 (SDK 2.0): docs/performance.md, "SDK 2.0 workloads".
                 "jsonl_nested": lambda: bench_jsonl_nested(r, rounds, 200 // scale, work, tmp),
                 "sparse_keys": lambda: bench_sparse_keys(r, max(1, rounds - 2), 100_000 // (5 * scale if args.quick else 1), work, tmp,
                                                          SPARSE_CAPS_QUICK if args.quick else SPARSE_CAPS),
                 "batch_one": lambda: bench_batch_one(r, rounds, 1_000_000 // scale, 100_000),
                 "fan_out_hop": lambda: bench_fan_out_hop(r, rounds, 16_000_000 // scale, tmp),
                 "map_exprs": lambda: bench_map_exprs(r, rounds, 1_000_000 // scale, tmp),
                 # Issue 18: tools/bench/adaptive.py (docs/performance.md, "Adaptive concurrency").
                 "adaptive": lambda: bench_adaptive(r, max(1, rounds - 2), scale, tmp),
                 # Issue 15: the record language's filters against hand-written loops (expr_filter).
                 "record_language": lambda: bench_record_language(r, rounds, 1_000_000 // scale)}
        assert list(steps) == STEPS
        for name, step in steps.items():
            if only and name not in only:
                continue
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
    # latest.json is the last full-size run of the whole suite.
    latest = [] if only or args.quick else [os.path.join(results, "latest.json")]
    for path in [os.path.join(results, f"bench-{stamp}.json")] + latest:
        with open(path, "w") as f:
            json.dump(res, f, indent=1)
    print(f"written: tools/bench/results/bench-{stamp}.json")


if __name__ == "__main__":
    main()
