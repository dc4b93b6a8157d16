"""Runs graph-runner on a graph text for the tests of plugins that talk to loopback servers.

The http sink and http_call tests share it, so both keep a proxy from the environment off
loopback (no_proxy) and read the run's figures the same way.
"""
import json
import os
import subprocess
import time


def run_graph(gr, work, text, env=None, args=(), outputs=()):
    """Writes WORK/graph.toml, removes the last run's metrics and `outputs`, runs it; the
    CompletedProcess gains .seconds, .metrics (--metrics-json) and .nodes (by name)."""
    path = os.path.join(work, "graph.toml")
    with open(path, "w") as f:
        f.write(text)
    metrics = os.path.join(work, "metrics.json")
    for name in ("metrics.json", *outputs):
        if os.path.exists(os.path.join(work, name)):
            os.remove(os.path.join(work, name))
    start = time.monotonic()
    p = subprocess.run([gr, "run", path, "--metrics-json", metrics, *args], capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, no_proxy="127.0.0.1,localhost", **(env or {})))
    p.seconds = time.monotonic() - start
    p.metrics = json.load(open(metrics)) if os.path.exists(metrics) else {}
    p.nodes = {n["name"]: n for n in p.metrics.get("nodes", [])}
    return p
