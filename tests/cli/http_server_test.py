#!/usr/bin/env python3
"""The http_server source with real HTTP clients on loopback (issue 16).

    http_server_test.py GRAPH_RUNNER WORKDIR SCENARIO

Each scenario starts `graph-runner run` on a graph of its own (port 0; the URL comes from the
log line 'listening on URL'), talks to it with http.client, and checks what the clients were
told against what the sink wrote: a 200 means the request's records are in the sink's file
when the answer arrives; a refused request left nothing in it.
"""
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

exe, workdir, scenario = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(workdir, exist_ok=True)
out_path = os.path.join(workdir, "out.jsonl")
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, flush=True)


def expect(what, expected, got):
    if expected != got:
        fail(f"{what}: expected {expected!r}, got {got!r}")


class Run:
    """graph-runner run on a graph: http_server `in` -> [chaos `slow`] -> jsonl `out`."""

    def __init__(self, source="", stages="", graph="", env=None, extra_args=()):
        if os.path.exists(out_path):
            os.remove(out_path)
        text = f"""
[graph]
name = "http-server-test"
{graph}
[sources.in]
plugin = "http_server"
port = 0
blocking = true
{source}
{stages}
[sinks.out]
plugin = "jsonl"
inputs = ["{'slow' if stages else 'in'}"]
path = "{out_path}"
"""
        self.graph = os.path.join(workdir, f"{scenario}.toml")
        with open(self.graph, "w") as f:
            f.write(text)
        self.proc = subprocess.Popen([exe, "run", self.graph, *extra_args], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, env=dict(os.environ, **(env or {})))
        self.lines = []
        self.url = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.lines.append(line)
            m = re.search(r"listening on (https?)://([0-9.]+):(\d+)(/\S*)", line)
            if m:
                self.scheme, self.host, self.port, self.path = m[1], m[2], int(m[3]), m[4]
                self.url = True
                break
        if not self.url:
            self.proc.kill()
            raise SystemExit("no 'listening on URL' line:\n" + "".join(self.lines) + self.proc.stderr.read())
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.lines.append(line)

    def connection(self, timeout=30, context=None):
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=context)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def post(self, body, content_type="application/x-ndjson", headers=None, path=None, method="POST", context=None):
        """(status, headers, parsed JSON body or text, seconds)."""
        t0 = time.monotonic()
        c = self.connection(context=context)
        try:
            h = {"Content-Type": content_type} if content_type else {}
            h.update(headers or {})
            c.request(method, path or self.path, body=body.encode() if isinstance(body, str) else body, headers=h)
            r = c.getresponse()
            text = r.read().decode()
            try:
                parsed = json.loads(text) if text else None
            except ValueError:
                parsed = text
            return r.status, dict(r.getheaders()), parsed, time.monotonic() - t0
        finally:
            c.close()

    def finish(self, sig=None, timeout=30):
        if sig:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail(f"graph-runner did not end within {timeout} s")
            rc = None
        self.reader.join(5)
        return rc, "".join(self.lines)


def records(request, n):
    return [{"req": request, "i": i, "text": f"r{request}-{i} \"quoted\""} for i in range(n)]


def ndjson(recs):
    return "".join(json.dumps(r) + "\n" for r in recs)


def written():
    """Records in the sink's file, as (req, i) -> record; a duplicate is a failure."""
    seen = {}
    if not os.path.exists(out_path):
        return seen
    with open(out_path) as f:
        for line in f:
            r = json.loads(line)
            key = (r["req"], r["i"])
            if key in seen:
                fail(f"record {key} written twice")
            seen[key] = r
    return seen


def check_books(stderr, rc, expected_rc):
    expect("exit code", expected_rc, rc)
    m = re.search(r"(\d+)/(\d+) batches acknowledged", stderr)
    if not m:
        fail("no final line 'A/B batches acknowledged' on stderr")
    elif m[1] != m[2]:
        fail(f"books not balanced: {m[0]}")


def check_written_on_answer(run, request, recs, status, content_type="application/x-ndjson", body=None):
    """POSTs `recs`; on 200 they must be in the file already."""
    got = run.post(body if body is not None else ndjson(recs), content_type)
    if got[0] == 200:
        have = written()
        missing = [r["i"] for r in recs if (r["req"], r["i"]) not in have]
        if missing:
            fail(f"request {request} answered 200 but {len(missing)} of its records are not in the file yet")
        for r in recs:
            if have.get((r["req"], r["i"])) not in (None, r):
                fail(f"record {(r['req'], r['i'])}: expected {r}, got {have[(r['req'], r['i'])]}")
    return got


def exactly_once():
    """40 requests, 8 at a time, NDJSON and JSON arrays: each record arrives once, 200 after the write."""
    n = 40
    run = Run(source=f"max_requests = {n}\nbatch_size = 64", stages='[stages.slow]\nplugin = "chaos"\ninputs = ["in"]\nsleep_ms = 5\nconcurrency = 1')
    def one(k):
        recs = records(k, 10 + 7 * k)
        if k % 2:
            return check_written_on_answer(run, k, recs, 200, "application/json", json.dumps(recs))
        return check_written_on_answer(run, k, recs, 200)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(n)))
    for k, (status, _, body, _) in enumerate(results):
        expect(f"request {k} status", 200, status)
        expect(f"request {k} body", {"records": 10 + 7 * k}, body)
    rc, stderr = run.finish()
    check_books(stderr, rc, 0)
    have = written()
    expect("records written", sum(10 + 7 * k for k in range(n)), len(have))


def end_to_end_waits():
    """A sink 1 s behind: the 200 takes at least that; on_receive answers 202 well before."""
    for ack, status, at_least, at_most in (("end_to_end", 200, 1.0, 20), ("on_receive", 202, 0, 0.7)):
        run = Run(source=f'ack = "{ack}"\nmax_requests = 1',
                  stages='[stages.slow]\nplugin = "chaos"\ninputs = ["in"]\nsleep_ms = 1000')
        got = run.post(ndjson(records(0, 5)))
        expect(f"{ack}: status", status, got[0])
        if not at_least <= got[3] <= at_most:
            fail(f"{ack}: answered after {got[3]:.3f} s, expected {at_least}..{at_most} s")
        rc, stderr = run.finish()
        check_books(stderr, rc, 0)
        expect(f"{ack}: records written", 5, len(written()))


def backpressure():
    """A slow sink, max_in_flight 1, a small queue: 503 with Retry-After reaches clients; a
    refused request left nothing in the file; every 200 had its records written."""
    run = Run(source="max_in_flight = 1\nbatch_size = 10\nmax_queued_bytes = 2000\nqueue_timeout_ms = 300",
              stages='[stages.slow]\nplugin = "chaos"\ninputs = ["in"]\nsleep_ms = 150')
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda k: check_written_on_answer(run, k, records(k, 10), None), range(32)))
    statuses = [r[0] for r in results]
    print("statuses:", {s: statuses.count(s) for s in set(statuses)})
    if 503 not in statuses:
        fail("no request was answered 503 under backpressure")
    if 200 not in statuses:
        fail("no request was answered 200")
    for k, (status, headers, body, _) in enumerate(results):
        if status == 503 and headers.get("Retry-After") != "1":
            fail(f"request {k}: 503 without 'Retry-After: 1' ({headers})")
        if status not in (200, 503):
            fail(f"request {k}: status {status} {body}")
    rc, stderr = run.finish(signal.SIGINT)
    check_books(stderr, rc, 130)
    have = written()
    for k, (status, *_rest) in enumerate(results):
        n = sum(1 for key in have if key[0] == k)
        if status == 503 and n:
            fail(f"request {k} was answered 503 but {n} of its records were written")
        if status == 200 and n != 10:
            fail(f"request {k} was answered 200 but {n} of its 10 records were written")


def refusals():
    """413, 400 with line and column (nothing of it taken), 401, 404, 405, 415, /health."""
    run = Run(source='max_body_bytes = 4000\nmax_requests = 1\ntoken_env = "HTTP_TEST_TOKEN"',
              env={"HTTP_TEST_TOKEN": "s3cret"})
    auth = {"Authorization": "Bearer s3cret"}
    status, _, body, _ = run.post("x" * 6000, headers=auth)
    expect("413 status", 413, status)
    bad = ndjson(records(1, 2)) + '{"req": 1, "i": 2, "oops": tru}\n' + ndjson(records(1, 3))
    status, _, body, _ = run.post(bad, headers=auth)
    expect("bad NDJSON status", 400, status)
    if not (isinstance(body, dict) and re.match(r"body:3:\d+: ", body.get("error", ""))):
        fail(f"bad NDJSON: expected an error starting 'body:3:COL: ', got {body}")
    status, _, body, _ = run.post('[{"req": 2, "i": 0},\n  {"req": 2, "i": 1, "x": [1, }]', "application/json", headers=auth)
    expect("bad JSON status", 400, status)
    if not (isinstance(body, dict) and re.match(r"body:2:\d+: ", body.get("error", ""))):
        fail(f"bad JSON: expected an error starting 'body:2:COL: ', got {body}")
    status, _, body, _ = run.post('[1, 2]', "application/json", headers=auth)
    expect("array of numbers status", 400, status)
    status, headers, _, _ = run.post(ndjson(records(3, 1)))
    expect("no token status", 401, status)
    expect("no token WWW-Authenticate", "Bearer", headers.get("WWW-Authenticate"))
    status, _, _, _ = run.post(ndjson(records(3, 1)), headers={"Authorization": "Bearer s3creT"})
    expect("wrong token status", 401, status)
    status, _, _, _ = run.post(ndjson(records(3, 1)), headers=auth, path="/elsewhere")
    expect("unknown path status", 404, status)
    status, headers, _, _ = run.post("", None, headers=auth, method="GET")
    expect("GET on the ingest path status", 405, status)
    status, _, _, _ = run.post(ndjson(records(3, 1)), "application/x-www-form-urlencoded", headers=auth)
    expect("form body status", 415, status)
    status, _, body, _ = run.post("", None, path="/health", method="GET")
    expect("health", (200, {"status": "ok"}), (status, body))
    # Chunked bodies are not taken (411): the client must say how long its body is.
    c = run.connection()
    c.putrequest("POST", run.path)
    c.putheader("Transfer-Encoding", "chunked")
    c.putheader("Authorization", "Bearer s3cret")
    c.endheaders()
    c.send(b"5\r\nhello\r\n0\r\n\r\n")
    expect("chunked status", 411, c.getresponse().status)
    c.close()
    status, _, body, _ = run.post(ndjson(records(9, 4)), headers=auth)
    expect("good request", (200, {"records": 4}), (status, body))
    rc, stderr = run.finish()
    check_books(stderr, rc, 0)
    expect("requests in the file", {9}, {k[0] for k in written()})


def slow_clients():
    """A slow-loris client is cut off at read_timeout_ms; idle connections past the cap do not
    lock clients out; a good request is served meanwhile."""
    run = Run(source="read_timeout_ms = 500\nmax_connections = 16\nmax_requests = 1")
    loris = socket.create_connection((run.host, run.port))
    t0 = time.monotonic()
    head = f"POST {run.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100\r\n\r\n"
    cut_after = None
    for ch in head + '{"req": 0':
        try:
            loris.send(ch.encode())
            time.sleep(0.1)
            loris.setblocking(False)
            if loris.recv(1) == b"":
                cut_after = time.monotonic() - t0
                break
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            cut_after = time.monotonic() - t0
            break
        finally:
            loris.setblocking(True)
        if time.monotonic() - t0 > 5:
            break
    if cut_after is None or not 0.4 <= cut_after <= 2.0:
        fail(f"slow-loris client: expected to be cut off after about 0.5 s, cut off after {cut_after}")
    idle = [socket.create_connection((run.host, run.port)) for _ in range(60)]
    status, _, body, seconds = run.post(ndjson(records(1, 3)))
    expect("request beside 60 idle connections", (200, {"records": 3}), (status, body))
    if seconds > 2:
        fail(f"request beside 60 idle connections took {seconds:.2f} s")
    for s in idle + [loris]:
        s.close()
    rc, stderr = run.finish()
    check_books(stderr, rc, 0)


def sigint_under_load():
    """SIGINT while 12 clients post: every 200 has its records in the file, every other answer
    is a refusal; the run exits 130 with its books balanced."""
    run = Run(source="batch_size = 50", stages='[stages.slow]\nplugin = "chaos"\ninputs = ["in"]\nsleep_ms = 20')
    results, lock, stop = [], threading.Lock(), threading.Event()
    def client(c):
        k = 0
        while not stop.is_set():
            key = c * 100000 + k
            recs = records(key, 20)
            try:
                status = run.post(ndjson(recs))[0]
            except OSError as e:  # refused or dropped while the server stops: not a 200
                status = type(e).__name__
            with lock:
                results.append((key, status))
            k += 1
    threads = [threading.Thread(target=client, args=(c,)) for c in range(12)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    rc, stderr = run.finish(signal.SIGINT)
    stop.set()
    for t in threads:
        t.join(30)
    statuses = [s for _, s in results]
    print("answers:", {s: statuses.count(s) for s in set(statuses)})
    check_books(stderr, rc, 130)
    have = written()
    for key, status in results:
        n = sum(1 for k in have if k[0] == key)
        if status == 200 and n != 20:
            fail(f"request {key} was answered 200 but {n} of its 20 records were written")
        elif status != 200 and not (isinstance(status, str) or status == 503):
            fail(f"request {key}: unexpected answer {status}")
    if statuses.count(200) == 0:
        fail("no request was answered 200 before the stop")


def tls():
    """cert_file/key_file: HTTPS with a self-signed certificate; a half configuration is an error."""
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    run = Run(source=f'cert_file = "{cert}"\nkey_file = "{key}"\nmax_requests = 1')
    expect("scheme", "https", run.scheme)
    plain = http.client.HTTPConnection(run.host, run.port, timeout=5)
    try:
        plain.request("POST", run.path, body=b"{}", headers={"Content-Type": "application/json"})
        plain.getresponse()
        fail("a plain HTTP request to the TLS port was answered")
    except (OSError, http.client.HTTPException):
        pass
    context = ssl.create_default_context(cafile=cert)
    status, _, body, _ = run.post(ndjson(records(0, 3)), context=context)
    expect("HTTPS request", (200, {"records": 3}), (status, body))
    rc, stderr = run.finish()
    check_books(stderr, rc, 0)
    with open(os.path.join(workdir, "half.toml"), "w") as f:
        f.write(f'[sources.in]\nplugin = "http_server"\ncert_file = "{cert}"\n[sinks.out]\nplugin = "count"\ninputs = ["in"]\n')
    p = subprocess.run([exe, "run", os.path.join(workdir, "half.toml")], capture_output=True, text=True, timeout=30)
    expect("cert_file without key_file: exit code", 2, p.returncode)
    if "TLS needs both cert_file and key_file" not in p.stderr:
        fail(f"cert_file without key_file: no clear message in {p.stderr!r}")


globals()[scenario]()
print(f"{scenario}: {'FAILED' if failures else 'ok'}")
sys.exit(1 if failures else 0)
