#!/usr/bin/env python3
"""Writes the small data files the example graphs read. Deterministic: run it again and the
files come out the same. Kept small (well under 200 KB) so every example runs in < 2 s.

    python3 graphs/data/make_data.py
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(7)

FIRST = ["Ada", "Alan", "Grace", "Linus", "Barbara", "Ken", "Dennis", "Margaret", "Edsger", "Donald",
         "Frances", "John", "Radia", "Niklaus", "Sophie", "Tim", "Katherine", "Bjarne", "Guido", "Anita"]
LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Liskov", "Thompson", "Ritchie", "Hamilton", "Dijkstra",
        "Knuth", "Allen", "McCarthy", "Perlman", "Wirth", "Wilson", "Berners-Lee", "Johnson", "Stroustrup",
        "van Rossum", "Borg", "O'Neil", "Smith, Jr."]
COUNTRIES = ["DE", "FR", "US", "JP", "BR", "IN", "NG", "SE"]
NOTES = ["", "", "", "", "vip", "prefers \"email\" contact", "moved, new address", "line one\nline two"]


def users(path, n=1000):
    with open(path, "w", newline="") as f:
        f.write("id,name,email,age,country,balance,active,notes\n")
        for i in range(1, n + 1):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f"{first} {last}"
            email = f"{first.lower()}.{i}@example.org"
            age = rng.randint(18, 90)
            balance = "" if rng.random() < 0.03 else f"{rng.uniform(0, 2000):.2f}"
            active = "true" if rng.random() < 0.8 else "false"
            fields = [str(i), name, email, str(age), rng.choice(COUNTRIES), balance, active, rng.choice(NOTES)]
            f.write(",".join(quote(x) for x in fields) + "\n")


def quote(text):
    if any(c in text for c in ',"\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def events(path, n=500):
    kinds = ["click", "view", "purchase", "signup", "logout"]
    with open(path, "w") as f:
        for i in range(1, n + 1):
            kind = rng.choice(kinds)
            event = {"id": i, "ts": 1_700_000_000_000 + i * 250, "user_id": rng.randint(1, 1000), "type": kind,
                     "value": round(rng.uniform(0, 400), 2), "tags": rng.sample(["web", "mobile", "beta", "eu"], 2),
                     "meta": {"page": rng.choice(["/home", "/cart", "/search"]), "ok": rng.random() < 0.9}}
            f.write(json.dumps(event, separators=(",", ":")) + "\n")


def sensors(folder, names=("north", "south", "west"), n=200):
    os.makedirs(folder, exist_ok=True)
    for k, name in enumerate(names):
        with open(os.path.join(folder, f"{name}.csv"), "w") as f:
            f.write("id,sensor,reading,ts\n")
            for i in range(n):
                reading = "" if rng.random() < 0.02 else f"{rng.gauss(20 + 5 * k, 8):.3f}"
                f.write(f"{k * 10000 + i},{name},{reading},{1_700_000_000 + i}\n")


def logs(folder, names=("api", "worker"), n=300):
    os.makedirs(folder, exist_ok=True)
    levels = ["INFO"] * 6 + ["WARN", "ERROR"]
    for name in names:
        with open(os.path.join(folder, f"{name}.log"), "w") as f:
            for i in range(n):
                f.write(f"2024-05-01T12:{i // 60:02d}:{i % 60:02d}Z {rng.choice(levels)} {name} request {i} "
                        f"took {rng.randint(1, 900)} ms\n")


if __name__ == "__main__":
    users(os.path.join(HERE, "users.csv"))
    events(os.path.join(HERE, "events.jsonl"))
    sensors(os.path.join(HERE, "sensors"))
    logs(os.path.join(HERE, "logs"))
