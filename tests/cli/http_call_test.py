#!/usr/bin/env python3
"""The http_call stage against a real server on loopback (tools/demo_service.py), one case per run:

    http_call_test.py GRAPH_RUNNER WORKDIR CASE

Each case writes a graph (generate -> http_call -> jsonl, the stage's errors -> another jsonl),
starts a recording server on a free port whose answers are computed from each request's body,
runs graph-runner, and checks the records that came out, record by record, and what the run
reported (--metrics-json, exit code, stderr). Failures print expected vs got.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from demo_service import Recorder, Server  # noqa: E402
from loopback_run import run_graph  # noqa: E402

GR, WORK, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(WORK, exist_ok=True)
failures = []


def check(ok, what, expected=None, got=None):
    if not ok:
        failures.append(what + ("" if expected is None and got is None else f": expected {expected!r}, got {got!r}"))


def graph(url, count=1000, batch=100, stage_keys=""):
    rejects = f'[sinks.rejects]\nplugin = "jsonl"\ninputs = ["call.errors"]\npath = "{WORK}/rejects.jsonl"\n'
    return f"""
[graph]
batch_size = {batch}
[sources.numbers]
plugin = "generate"
count = {count}
[stages.call]
plugin = "http_call"
inputs = ["numbers"]
url = "{url}"
{stage_keys}
[sinks.out]
plugin = "jsonl"
inputs = ["call"]
path = "{WORK}/out.jsonl"
{rejects if 'on_error = "route"' in stage_keys else ""}"""


def run(text, args=(), env=None):
    p = run_graph(GR, WORK, text, env, args, outputs=("out.jsonl", "rejects.jsonl"))
    p.out = read_jsonl("out.jsonl")
    p.rejects = read_jsonl("rejects.jsonl")
    return p


def read_jsonl(name):
    path = os.path.join(WORK, name)
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []


def ok_run(p):
    check(p.returncode == 0, "exit code", 0, f"{p.returncode}; stderr: {p.stderr[-1500:]}")


def by_id(records):
    return {r["id"]: r for r in records}


# The services: functions of a request's body (bytes) -> the answer's body (str).

def records(body):
    """The records of a request: a JSON array or NDJSON."""
    text = body.decode()
    return json.loads(text) if text.startswith("[") else [json.loads(line) for line in text.splitlines()]


def enrich_by_position(body):
    return json.dumps([{"double": r["id"] * 2, "label": f"n{r['id']}"} for r in records(body)])


def enrich_by_key(body):
    """Reversed order, keyed by "uid"; ids divisible by 5 unknown (no item)."""
    users = [r for r in records(body) if r["id"] % 5 != 0]
    return json.dumps({"results": [{"uid": r["id"], "tier": "gold" if r["id"] % 2 else "silver"}
                                   for r in reversed(users)]})


def approve_multiples_of_3(body):
    return json.dumps([{"keep": r["id"] % 3 == 0} for r in records(body)])


def one_record(body):
    r = json.loads(body)
    return json.dumps({"square": r["id"] * r["id"]})


def nested_answer(body):
    """Objects inside the answer: merged as fields with dotted paths, written back nested (the renamed
    path last inside `user`: the writers nest consecutive paths, so a field renamed out of the middle of
    an object would split it in two)."""
    return json.dumps([{"user": {"id": r["id"], "geo": {"city": None, "country": "DE" if r["id"] % 2 else "FR"}},
                        "tags": ["a", r["id"]], "empty": {}, "e.mail": {"x.y": r["id"]}, "other": {"skip": 1}}
                       for r in records(body)])


def service(answer, script=(), delay_s=0.0):
    return Recorder(script=list(script), default={"status": 200, "body": answer}, delay_s=delay_s)


def check_enriched(p, count):
    records = by_id(p.out)
    check(sorted(records) == list(range(count)), "every record out once", f"ids 0..{count - 1}",
          f"{len(p.out)} records, {len(records)} distinct ids")
    wrong = [r for r in p.out if r.get("double") != r["id"] * 2 or r.get("label") != f"n{r['id']}"]
    check(not wrong, "each record has double = 2*id and label = n<id>", "none wrong", wrong[:3])


def case_enrich_position():
    rec = service(enrich_by_position)
    with Server(rec) as s:
        p = run(graph(s.url("/lookup"), count=1000, batch=100, stage_keys='send = ["id"]'))
    ok_run(p)
    check_enriched(p, 1000)
    check(len(rec.requests) == 10, "requests (one per batch of 100)", 10, len(rec.requests))
    sent = json.loads(rec.requests[0]["body"])
    check(sent[:2] == [{"id": 0}, {"id": 1}], "the body: a JSON array of the chosen fields", [{"id": 0}, {"id": 1}], sent[:2])
    check({r["headers"].get("Content-Type") for r in rec.requests} == {"application/json"}, "Content-Type",
          "application/json", {r["headers"].get("Content-Type") for r in rec.requests})
    check(len({r["client"] for r in rec.requests}) == 1, "connections (keep-alive)", 1,
          len({r["client"] for r in rec.requests}))
    check(all("value" in r and "ts" in r for r in p.out), "the records keep their own fields")


def case_enrich_key():
    keys = 'match = "key"\nkey = "id"\nresponse_key = "uid"\nresults = "results"\nfields = ["tier"]\n' \
           'unmatched = "reject"\non_error = "route"\nformat = "ndjson"\ngzip = true\n' \
           'headers = { Authorization = "Bearer ${HTTP_CALL_TOKEN}" }'
    rec = service(enrich_by_key)
    with Server(rec) as s:
        p = run(graph(s.url(), count=500, batch=50, stage_keys=keys), env={"HTTP_CALL_TOKEN": "s3cret-5b1e"},
                args=["--log-level", "debug"])
    ok_run(p)
    expected = {i: ("gold" if i % 2 else "silver") for i in range(500) if i % 5 != 0}
    got = {r["id"]: r.get("tier") for r in p.out}
    check(got == expected, "tier by id for the known ids", list(expected.items())[:4], list(got.items())[:4])
    check(all("uid" not in r for r in p.out), "only the fields asked for are merged")
    rejected = sorted(r["id"] for r in p.rejects)
    check(rejected == list(range(0, 500, 5)), "unknown ids routed", "0, 5, 10 ...", rejected[:5])
    check(all(f"(id = {r['id']})" in r["error"] for r in p.rejects), "routed records say which key",
          "... (id = N)", p.rejects[:1])
    check(p.nodes["call"]["routed"] == 100, "call.routed", 100, p.nodes["call"]["routed"])
    r = rec.requests[0]
    body = r["body"].decode()
    check(body.count("\n") == 50 and body.startswith("{"), "the body: NDJSON", "50 lines", body[:80])
    check(r["headers"].get("Content-Type") == "application/x-ndjson", "Content-Type", "application/x-ndjson",
          r["headers"].get("Content-Type"))
    check(r["headers"].get("Content-Encoding") == "gzip" and r["raw_bytes"] < len(r["body"]), "gzip",
          f"Content-Encoding: gzip, < {len(r['body'])} bytes", (r["headers"].get("Content-Encoding"), r["raw_bytes"]))
    check(r["headers"].get("Authorization") == "Bearer s3cret-5b1e", "Authorization, ${VAR} expanded",
          "Bearer s3cret-5b1e", r["headers"].get("Authorization"))
    check("s3cret-5b1e" not in p.stdout + p.stderr + json.dumps(p.metrics), "the token is in no output", "absent",
          "present")


def case_filter():
    rec = service(approve_multiples_of_3)
    with Server(rec) as s:
        p = run(graph(s.url(), count=1000, batch=128, stage_keys='mode = "filter"\nsend = ["id", "value"]'))
    ok_run(p)
    ids = sorted(r["id"] for r in p.out)
    check(ids == list(range(0, 1000, 3)), "exactly the records the service approved", "0, 3, 6 ... 999", ids[:5])
    check(all("keep" not in r for r in p.out), "the keep field is not merged")
    check(p.nodes["call"]["records_out"] == 334, "call.records_out", 334, p.nodes["call"]["records_out"])


def case_per_record():
    rec = service(one_record)
    with Server(rec) as s:
        p = run(graph(s.url(), count=60, batch=20, stage_keys='request = "record"\nsend = ["id"]'))
    ok_run(p)
    check(len(rec.requests) == 60, "requests (one per record)", 60, len(rec.requests))
    wrong = [r for r in p.out if r.get("square") != r["id"] ** 2]
    check(len(p.out) == 60 and not wrong, "each record has its square", "60 records, none wrong", (len(p.out), wrong[:3]))
    check(json.loads(rec.requests[0]["body"]) == {"id": 0}, "a record's body", {"id": 0}, rec.requests[0]["body"])


def case_transient():
    # A 503 with Retry-After: 1, then a 429, then answers: nothing lost, nothing twice.
    rec = service(enrich_by_position, script=[{"status": 503, "retry_after": "1"}, {"status": 429, "retry_after": "0"}])
    with Server(rec) as s:
        p = run(graph(s.url(), count=300, batch=100, stage_keys="retries = 3\nbackoff_ms = 10"))
    ok_run(p)
    check_enriched(p, 300)
    check([r["status"] for r in rec.requests][:3] == [503, 429, 200], "answers in order", [503, 429, 200],
          [r["status"] for r in rec.requests][:3])
    check(p.nodes["call"]["retries"] == 2, "call.retries", 2, p.nodes["call"]["retries"])
    gap = rec.requests[1]["start"] - rec.requests[0]["end"]
    check(0.95 <= gap < 5, "seconds between the 503 (Retry-After: 1) and the retry", ">= 1", round(gap, 3))


def case_route_400():
    rec = service(enrich_by_position, script=[{"status": 400, "body": '{"error": "unknown user"}'}])
    with Server(rec) as s:
        p = run(graph(s.url(), count=300, batch=100, stage_keys='on_error = "route"'))
    ok_run(p)
    check(len(p.out) == 200 and len(p.rejects) == 100, "enriched + routed", (200, 100), (len(p.out), len(p.rejects)))
    check(sorted(r["id"] for r in p.out + p.rejects) == list(range(300)), "every id once, enriched or routed")
    check(len(rec.requests) == 3, "requests (a 400 is not retried)", 3, len(rec.requests))
    r = p.rejects[0] if p.rejects else {}
    check(r.get("http_status") == 400, "routed http_status", 400, r.get("http_status"))
    check("unknown user" in r.get("http_body", ""), "routed http_body", "the server's body", r.get("http_body"))
    check("HTTP 400" in r.get("error", "") and r.get("error_node") == "call", "routed error", "HTTP 400 ...", r)
    check("double" not in r, "a routed record is not enriched", "no double", r)


def case_mismatch():
    short = lambda body: json.dumps([{"double": 0}])  # noqa: E731 - one item whatever the batch
    rec = service(enrich_by_position, script=[{"status": 200, "body": short}])
    with Server(rec) as s:
        p = run(graph(s.url(), count=200, batch=100, stage_keys='on_error = "route"'))
    ok_run(p)
    check(len(p.out) == 100 and len(p.rejects) == 100, "enriched + routed", (100, 100), (len(p.out), len(p.rejects)))
    r = p.rejects[0] if p.rejects else {}
    check("the response has 1 item(s) for 100 record(s)" in r.get("error", ""), "routed error", "1 item(s) for 100", r)
    check(r.get("http_status") == 200, "routed http_status", 200, r.get("http_status"))
    check(len(rec.requests) == 2, "requests (a mismatch is permanent: no retry)", 2, len(rec.requests))
    with Server(service(lambda body: "not json")) as s:
        p = run(graph(s.url(), count=100, batch=100))
    check(p.returncode == 1 and "node 'call' (plugin 'http_call')" in p.stderr and "not json" in p.stderr,
          "on_error = fail: exit 1 naming the node and the answer", "exit 1", (p.returncode, p.stderr[-600:]))


def case_timeout():
    rec = service(enrich_by_position, script=[{"delay_s": 2}])
    with Server(rec) as s:
        p = run(graph(s.url(), count=100, batch=100, stage_keys="timeout_ms = 300\nbackoff_ms = 1"))
    ok_run(p)
    check(p.nodes["call"]["retries"] == 1, "call.retries after one timeout", 1, p.nodes["call"]["retries"])
    # The slow request is recorded once the server's 2 s are over: when the run ended before
    # that, the client gave up first; else its retry must have started well before.
    starts = sorted(r["start"] for r in rec.requests)
    check(len(starts) == 1 or (len(starts) == 2 and starts[1] - starts[0] < 1.5), "the retry did not wait for the "
          "server's 2 s (timeout_ms = 300)", "retry < 1.5 s after", [round(s - starts[0], 2) for s in starts])
    check_enriched(p, 100)


def case_concurrency():
    rec = service(enrich_by_position, delay_s=0.2)
    with Server(rec) as s:
        p = run(graph(s.url(), count=2000, batch=100, stage_keys="blocking = true\nconcurrency = 4"))
    ok_run(p)
    check_enriched(p, 2000)
    check(rec.max_in_flight == 4, "requests in flight at once", 4, rec.max_in_flight)
    span = max(r["end"] for r in rec.requests) - min(r["start"] for r in rec.requests)
    check(span < 3, "seconds the server was busy with 20 requests of 0.2 s, 4 at a time (one at a time: 4 s)", "< 3",
          round(span, 2))


def case_nested():
    keys = 'send = ["id"]\nfields = ["user", "tags", "empty", "e.mail"]\nrename = { "user.geo.country" = "country" }'
    with Server(service(nested_answer)) as s:
        p = run(graph(s.url(), count=200, batch=50, stage_keys=keys))
    ok_run(p)
    wrong = [r for r in p.out
             if r.get("user") != {"id": r["id"], "geo": {"city": None}} or r.get("country") != ("DE" if r["id"] % 2 else "FR")
             or r.get("tags") != ["a", r["id"]] or r.get("empty") != {} or r.get("e.mail") != {"x.y": r["id"]}
             or "other" in r]
    check(len(p.out) == 200 and not wrong,
          "nested answer objects merged as paths (user.id, user.geo.city; user.geo.country renamed to country), "
          "arrays and {} as JSON, untaken members left out",
          '{"user": {"id": N, "geo": {"city": null}}, "country": ..., "tags": ["a", N], "empty": {}, "e.mail": {"x.y": N}}',
          wrong[:2] or len(p.out))


def case_bad_params():
    p = run(graph("http://127.0.0.1:1/x", stage_keys='match = "key"'))
    check(p.returncode == 2 and "match = \"key\" needs the record field" in p.stderr, "match = key without key: exit 2",
          "exit 2", (p.returncode, p.stderr[-400:]))
    p = run(graph("ftp://example.com/x"))
    check(p.returncode == 2 and "not an http:// or https:// URL" in p.stderr, "a bad URL: exit 2", "exit 2",
          (p.returncode, p.stderr[-400:]))


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}
if CASE not in CASES:
    sys.exit(f"unknown case {CASE!r}; cases: {', '.join(CASES)}")
CASES[CASE]()
if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print(f"ok: http_call, {CASE}")
