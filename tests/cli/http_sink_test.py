#!/usr/bin/env python3
"""The http sink against a real server on loopback (tools/demo_service.py), one case per run:

    http_sink_test.py GRAPH_RUNNER WORKDIR CASE

Each case writes a graph, starts a recording server on a free port, runs graph-runner, and
checks what the server received (every record once, batches in order, headers, gzip, TLS)
and what the run reported (--metrics-json, exit code, stderr). Failures print expected vs got.
"""
import csv
import io
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from demo_service import Recorder, Server  # noqa: E402
from loopback_run import run_graph  # noqa: E402

GR, WORK, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(WORK, exist_ok=True)
failures = []


def check(ok, what, expected=None, got=None):
    if not ok:
        failures.append(what + ("" if expected is None and got is None else f": expected {expected!r}, got {got!r}"))


def graph(url, count=1000, batch=100, sink_keys="", source_keys="", extra=""):
    return f"""
[graph]
batch_size = {batch}
[sources.numbers]
plugin = "generate"
count = {count}
{source_keys}
[sinks.upload]
plugin = "http"
inputs = ["numbers"]
url = "{url}"
{sink_keys}
[sinks.copy]
plugin = "jsonl"
inputs = ["numbers"]
path = "{WORK}/copy.jsonl"
{extra}"""


def run(text, env=None, args=()):
    return run_graph(GR, WORK, text, env, args)


def delivered_ids(rec, parse=lambda body: [json.loads(l) for l in body.decode().splitlines()]):
    """The ids in the 2xx answered requests, in request order; also checks each batch's order."""
    ids = []
    for r in rec.ok_bodies():
        batch = [o["id"] for o in parse(r["body"])]
        check(batch == sorted(batch), "records in order within a batch", sorted(batch)[:5], batch[:5])
        ids += batch
    return ids


def check_exactly_once(rec, count, **kw):
    ids = delivered_ids(rec, **kw)
    check(len(ids) == count, "records delivered", count, len(ids))
    check(sorted(ids) == list(range(count)) or sorted(ids) == list(range(1, count + 1)),
          "every id once", f"{count} distinct ids", f"{len(set(ids))} distinct")
    return ids


def check_content_matches_copy(rec):
    """The records sent are the jsonl sink's records, text for text."""
    with open(os.path.join(WORK, "copy.jsonl")) as f:
        copy = sorted(f.read().splitlines())
    sent = sorted(line for r in rec.ok_bodies() for line in r["body"].decode().splitlines())
    check(sent == copy, "NDJSON lines sent = the jsonl sink's lines", copy[:2], sent[:2])


def ok_run(p):
    check(p.returncode == 0, "exit code", 0, f"{p.returncode}; stderr: {p.stderr[-1500:]}")


def case_delivery():
    rec = Recorder()
    with Server(rec) as s:
        p = run(graph(s.url(), count=5000, batch=100))
    ok_run(p)
    check_exactly_once(rec, 5000)
    check_content_matches_copy(rec)
    reqs = rec.requests
    check(len(reqs) == 50, "requests (one per batch of 100)", 50, len(reqs))
    check({r["method"] for r in reqs} == {"POST"}, "methods", {"POST"}, {r["method"] for r in reqs})
    check({r["headers"].get("Content-Type") for r in reqs} == {"application/x-ndjson"}, "Content-Type",
          "application/x-ndjson", {r["headers"].get("Content-Type") for r in reqs})
    check(len({r["client"] for r in reqs}) == 1, "connections used (keep-alive)", 1, len({r["client"] for r in reqs}))
    check(p.nodes["upload"]["records_in"] == 5000, "upload.records_in", 5000, p.nodes["upload"]["records_in"])


def case_transient():
    # A dropped connection, a 503 with Retry-After: 1, a 429, a 500, then 200s. (The drop comes
    # first, on a new connection: libcurl itself resends a request once when a kept-alive
    # connection turns out dead, which would hide it from the engine's count.)
    rec = Recorder(script=[{"close": True}, {"status": 503, "retry_after": "1"}, {"status": 429, "retry_after": "0"},
                           {"status": 500}])
    with Server(rec) as s:
        p = run(graph(s.url(), count=300, batch=100, sink_keys="retries = 5\nbackoff_ms = 10"))
    ok_run(p)
    check_exactly_once(rec, 300)
    check([r["status"] for r in rec.requests][:5] == [0, 503, 429, 500, 200], "answers in order",
          [0, 503, 429, 500, 200], [r["status"] for r in rec.requests][:5])
    check(len(rec.requests) == 7, "requests (3 batches + 4 retries)", 7, len(rec.requests))
    check(p.nodes["upload"]["retries"] == 4, "upload.retries", 4, p.nodes["upload"]["retries"])
    gap = rec.requests[2]["start"] - rec.requests[1]["end"]
    check(0.95 <= gap < 5, "seconds between the 503 (Retry-After: 1) and the retry", ">= 1", round(gap, 3))


def case_retry_after_date():
    # Made when the answer goes out: 3 s ahead, cut to the second, so 2-3 s of waiting.
    date = lambda: time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 3))  # noqa: E731
    rec = Recorder(script=[{"status": 503, "retry_after": date}])
    with Server(rec) as s:
        p = run(graph(s.url(), count=100, batch=100, sink_keys="backoff_ms = 1"))
    ok_run(p)
    check_exactly_once(rec, 100)
    gap = rec.requests[1]["start"] - rec.requests[0]["end"]
    check(1.9 <= gap < 8, "seconds waited for a Retry-After HTTP-date 3 s ahead (cut to the second)", "2-3",
          round(gap, 3))


def bad_request():
    return Recorder(script=[{"status": 400, "body": '{"error": "field value is not allowed"}'}])


def case_route_400():
    rec = bad_request()
    extra = f'[sinks.rejects]\nplugin = "jsonl"\ninputs = ["upload.errors"]\npath = "{WORK}/rejects.jsonl"\n'
    with Server(rec) as s:
        p = run(graph(s.url(), count=300, batch=100, sink_keys='on_error = "route"', extra=extra))
    ok_run(p)
    ids = delivered_ids(rec)
    if p.returncode != 0:
        return
    rejects = [json.loads(line) for line in open(os.path.join(WORK, "rejects.jsonl"))]
    check(len(ids) == 200 and len(rejects) == 100, "delivered + routed", (200, 100), (len(ids), len(rejects)))
    check(sorted(ids + [r["id"] for r in rejects]) == list(range(300)) or
          sorted(ids + [r["id"] for r in rejects]) == list(range(1, 301)), "every id once, delivered or routed")
    check(len(rec.requests) == 3, "requests (a 400 is not retried)", 3, len(rec.requests))
    r = rejects[0]
    check(r.get("http_status") == 400, "routed http_status", 400, r.get("http_status"))
    check("field value is not allowed" in r.get("http_body", ""), "routed http_body", "the server's body",
          r.get("http_body"))
    check("HTTP 400" in r.get("error", "") and r.get("error_node") == "upload", "routed error", "HTTP 400 ...", r)
    check(p.nodes["upload"]["routed"] == 100, "upload.routed", 100, p.nodes["upload"]["routed"])


def case_drop_400():
    rec = bad_request()
    with Server(rec) as s:
        p = run(graph(s.url(), count=300, batch=100, sink_keys='on_error = "drop"'))
    ok_run(p)
    check(len(delivered_ids(rec)) == 200, "delivered", 200, len(delivered_ids(rec)))
    check(p.nodes["upload"]["dropped"] == 100, "upload.dropped", 100, p.nodes["upload"]["dropped"])


def case_fail_400():
    rec = bad_request()
    with Server(rec) as s:
        p = run(graph(s.url(), count=300, batch=100))
    check(p.returncode == 1, "exit code", 1, p.returncode)
    check("node 'upload' (plugin 'http'): POST http://127.0.0.1" in p.stderr and "HTTP 400" in p.stderr and
          "field value is not allowed" in p.stderr, "error message", "node 'upload' ... HTTP 400: {body}", p.stderr[-800:])


def case_timeout():
    rec = Recorder(script=[{"delay_s": 2}])
    with Server(rec) as s:
        p = run(graph(s.url(), count=100, batch=100, sink_keys="timeout_ms = 300\nbackoff_ms = 1"))
    ok_run(p)
    check(p.nodes["upload"]["retries"] == 1, "upload.retries after one timeout", 1, p.nodes["upload"]["retries"])
    starts = sorted(rec.arrivals)
    check(len(starts) == 2 and starts[1] - starts[0] < 1.5, "seconds from the request to its retry (the 300 ms "
          "timeout, not the server's 2 s)", "< 1.5", [round(t - starts[0], 2) for t in starts])
    check_exactly_once(rec, 100)  # the timed-out request, answered late to a closed socket, is not counted
    with Server(Recorder(script=[{"delay_s": 2}] * 10)) as s:
        p = run(graph(s.url(), count=100, batch=100, sink_keys="timeout_ms = 200\nretries = 1\nbackoff_ms = 1"))
    check(p.returncode == 1 and "timed out" in p.stderr and "still failing after 1 retries" in p.stderr,
          "retries used up on timeouts: exit 1 and why", "exit 1, 'timed out'", (p.returncode, p.stderr[-600:]))


def case_gzip_headers_secret():
    secret = "s3cret-token-8f2a"
    rec = Recorder(script=[{"status": 400}])
    keys = 'format = "json"\ngzip = true\nheaders = { Authorization = "Bearer ${HTTP_TEST_TOKEN}", X-Trace = "t1" }\n' \
           'on_error = "drop"'
    with Server(rec) as s:
        p = run(graph(s.url(), count=1000, batch=250, sink_keys=keys), env={"HTTP_TEST_TOKEN": secret},
                args=["--log-level", "debug"])
    ok_run(p)
    r = rec.requests[1]
    check(r["headers"].get("Authorization") == "Bearer " + secret, "Authorization sent, ${VAR} expanded",
          "Bearer " + secret, r["headers"].get("Authorization"))
    check(r["headers"].get("X-Trace") == "t1", "X-Trace", "t1", r["headers"].get("X-Trace"))
    check(r["headers"].get("Content-Encoding") == "gzip", "Content-Encoding", "gzip", r["headers"].get("Content-Encoding"))
    check(r["headers"].get("Content-Type") == "application/json", "Content-Type", "application/json",
          r["headers"].get("Content-Type"))
    check(r["raw_bytes"] < len(r["body"]) / 2, "gzip shrank the body", f"< {len(r['body']) // 2}", r["raw_bytes"])
    ids = delivered_ids(rec, parse=lambda body: json.loads(body))
    check(len(ids) == 750, "records delivered (the 400 batch dropped)", 750, len(ids))
    everything = p.stdout + p.stderr + json.dumps(p.metrics)
    check(secret not in everything, "the token is absent from stdout, stderr (debug log) and --metrics-json",
          "absent", "present")


def case_csv_put():
    rec = Recorder()
    with Server(rec) as s:
        p = run(graph(s.url(), count=500, batch=100, sink_keys='format = "csv"\nmethod = "PUT"'))
    ok_run(p)
    check({r["method"] for r in rec.requests} == {"PUT"}, "method", {"PUT"}, {r["method"] for r in rec.requests})
    check_exactly_once(rec, 500, parse=lambda body: [{"id": int(row["id"])}
                                                      for row in csv.DictReader(io.StringIO(body.decode()))])


def case_tls():
    cert, key = os.path.join(WORK, "cert.pem"), os.path.join(WORK, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    rec = Recorder()
    with Server(rec, cert=cert, key=key) as s:
        p = run(graph(s.url(), count=200, batch=100, sink_keys="retries = 0"))
        check(p.returncode == 1, "exit code with an untrusted certificate", 1, p.returncode)
        check("certificate" in p.stderr and "ca_file" in p.stderr, "a clear TLS error",
              "...certificate... give its CA in ca_file", p.stderr[-600:])
        check(p.nodes["upload"]["retries"] == 0 and len(rec.requests) == 0, "nothing sent, no retry", 0,
              len(rec.requests))
        p = run(graph(s.url(), count=200, batch=100, sink_keys=f'ca_file = "{cert}"'))
        ok_run(p)
        check_exactly_once(rec, 200)
        p = run(graph(s.url("/ingest", host="localhost"), count=200, batch=100, sink_keys="tls_verify = false"))
        ok_run(p)
        check("TLS VERIFICATION IS OFF" in p.stderr, "a loud warning with tls_verify = false", "the warning",
              p.stderr[-600:])
        check(p.stderr.count("TLS VERIFICATION IS OFF") == 1, "warned once", 1, p.stderr.count("TLS VERIFICATION IS OFF"))


def case_concurrency():
    rec = Recorder(delay_s=0.2)
    with Server(rec) as s:
        p = run(graph(s.url(), count=2000, batch=100, sink_keys="blocking = true\nconcurrency = 4"))
    ok_run(p)
    check_exactly_once(rec, 2000)
    check(rec.max_in_flight == 4, "requests in flight at once", 4, rec.max_in_flight)
    check(len({r["client"] for r in rec.requests}) <= 4, "connections (one kept alive per instance)", "<= 4",
          len({r["client"] for r in rec.requests}))
    check(p.seconds < 8, "seconds for 20 requests of 0.2 s, 4 at a time (serially: 4 s + start-up)", "< 8",
          round(p.seconds, 2))


def case_sigint_during_retries():
    # The server is down for maintenance (503, Retry-After: 60): SIGINT stops the run within
    # the grace period, the waiting batch abandoned in flight, not failed and not lost quietly.
    import signal
    rec = Recorder(default={"status": 503, "retry_after": "60"})
    with Server(rec) as s:
        path = os.path.join(WORK, "graph.toml")
        with open(path, "w") as f:
            f.write("[graph]\nshutdown_grace_ms = 500\n" + graph(s.url(), count=100, batch=100,
                                                                  sink_keys="retries = 10\nblocking = true")[9:])
        start = time.monotonic()
        proc = subprocess.Popen([GR, "run", path], stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, no_proxy="127.0.0.1,localhost"))
        while not rec.requests and time.monotonic() - start < 10:
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
        seconds = time.monotonic() - start
    check(proc.returncode == 130, "exit code after SIGINT", 130, (proc.returncode, stderr[-600:]))
    check(seconds < 5, "seconds to stop (grace 0.5 s, Retry-After 60 s)", "< 5", round(seconds, 2))
    check("abandoned in flight" in stderr, "the waiting batch is reported abandoned", "abandoned in flight",
          stderr[-600:])
    check(len(rec.requests) == 1, "requests (no retry after the signal)", 1, len(rec.requests))


def case_service_restart():
    # The demo service (tools/demo_service.py, the program) is killed mid-run and started again
    # on the same port a second later: the sink's retries of the refused connections carry the
    # run over the gap. Every record arrives at least once (a request the service took but did
    # not answer before dying is sent again), and the run's books balance (exit 0).
    import signal
    import socket
    service = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "demo_service.py")
    saved = os.path.join(WORK, "received.jsonl")
    if os.path.exists(saved):
        os.remove(saved)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def start_service():
        proc = subprocess.Popen([sys.executable, service, "--port", str(port), "--save", saved],
                                stdout=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        check("listening on" in line, "the demo service starts", "listening on ...", line)
        return proc

    def received():
        if not os.path.exists(saved):
            return []
        with open(saved) as f:
            return [json.loads(line)["id"] for line in f.read().splitlines()]

    count = 3000
    text = f"""
[graph]
batch_size = 100
[sources.numbers]
plugin = "generate"
count = {count}
[stages.pace]
plugin = "throttle"
inputs = ["numbers"]
per_second = 1000
burst = 100
blocking = true
[sinks.upload]
plugin = "http"
inputs = ["pace"]
url = "http://127.0.0.1:{port}/ingest"
blocking = true
retries = 10
backoff_ms = 100
"""
    path = os.path.join(WORK, "graph.toml")
    with open(path, "w") as f:
        f.write(text)
    metrics = os.path.join(WORK, "metrics.json")
    service_proc = start_service()
    proc = subprocess.Popen([GR, "run", path, "--metrics-json", metrics], stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, no_proxy="127.0.0.1,localhost"))
    start = time.monotonic()
    while len(received()) < 500 and time.monotonic() - start < 20:
        time.sleep(0.02)
    before = len(received())
    service_proc.kill()  # SIGKILL: no goodbye
    service_proc.wait()
    time.sleep(1.0)
    check(proc.poll() is None, "the run is still going while the service is down", None, proc.poll())
    service_proc = start_service()
    try:
        _, stderr = proc.communicate(timeout=60)
    finally:
        service_proc.send_signal(signal.SIGTERM)
        service_proc.wait(timeout=10)
    ids = received()
    check(500 <= before < count, "records received before the kill", f"500 .. {count - 1}", before)
    check(proc.returncode == 0, "exit code", 0, f"{proc.returncode}; stderr: {stderr[-1500:]}")
    check(set(ids) == set(range(count)), "every record received at least once", f"{count} distinct ids",
          f"{len(set(ids))} distinct, missing {sorted(set(range(count)) - set(ids))[:5]}")
    nodes = {n["name"]: n for n in json.load(open(metrics))["nodes"]} if os.path.exists(metrics) else {}
    upload = nodes.get("upload", {})
    check(upload.get("records_in") == count, "upload.records_in", count, upload.get("records_in"))
    check(upload.get("retries", 0) >= 1, "upload.retries (the refused connections)", ">= 1", upload.get("retries"))
    print(f"received {len(ids)} records ({len(ids) - len(set(ids))} twice), {before} before the kill; "
          f"upload retries {upload.get('retries')}")


def case_bad_url():
    p = run(graph("ftp://example.com/x", count=10))
    check(p.returncode == 2, "exit code", 2, p.returncode)
    check(":11:" in p.stderr and "'ftp://example.com/x' is not an http:// or https:// URL" in p.stderr,
          "a positioned error", "graph.toml:11:...: not an http:// or https:// URL", p.stderr[-400:])


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}
if CASE not in CASES:
    sys.exit(f"unknown case {CASE!r}; cases: {', '.join(CASES)}")
CASES[CASE]()
if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print(f"ok: http sink, {CASE}")
