#!/usr/bin/env python3
"""A recording HTTP(S) server for the tests of the http plugins, on loopback.

It keeps every request (method, path, headers, body un-gzipped, when it came and what was
answered) and answers from a script: a list of actions taken in order, one per request, then
the default action. An action is a dict:
    status       HTTP status (default 200)
    retry_after  a Retry-After header value ("2", or an HTTP-date), or a function making it
    delay_s      wait this long before answering (a slow server: the client's timeout)
    close        drop the connection without answering
    body         the answer's body (default "ok\n", or the status's phrase), or a function of the
                 request's body (bytes) returning it: a service computing its answers
It also counts requests in progress at once (max_in_flight).

As a program it serves until stopped and prints each request's line to stdout — the demo
server for graphs/http-upload.toml:
    python3 tests/cli/http_test_server.py --port 8080 [--fail-every 5] [--save received.jsonl]
"""
import argparse
import gzip
import http.server
import json
import socket
import ssl
import sys
import threading
import time


class Recorder:
    def __init__(self, script=(), default=None, delay_s=0.0):
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
            text = action.get("body", "ok\n" if status < 300 else f"status {status} from the test server\n")
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
    p = argparse.ArgumentParser(description="recording HTTP server (loopback) for the http plugins")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--fail-every", type=int, default=0, help="answer every Nth request 503 (Retry-After: 1)")
    p.add_argument("--save", help="append the records of every 2xx request to this JSON-lines file")
    args = p.parse_args()

    class Demo(Recorder):
        count = 0

        def next_action(self):
            with self.lock:
                Demo.count += 1
                if args.fail_every and Demo.count % args.fail_every == 0:
                    return {"status": 503, "retry_after": "1"}
            return {"status": 200}

    def report(r):
        lines = r["body"].count(b"\n")
        print(f"{r['method']} {r['path']} -> {r['status']}: {lines} line(s), {r['raw_bytes']} bytes", flush=True)
        if args.save and 200 <= r["status"] < 300:
            with open(args.save, "ab") as f:
                f.write(r["body"])

    return serve_until_interrupted(Demo(), args.port, "/", report)


def serve_until_interrupted(rec, port, path, report):
    """A demo server: serves on `port` until Ctrl-C, calling report(request) for each one answered."""
    with Server(rec, port) as s:
        print(f"listening on {s.url(path)}", flush=True)
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
