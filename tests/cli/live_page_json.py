#!/usr/bin/env python3
"""`run --ui`, without a browser: the page, the picture and /state.json of a running graph
over real HTTP; the figures are sane and move, the final ones stay during --ui-linger;
the server is loopback unless an address is named, refuses foreign Host names (DNS
rebinding), and without Graphviz serves the figures and says why there is no picture.

    live_page_json.py GRAPH_RUNNER tests/cli/data/live_page.toml
"""
import os
import signal
import socket
import sys
import tempfile
import time

from live_page_run import LiveRun

exe, graph = sys.argv[1], sys.argv[2]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def node(state, name):
    return next(n for n in state["nodes"] if n["name"] == name)


def edge(state, source, port, target):
    return next(e for e in state["edges"] if (e["from"], e["port"], e["to"]) == (source, port, target))


# 1. A run watched over HTTP: --ui :0 binds loopback, picks a port, prints the address.
run = LiveRun(exe, graph, "--ui", ":0", "--ui-linger", "30", "--set", "sources.numbers.duration_s=2.5")
check(run.host == "127.0.0.1", f"--ui :0 should bind 127.0.0.1, the printed address is {run.url}")
status, kind, page = run.get("")
check(status == 200 and kind.startswith("text/html"), f"GET /: HTTP {status} {kind}, expected 200 text/html")
check(b"<script>" in page and b"state.json" in page, "the page has no inline script polling state.json")
check(b"src=\"http" not in page and b"href=\"http" not in page, "the page loads something from elsewhere")
status, kind, svg = run.get("graph.svg")
check(status == 200 and kind.startswith("image/svg+xml"), f"GET /graph.svg: HTTP {status} {kind}")
for name in ["numbers", "checked", "good", "rejects"]:
    check(f"<title>{name}</title>".encode() in svg, f"the picture has no node {name}")
status, _, _ = run.get("state.json", {"Host": "attacker.example:80"})
check(status == 403, f"a request naming another host got HTTP {status}, expected 403")

first = run.wait_for(lambda s: s["state"] == "running" and s["records_produced"] > 0, 10, "a running state")
time.sleep(0.8)
second = run.state()
print(f"records from the sources: {first['records_produced']} then {second['records_produced']}")
check(second["records_produced"] > first["records_produced"],
      f"records_produced did not move: {first['records_produced']} then {second['records_produced']}")
check(second["seconds"] > first["seconds"], f"seconds did not move: {first['seconds']} then {second['seconds']}")
check(first["format"] == 1 and first["graph"] == "live-page", f"format/graph: {first['format']} {first['graph']}")
check([n["name"] for n in first["nodes"]] == ["numbers", "checked", "good", "rejects"],
      f"nodes: {[n['name'] for n in first['nodes']]}")
source = node(second, "numbers")
check(0 <= source["in_flight"] <= source["max_in_flight"] == 64,
      f"in flight {source['in_flight']} / {source['max_in_flight']}, expected within 0..64")
# 2000 records/s, measured over the last second: well away from 0 and from far too much
rate = second["records_per_second"]
check(1000 < rate < 3000, f"records_per_second {rate}, expected about 2000")
busy = node(second, "checked")["busy_percent"]
check(5 < busy < 100, f"checked busy {busy}%, expected about 30% (150 us a record at 2000 records/s)")
for n in second["nodes"]:
    for key in ["records_in", "records_out", "errors", "dropped", "routed", "retries", "busy_percent",
                "records_in_per_second", "records_out_per_second"]:
        check(n[key] >= 0, f"{n['name']}.{key} = {n[key]}")
    check(isinstance(n["gauges"], dict), f"{n['name']}.gauges is not an object")

# 2. The run ends; the final figures stay while --ui-linger holds the process open.
final = run.wait_for(lambda s: s["finished"], 15, "the end of the run")
time.sleep(0.6)
again = run.state()
check(final["state"] == "completed", f"state after the run: {final['state']}, expected completed")
check(again == final, "the final figures changed during --ui-linger")
produced = final["records_produced"]
checked = node(final, "checked")
check(4000 <= produced <= 6000, f"{produced} records in 2.5 s at 2000/s")
check(edge(final, "numbers", "out", "checked")["records"] == produced, "edge numbers->checked != records produced")
check(edge(final, "checked", "errors", "rejects")["records"] == checked["routed"] > 0,
      f"edge checked.errors->rejects: {edge(final, 'checked', 'errors', 'rejects')['records']}, routed {checked['routed']}")
check(node(final, "good")["records_in"] + checked["routed"] == produced, "good + routed != produced")
check(abs(final["records_per_second"] - produced / final["seconds"]) < 1,
      "after the run, records_per_second is not the average over the run")
check("for 30 s (Ctrl-C leaves now)" in run.stderr(), "no line saying how long the page stays")
code = run.finish(signal.SIGINT)
check(code == 0, f"exit code {code} after Ctrl-C during --ui-linger, expected the run's own 0")
try:
    socket.create_connection(("127.0.0.1", run.port), timeout=2).close()
    check(False, "the server still accepts connections after the process exited")
except OSError:
    pass

# 3. Another address must be named: 0.0.0.0 works, with a warning.
run = LiveRun(exe, graph, "--ui", "0.0.0.0:0", "--set", "sources.numbers.duration_s=0.3")
check(run.finish() == 0, "run with --ui 0.0.0.0:0 failed")
check("open to the network" in run.stderr(), f"no warning for --ui 0.0.0.0:0:\n{run.stderr()}")

# 4. No Graphviz: the figures without the picture, and a warning saying why.
with tempfile.TemporaryDirectory() as empty:
    env = dict(os.environ, PATH=empty)
    run = LiveRun(exe, graph, "--ui", "127.0.0.1:0", "--ui-linger", "20", "--set", "sources.numbers.duration_s=0.3",
                  env=env)
    status, _, body = run.get("graph.svg")
    check(status == 404 and b"not on PATH" in body, f"GET /graph.svg without Graphviz: HTTP {status} {body[:100]}")
    state = run.wait_for(lambda s: s["finished"], 10, "the end of the run")
    check("not on PATH" in state["drawing_error"], f"drawing_error: {state['drawing_error']!r}")
    check(state["records_produced"] > 0, "no figures without Graphviz")
    check(run.finish(signal.SIGTERM) == 0, "exit code after SIGTERM during --ui-linger")
    check("cannot draw the graph" in run.stderr(), f"no warning about the missing picture:\n{run.stderr()}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok")
