#!/usr/bin/env python3
"""Adaptive concurrency workloads (issue 18), alternated round by round, medians:

    tools/bench/adaptive.py [--build-dir build/release] [--rounds 3] [--only cpu|http]

cpu:  a bursty source (generate with rate + burst: 100 k records at once, then 300 k/s) ->
      bench_spin (~2 us/record) with concurrency = { min = 1, max = 2 } against a fixed 2:
      wall time, CPU time and their ratios.
http: generate -> http sink (blocking) against a loopback service whose latency rises above
      8 concurrent requests (tools/demo_service.py Crowded: 20 ms, +20 ms per request beyond,
      429 past 24): adaptive { min = 1, max = 32 } against fixed 1 and fixed 32: records/s,
      errors (429 answers, retries), and the adaptive run's concurrency trace.
bench.py runs both as its `adaptive` step.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import resource

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from demo_service import Crowded, Server  # noqa: E402

CPU_GRAPH = """
[sources.numbers]
plugin = "generate"
count = {count}
rate = 300_000
burst = 100_000
[stages.heavy]
plugin = "bench_spin"
rounds = 900
inputs = ["numbers"]
concurrency = {concurrency}
[sinks.total]
plugin = "count"
inputs = ["heavy"]
"""

HTTP_GRAPH = """
[graph]
batch_size = 50
[sources.numbers]
plugin = "generate"
count = {count}
[sinks.upload]
plugin = "http"
inputs = ["numbers"]
url = "{url}"
blocking = true
concurrency = {concurrency}
retries = 20
backoff_ms = 20
"""


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def run(gr, work, name, text, args=()):
    path = os.path.join(work, name + ".toml")
    metrics = os.path.join(work, name + ".json")
    with open(path, "w") as f:
        f.write(text)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run([gr, "run", path, "--quiet", "--metrics-json", metrics, *args], capture_output=True, text=True,
                       env=dict(os.environ, no_proxy="127.0.0.1,localhost"))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"adaptive bench: {name} failed (exit {p.returncode}):\n{p.stderr[-2000:]}")
    return {"wall_s": wall, "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "metrics": json.load(open(metrics))}


def alternate(rounds, programs):
    names, out = list(programs), {n: [] for n in programs}
    for k in range(rounds):
        for n in names[k % len(names):] + names[:k % len(names)]:
            out[n].append(programs[n]())
    return out


def bench_cpu(gr, plugins, work, rounds, count):
    args = ("--plugin-path", plugins)
    programs = {c: (lambda c=c: run(gr, work, "cpu_" + c[0], CPU_GRAPH.format(count=count, concurrency=c[1]), args))
                for c in [("adaptive", "{ min = 1, max = 2 }"), ("fixed2", "2")]}
    res = alternate(rounds, {k[0]: v for k, v in programs.items()})
    a, f = res["adaptive"], res["fixed2"]
    return {"records": count,
            "wall_s": {"adaptive": median([x["wall_s"] for x in a]), "fixed2": median([x["wall_s"] for x in f])},
            "cpu_s": {"adaptive": median([x["cpu_s"] for x in a]), "fixed2": median([x["cpu_s"] for x in f])},
            "wall_ratio": median([a[i]["wall_s"] / f[i]["wall_s"] for i in range(rounds)]),
            "cpu_ratio": median([a[i]["cpu_s"] / f[i]["cpu_s"] for i in range(rounds)]),
            "adaptive_final_concurrency": [x["metrics"]["nodes"][1]["concurrency_now"] for x in a]}


def bench_http(gr, work, rounds, count, capacity=8):
    def one(name, concurrency):
        rec = Crowded(capacity)
        with Server(rec) as s:
            r = run(gr, work, "http_" + name, HTTP_GRAPH.format(count=count, url=s.url(), concurrency=concurrency),
                    ("--metrics-interval", "0.1"))
        node = r["metrics"]["nodes"][1]
        trace = [snap["nodes"]["upload"].get("concurrency") for snap in r["metrics"]["snapshots"]]
        return {"records_per_s": count / r["wall_s"], "refused_429": rec.refused, "retries": node["retries"],
                "errors": node["errors"], "most_at_once": rec.max_in_flight, "trace": [t for t in trace if t is not None]}

    res = alternate(rounds, {"adaptive": lambda: one("adaptive", "{ min = 1, max = 32 }"),
                             "fixed1": lambda: one("fixed1", "1"), "fixed32": lambda: one("fixed32", "32")})
    out = {"records": count, "capacity": capacity}
    for name, runs in res.items():
        out[name] = {k: median([x[k] for x in runs]) for k in ("records_per_s", "refused_429", "retries", "errors",
                                                               "most_at_once")}
    out["adaptive"]["trace"] = res["adaptive"][-1]["trace"]
    out["adaptive_vs_fixed1"] = median([a["records_per_s"] / b["records_per_s"]
                                        for a, b in zip(res["adaptive"], res["fixed1"])])
    out["adaptive_vs_fixed32"] = median([a["records_per_s"] / b["records_per_s"]
                                         for a, b in zip(res["adaptive"], res["fixed32"])])
    return out


def rows(res):
    out = []
    if "cpu" in res:
        c = res["cpu"]
        out.append((f"adaptive CPU stage: bursty source -> bench_spin, {c['records'] / 1e3:g} k records", ""))
        for k, label in (("adaptive", "{ min = 1, max = 2 }"), ("fixed2", "concurrency = 2")):
            out.append((f"  {label}", f"{c['wall_s'][k]:6.2f} s wall {c['cpu_s'][k]:6.2f} s CPU"))
        out.append(("  adaptive / fixed 2 (median of per-round ratios)",
                    f"wall {c['wall_ratio']:.2f}x  CPU {c['cpu_ratio']:.2f}x"))
    if "http" in res:
        h = res["http"]
        out.append((f"adaptive http sink: service slower above {h['capacity']} requests, 429 past "
                    f"{3 * h['capacity']}; {h['records'] / 1e3:g} k records, batch 50", ""))
        for k, label in (("adaptive", "{ min = 1, max = 32 }"), ("fixed1", "concurrency = 1"), ("fixed32", "concurrency = 32")):
            v = h[k]
            out.append((f"  {label}: records/s, 429s, retries, most at once",
                        f"{v['records_per_s']:8.0f}/s {v['refused_429']:5.0f} {v['retries']:5.0f} {v['most_at_once']:4.0f}"))
        out.append(("  adaptive / fixed 1, adaptive / fixed 32",
                    f"{h['adaptive_vs_fixed1']:.2f}x  {h['adaptive_vs_fixed32']:.2f}x"))
        out.append(("  adaptive concurrency trace (every 0.1 s, last round)", " ".join(map(str, h["adaptive"]["trace"]))))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", choices=["cpu", "http"])
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line too")
    args = ap.parse_args()
    gr = os.path.join(args.build_dir, "bin", "graph-runner")
    plugins = os.path.join(args.build_dir, "tools", "bench", "plugins")
    res = {}
    with tempfile.TemporaryDirectory() as work:
        if args.only in (None, "cpu"):
            res["cpu"] = bench_cpu(gr, plugins, work, args.rounds, 600_000)
        if args.only in (None, "http"):
            res["http"] = bench_http(gr, work, args.rounds, 10_000)
    r = rows(res)
    width = max(len(a) for a, _ in r) + 2
    print("\n".join(f"{a:<{width}}{b}" for a, b in r))
    if args.json:
        print(json.dumps(res))


if __name__ == "__main__":
    main()
