#!/usr/bin/env python3
"""Load generator for the http_server source (issue 16 figures): keep-alive connections, each
POSTing the same NDJSON body again and again for a while; prints requests/s, records/s, MB/s
and the p50/p99 of the answers' latency.

    http_ingest.py GRAPH_RUNNER [--ack end_to_end|on_receive] [--records N] [--clients C] [--seconds S] [--json]

Runs `graph-runner run` on http_server (port 0, blocking) -> count, in the graph's defaults.
"""
import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time

p = argparse.ArgumentParser()
p.add_argument("graph_runner")
p.add_argument("--ack", default="end_to_end")
p.add_argument("--records", type=int, default=2000, help="records per request")
p.add_argument("--clients", type=int, default=4)
p.add_argument("--seconds", type=float, default=5)
p.add_argument("--json", action="store_true", help="print one JSON object (for tools/bench/bench.py)")
args = p.parse_args()

body = "".join(json.dumps({"id": i, "user": f"user-{i % 977}", "value": i * 0.5, "kind": "click"}) + "\n"
               for i in range(args.records)).encode()
with tempfile.TemporaryDirectory() as tmp:
    graph = os.path.join(tmp, "g.toml")
    with open(graph, "w") as f:
        f.write(f'[sources.in]\nplugin = "http_server"\nport = 0\nblocking = true\nack = "{args.ack}"\n'
                f'[sinks.n]\nplugin = "count"\ninputs = ["in"]\n')
    proc = subprocess.Popen([args.graph_runner, "run", graph], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"listening on http://([0-9.]+):(\d+)(/\S*)", line)
        if m:
            host, port, path = m[1], int(m[2]), m[3]
            break
    rest = []
    threading.Thread(target=lambda: rest.append(proc.stderr.read()), daemon=True).start()
    latencies, lock, end = [], threading.Lock(), time.monotonic() + args.seconds
    statuses = {}

    def client():
        c = http.client.HTTPConnection(host, port, timeout=30)
        mine = []
        while time.monotonic() < end:
            t0 = time.monotonic()
            c.request("POST", path, body=body, headers={"Content-Type": "application/x-ndjson"})
            r = c.getresponse()
            r.read()
            mine.append(time.monotonic() - t0)
            with lock:
                statuses[r.status] = statuses.get(r.status, 0) + 1
            if r.getheader("Connection") == "close":
                c.close()
                c = http.client.HTTPConnection(host, port, timeout=30)
        with lock:
            latencies.extend(mine)

    t0 = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    proc.send_signal(signal.SIGINT)
    proc.wait(30)
    if not latencies:
        raise SystemExit("no answer; graph-runner said:\n" + line + "".join(rest))
    latencies.sort()
    n = len(latencies)
    out = {"ack": args.ack, "clients": args.clients, "records_per_request": args.records, "body_bytes": len(body),
           "requests": n, "seconds": elapsed, "requests_per_s": n / elapsed,
           "records_per_s": n * args.records / elapsed, "mb_per_s": n * len(body) / elapsed / 1e6,
           "p50_ms": latencies[n // 2] * 1e3, "p99_ms": latencies[min(n - 1, n * 99 // 100)] * 1e3,
           "statuses": {str(k): v for k, v in statuses.items()}}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"ack={args.ack} clients={args.clients} body={len(body) / 1e6:.2f} MB ({args.records} records): "
              f"{out['requests_per_s']:.0f} requests/s, {out['records_per_s'] / 1e3:.0f} k records/s, "
              f"{out['mb_per_s']:.1f} MB/s, p50 {out['p50_ms']:.1f} ms, p99 {out['p99_ms']:.1f} ms, statuses {statuses}")
