#!/usr/bin/env python3
"""`run --log-level/--log-format`: json lines are one object each with ts, level, node and
msg; levels filter; every node's messages name it; text lines do the same in words.

    log_lines.py GRAPH_RUNNER GRAPH NODE...     (GRAPH runs to completion, NODEs are its nodes)
"""
import json
import re
import subprocess
import sys

exe, graph, nodes = sys.argv[1], sys.argv[2], sys.argv[3:]
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def run(*options):
    p = subprocess.run([exe, "run", graph, "--quiet", *options], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=120)
    if p.returncode != 0:
        fail(f"{options}: exit code {p.returncode}\n{p.stderr}")
    return p.stderr.splitlines()


def json_lines(*options):
    events = []
    for line in run("--log-format", "json", *options):
        try:
            event = json.loads(line)
        except json.JSONDecodeError as e:
            fail(f"{options}: not a JSON object: {line!r} ({e})")
            continue
        if not isinstance(event, dict) or set(event) != {"ts", "level", "node", "msg"}:
            fail(f"{options}: expected the keys ts, level, node, msg: {line!r}")
            continue
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["ts"]):
            fail(f"{options}: ts is not ISO 8601 UTC: {line!r}")
        events.append(event)
    return events


debug = json_lines("--log-level", "debug")
for node in nodes:
    mine = [e for e in debug if e["node"] == node and e["level"] == "debug"]
    if not any(e["msg"].startswith("created (plugin '") for e in mine):
        fail(f"--log-level debug: no debug 'created' message naming node {node!r}: {mine}")
    if not any(e["msg"].startswith("closed: ") for e in mine):
        fail(f"--log-level debug: no debug 'closed' message naming node {node!r}: {mine}")
unknown = [e for e in debug if e["node"] is not None and e["node"] not in nodes]
if unknown:
    fail(f"messages naming nodes the graph does not have: {unknown}")

info = json_lines("--log-level", "info")
if any(e["level"] in ("trace", "debug") for e in info):
    fail(f"--log-level info shows debug messages: {info}")
off = json_lines("--log-level", "off")
if off:
    fail(f"--log-level off still logs: {off}")

text = run("--log-level", "debug")
pattern = re.compile(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[debug\] node=(\w+): created \(plugin '\w+'\)")
named = {m[1] for line in text if (m := pattern.fullmatch(line))}
if named != set(nodes):
    fail(f"text format: 'created' lines for {sorted(named)}, expected {sorted(nodes)}:\n" + "\n".join(text))

if failures:
    sys.exit(1)
print(f"ok: {len(debug)} json events at debug, {len(info)} at info")
