#!/usr/bin/env python3
"""The demo user service of graphs/user-filter.toml, on loopback (http_test_server.py).

POST a JSON array of users ({"id": ..., ...}); the answer is a JSON array with one object per
user, in any order, keyed by id: {"id": ID, "allowed": BOOL, "tier": "bronze"|"silver"|"gold"}.
A user whose id ends in 7 is blocked (allowed: false); the tier is id % 3. Deterministic, so
the example's output is the same in every run.

    python3 tests/cli/user_service.py --port 8081     # then: graph-runner run graphs/user-filter.toml
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_test_server import Recorder, serve_until_interrupted  # noqa: E402

TIERS = ["bronze", "silver", "gold"]
PATH = "/users"


def answer(body):
    users = json.loads(body)
    # Reversed: the stage matches by key, not by position.
    return json.dumps([{"id": u["id"], "allowed": u["id"] % 10 != 7, "tier": TIERS[u["id"] % 3]}
                       for u in reversed(users)])


def recorder(script=()):
    return Recorder(script=list(script), default={"status": 200, "body": answer})


def main():
    p = argparse.ArgumentParser(description="demo user service (loopback) for graphs/user-filter.toml")
    p.add_argument("--port", type=int, default=8081)
    args = p.parse_args()
    def report(r):
        print(f"{r['method']} {r['path']} -> {r['status']}: {len(json.loads(r['body']))} user(s)", flush=True)

    return serve_until_interrupted(recorder(), args.port, PATH, report)


if __name__ == "__main__":
    sys.exit(main())
