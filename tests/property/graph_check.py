"""Compares what a sink received with what graph_model.py expects (random_graphs.py).

compare(name, expected, got, exact) -> list of failure texts:
- exact: the multiset of records equals the model's (every field, types included);
  otherwise (a run cut short) every record that arrived is one the model allows, no more
  often than it allows;
- order: for each way from a source to this sink that promises order (graph_model.Copy), and
  whose records the sink can tell apart from every other way's (same source, same fields),
  the records arrive in the order the source produced them.
"""
from __future__ import annotations

import collections
import json

from graph_model import norm


def read_jsonl(path):
    """The records of a jsonl sink's file, in file order ([] when it was never written)."""
    try:
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def _show(key):
    rec = {k: v for k, _, v in key}
    return json.dumps(rec, sort_keys=True)


def _sort_key(key):
    rec = {k: v for k, _, v in key}
    return (str(rec.get("source")), rec.get("id", -1), key)


def _signature(rec):
    return (rec.get("source"), frozenset(k for k, v in rec.items() if v is not None))


def compare(name, expected, got, exact=True):
    failures = []
    want = collections.Counter(norm(c.rec) for c in expected)
    have = collections.Counter(norm(r) for r in got)
    missing = want - have if exact else collections.Counter()
    extra = have - want
    if missing or extra:
        text = f"sink '{name}': expected {sum(want.values())} record(s), got {len(got)}"
        if missing:
            first = min(missing, key=_sort_key)
            text += f"; {sum(missing.values())} missing, first expected: {_show(first)} (x{missing[first]})"
        if extra:
            first = min(extra, key=_sort_key)
            how = "duplicated or not expected"
            text += f"; {sum(extra.values())} {how}, first: {_show(first)} (got x{have[first]}, allowed x{want[first]})"
        failures.append(text)

    ways = collections.defaultdict(set)  # signature -> {(path, promises order)}
    for c in expected:
        ways[_signature(c.rec)].add((c.path, c.ordered))
    for sig, paths in ways.items():
        if len(paths) != 1 or not next(iter(paths))[1]:
            continue
        path = next(iter(paths))[0]
        last = None
        for pos, rec in enumerate(got):
            if _signature(rec) != sig:
                continue
            if last is not None and rec["id"] <= last:
                failures.append(f"sink '{name}': order broken on the way {' -> '.join(path)} (which keeps order): "
                                f"line {pos + 1} has id {rec['id']} after id {last}")
                break
            last = rec["id"]
    return failures
