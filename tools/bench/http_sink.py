#!/usr/bin/env python3
"""The `http` sink against a loopback server (issue 16 figures): `generate` -> `http` (NDJSON,
a request per batch), and a receiving server that counts records and answers 200 at once.
Prints records/s and requests/s of the run, and how much CPU the server took.

    http_sink.py GRAPH_RUNNER [--records N] [--batch 500] [--concurrency C] [--json]

The server is Python's ThreadingHTTPServer (HTTP/1.1 keep-alive, a thread per connection) in
a process of its own: at batch 500 a request carries about 50 KB, so even 400 requests/s
(200 k records/s, the target) cost it a fraction of a core, and its CPU share is printed so
that a run where the server was the bottleneck (close to one core: the GIL) shows as such.
"""
import argparse
import http.client
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time


def serve():
    """The receiving server: POST counts records (lines), GET /stats answers the totals."""
    totals = {"requests": 0, "records": 0, "bytes": 0}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                totals["requests"] += 1
                totals["records"] += body.count(b"\n")
                totals["bytes"] += len(body)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            with lock:
                out = json.dumps(totals).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def main():
    p = argparse.ArgumentParser()
    p.add_argument("graph_runner", nargs="?")
    p.add_argument("--records", type=int, default=1_000_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        return serve()
    server = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve"], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            graph = os.path.join(tmp, "g.toml")
            with open(graph, "w") as f:
                f.write(f'[graph]\nname = "http-sink-bench"\nbatch_size = {args.batch}\n'
                        f'[sources.gen]\nplugin = "generate"\ncount = {args.records}\n'
                        f'[sinks.out]\nplugin = "http"\ninputs = ["gen"]\nurl = "http://127.0.0.1:{port}/in"\n'
                        f'blocking = true\nconcurrency = {args.concurrency}\n')
            cpu0 = cpu_seconds(server.pid)
            t0 = time.perf_counter()
            run = subprocess.run([args.graph_runner, "run", graph, "--quiet"], capture_output=True, text=True)
            wall = time.perf_counter() - t0
            server_cpu = cpu_seconds(server.pid) - cpu0
        if run.returncode != 0:
            sys.exit(f"http_sink: graph-runner failed (exit {run.returncode}):\n{run.stderr}")
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/stats")
        totals = json.loads(c.getresponse().read())
        c.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    if totals["records"] != args.records:
        sys.exit(f"http_sink: the server received {totals['records']} records, expected {args.records}")
    out = {"records": args.records, "batch": args.batch, "concurrency": args.concurrency, "wall_s": wall,
           "records_per_s": args.records / wall, "requests_per_s": totals["requests"] / wall,
           "requests": totals["requests"], "mb_per_s": totals["bytes"] / wall / 1e6,
           "server_cpu_share": server_cpu / wall}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"batch {args.batch} concurrency {args.concurrency}: {out['records_per_s'] / 1e3:.0f} k records/s, "
              f"{out['requests_per_s']:.0f} requests/s, {out['mb_per_s']:.1f} MB/s; "
              f"the server used {out['server_cpu_share']:.2f} of a core")


if __name__ == "__main__":
    main()
