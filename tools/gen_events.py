#!/usr/bin/env python3
"""Writes a realistic web-access event log as JSON lines: graphs/data/web-events.jsonl.

    python3 tools/gen_events.py --seed 1 > graphs/data/web-events.jsonl

Deterministic: the same seed writes the same bytes. Each line is one request:

    {"id": 17, "ts": "2026-03-02T10:00:04.512Z", "method": "GET", "path": "/api/orders",
     "status": 200, "bytes": 5123, "latency_ms": 12.5, "user": {"id": "u0042", "country": "DE"}}

- `ts` is RFC 3339 (UTC, milliseconds), increasing by 0-600 ms, with a few events up to 5 s
  out of order (late arrivals, for event-time windows);
- `status` is an int, but about 1 in 150 is a string ("500"), as sloppy producers write it;
- `user.country` is missing for about 1 in 100 (anonymous users): they group as null;
- about 1 in 400 lines is broken (truncated JSON or plain text): a reader with
  `on_error = "drop"` skips them.
Other engineers' tests read this file: keep the schema.
"""
import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone

COUNTRIES = ["US"] * 30 + ["DE"] * 15 + ["IN"] * 12 + ["BR"] * 10 + ["GB"] * 9 + ["FR"] * 8 + ["JP"] * 7 + \
    ["NG"] * 5 + ["SE"] * 4
PATHS = [("/", "GET", 12000), ("/login", "POST", 800), ("/api/orders", "GET", 5200), ("/api/orders", "POST", 900),
         ("/api/cart", "GET", 2100), ("/api/cart", "PUT", 400), ("/search", "GET", 30000),
         ("/static/app.js", "GET", 180000), ("/api/users/me", "GET", 1500), ("/logout", "POST", 200)]
PATH_WEIGHTS = [20, 6, 14, 4, 10, 3, 12, 18, 9, 4]
STATUSES = [200] * 80 + [201] * 3 + [204] * 2 + [301] * 2 + [304] * 4 + [400] * 2 + [401] * 2 + [403] + [404] * 3 + \
    [429] + [500] * 2 + [502] + [503]


def event(rng, i, t, users):
    path, method, size = rng.choices(PATHS, PATH_WEIGHTS)[0]
    status = rng.choice(STATUSES)
    if method == "POST" and status == 200:
        status = 201 if path == "/api/orders" else 200
    slow = rng.random() < 0.03
    latency = rng.lognormvariate(2.5, 0.6) * (8 if slow else 1) * (3 if status >= 500 else 1)
    body = 0 if status in (204, 304) else max(0, int(rng.gauss(size, size * 0.2)))
    user_id, country = rng.choice(users)
    user = {"id": user_id} if country is None else {"id": user_id, "country": country}
    return {
        "id": i,
        "ts": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z",
        "method": method,
        "path": path,
        "status": str(status) if rng.random() < 1 / 150 else status,
        "bytes": body,
        "latency_ms": round(latency, 1),
        "user": user,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=2000, help="events (broken lines come on top)")
    args = p.parse_args()
    rng = random.Random(args.seed)
    users = [(f"u{n:04d}", None if rng.random() < 0.01 else rng.choice(COUNTRIES)) for n in range(1, 401)]
    t = datetime(2026, 3, 2, 10, 0, 0, tzinfo=timezone.utc)
    out = sys.stdout
    for i in range(1, args.count + 1):
        t += timedelta(milliseconds=rng.randint(0, 600))
        stamp = t - timedelta(milliseconds=rng.randint(1000, 5000)) if rng.random() < 0.01 else t
        line = json.dumps(event(rng, i, stamp, users), separators=(",", ":"))
        if rng.random() < 1 / 400:
            out.write(rng.choice([line[: rng.randint(5, len(line) - 2)], "GET /index.html HTTP/1.1 200"]) + "\n")
        else:
            out.write(line + "\n")


if __name__ == "__main__":
    main()
