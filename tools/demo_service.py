#!/usr/bin/env python3
"""The demo service of the example graphs, and the recording server of the http plugins' tests.

One small HTTP server on loopback (stdlib only) with the endpoints the examples call:
    POST /upload   records what it receives and answers one receipt per record, {"receipt": ID}
                   (ID: the first 12 hex digits of the sha1 of the record's JSON text), a JSON array
                   for a JSON array, NDJSON for NDJSON: graphs/multi-stage-upload.toml (http_call)
    POST /users    the user lookup of graphs/user-filter.toml: a JSON array of users ({"id": ...})
                   is answered {"id": ID, "allowed": BOOL, "tier": "bronze"|"silver"|"gold"} per
                   user, in reverse order; ids ending in 7 are blocked, the tier is id % 3
    POST /ingest   (and any other path) records what it receives and answers "ok": graphs/http-upload.toml

Run it (Ctrl-C stops it; each request's line goes to stdout):
    python3 tools/demo_service.py --port 8080 [--fail 500,429] [--fail-every 5] [--save received.jsonl]
--fail answers the first requests with these statuses (with Retry-After: 1), --fail-every every
Nth one 503, and --save appends the body of every request answered 2xx to a file (written
before the answer is sent: a request answered 2xx is in the file, even if the service is then
killed).

As a module (the tests, on a free port: `with Server(Recorder(...)) as s:`) it keeps every
request (method, path, headers, body un-gzipped, when it came and what was answered) and
answers from a script: a list of actions taken in order, one per request, then the default
action. An action is a dict:
    status       HTTP status (default 200)
    retry_after  a Retry-After header value ("2", or an HTTP-date), or a function making it
    delay_s      wait this long before answering (a slow server: the client's timeout)
    close        drop the connection without answering
    body         the answer's body (default: the path's endpoint above for a 2xx, else the
                 status's phrase), or a function of the request's body (bytes) returning it
It also counts requests in progress at once (max_in_flight).
"""
import argparse
import gzip
import hashlib
import http.server
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time


TIERS = ["bronze", "silver", "gold"]


def users_answer(body):
    """/users: per user, allowed (an id ending in 7 is not) and tier (id % 3), in reverse order:
    the client must match by key, not by position."""
    users = json.loads(body)
    return json.dumps([{"id": u["id"], "allowed": u["id"] % 10 != 7, "tier": TIERS[u["id"] % 3]}
                       for u in reversed(users)])


def upload_answer(body):
    """/upload: one receipt per record received, in the same order and format."""
    def receipt(record):
        return {"receipt": hashlib.sha1(json.dumps(record, sort_keys=True).encode()).hexdigest()[:12]}
    text = body.decode()
    if text.lstrip().startswith("["):
        return json.dumps([receipt(r) for r in json.loads(text)])
    return "".join(json.dumps(receipt(json.loads(line))) + "\n" for line in text.splitlines() if line.strip())


ENDPOINTS = {"/users": users_answer, "/upload": upload_answer}


def received_lines(body):
    """The records of a request's body as JSON lines (a JSON array's items, or the NDJSON lines)."""
    text = body.decode()
    if text.lstrip().startswith("["):
        return [json.dumps(r) for r in json.loads(text)]
    return [line for line in text.splitlines() if line.strip()]


class Recorder:
    def __init__(self, script=(), default=None, delay_s=0.0, on_ok=None):
        self.on_ok = on_ok  # called with each 2xx request's record before it is answered
        self.lock = threading.Lock()
        self.script = list(script)
        self.default = default or {"status": 200}
        self.delay_s = delay_s
        self.requests = []  # dicts, in the order answered
        self.arrivals = []  # when each request came (time.monotonic()), answered or not yet
        self.in_flight = 0
        self.max_in_flight = 0

    def next_action(self):
        with self.lock:
            return self.script.pop(0) if self.script else dict(self.default)

    def ok_bodies(self):
        with self.lock:
            return [r for r in self.requests if 200 <= r["status"] < 300 and not r["late"]]


class Crowded(Recorder):
    """A service with a capacity: answers in `base_s` up to `capacity` requests at once, slower
    by `base_s` for every request beyond, and 429 (Retry-After: 0) past 3 x capacity. For the
    adaptive concurrency test and bench: a client should settle near `capacity`."""

    def __init__(self, capacity, base_s=0.02, **kw):
        super().__init__(**kw)
        self.capacity, self.base_s = capacity, base_s
        self.refused = 0

    def next_action(self):
        with self.lock:
            n = self.in_flight  # this request included
            if n > 3 * self.capacity:
                self.refused += 1
                return {"status": 429, "retry_after": "0"}
        time.sleep(self.base_s * (1 + max(0, n - self.capacity)))
        return {"status": 200}


def make_handler(rec):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive
        disable_nagle_algorithm = True  # else headers and body as two writes meet delayed ACKs: 40 ms a request

        def log_message(self, *args):
            pass

        def _serve(self):
            with rec.lock:
                rec.in_flight += 1
                rec.max_in_flight = max(rec.max_in_flight, rec.in_flight)
            try:
                self._answer()
            finally:
                with rec.lock:
                    rec.in_flight -= 1

        def _answer(self):
            start = time.monotonic()
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            with rec.lock:
                rec.arrivals.append(start)
            body = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
            action = rec.next_action()
            delay = action.get("delay_s", rec.delay_s)
            if delay:
                time.sleep(delay)
            status = 0 if action.get("close") else action.get("status", 200)
            record = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                      "client": self.client_address[1],
                      "late": "delay_s" in action,  # scripted slow: the client gave up, not delivered
                      "raw_bytes": len(raw), "body": body, "status": status, "start": start,
                      "end": time.monotonic()}
            with rec.lock:
                rec.requests.append(record)
            if action.get("close"):
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if rec.on_ok and 200 <= status < 300:
                rec.on_ok(record)
            endpoint = ENDPOINTS.get(self.path.split("?")[0], lambda _: "ok\n")
            text = action.get("body", endpoint if status < 300 else f"status {status} from the demo service\n")
            if callable(text):  # a service: the answer computed from the request's body (http_call's tests)
                text = text(body)
            text = text.encode()
            self.send_response(status)
            if "retry_after" in action:
                after = action["retry_after"]
                self.send_header("Retry-After", str(after() if callable(after) else after))
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        do_POST = do_PUT = do_GET = _serve

    return Handler


class Quiet(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # listen backlog: 32 clients connecting at once must not wait for SYN retries
    def handle_error(self, request, client_address):
        pass  # a client that timed out and left: expected in the timeout tests


class Server:
    """Serves on 127.0.0.1:port (0 = any free one) in a thread; `with Server(...) as s:`."""

    def __init__(self, rec, port=0, cert=None, key=None):
        self.rec = rec
        self.httpd = Quiet(("127.0.0.1", port), make_handler(rec))
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path="/ingest", host="127.0.0.1"):
        return f"{self.scheme}://{host}:{self.port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def main():
    p = argparse.ArgumentParser(description="the demo service of the example graphs (loopback): "
                                            "/upload, /users, /ingest")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--fail", default="", metavar="STATUS,...",
                   help="answer the first requests with these statuses (Retry-After: 1), e.g. 500,429")
    p.add_argument("--fail-every", type=int, default=0, help="answer every Nth request 503 (Retry-After: 1)")
    p.add_argument("--save", help="append the records of every 2xx request to this JSON-lines file")
    args = p.parse_args()
    script = [{"status": int(s), "retry_after": "1"} for s in args.fail.split(",") if s]

    class Demo(Recorder):
        count = 0

        def next_action(self):
            with self.lock:
                Demo.count += 1
                if self.script:
                    return self.script.pop(0)
                if args.fail_every and Demo.count % args.fail_every == 0:
                    return {"status": 503, "retry_after": "1"}
            return {"status": 200}

    def save(r):  # before the answer: what was answered 2xx is in the file
        data = "".join(line + "\n" for line in received_lines(r["body"])).encode()
        fd = os.open(args.save, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)  # one write: a kill leaves whole lines
        finally:
            os.close(fd)

    def report(r):
        print(f"{r['method']} {r['path']} -> {r['status']}: {records(r['body'])} record(s), {r['raw_bytes']} bytes",
              flush=True)

    return serve_until_interrupted(Demo(script=script, on_ok=save if args.save else None), args.port, report)


def records(body):
    try:
        return len(received_lines(body))
    except ValueError:
        return "?"


def serve_until_interrupted(rec, port, report):
    """Serves on `port` until Ctrl-C (or SIGTERM), calling report(request) for each one answered."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with Server(rec, port) as s:
        print(f"listening on {s.url('/')} (POST /upload, /users, /ingest)", flush=True)
        seen = 0
        try:
            while True:
                time.sleep(0.2)
                with rec.lock:
                    new, seen = rec.requests[seen:], len(rec.requests)
                for r in new:
                    report(r)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
