"""What each sink of a random graph must receive (tests/property/random_graphs.py).

expected_sinks(graph, produced, probes) follows every record of every source through the
graph, node by node, as the plugins define it (plugins/<name>/*.cpp): `generate`'s fields,
filter/route predicates on id and value, map assignments in file order, batch/throttle as
pass-through, chaos under retry as pass-through. A chaos stage under drop or route fails
records the model cannot predict: `probes` holds what its probe sinks received (its `out` and
`errors`), and the model goes on from those, after checking them against what entered it.
With probes = None (a run cut short), such a stage may pass or fail any record: the result is
then an upper bound.

Each expected record is a Copy: the record, the way it took (node.port hops) and whether
that way promises order (every node on it keeps order: graph_gen.Node.keeps_order).
"""
from __future__ import annotations

import collections
import re

START_NS = 1_700_000_000_000_000_000
STEP_NS = 1000
MASK = (1 << 64) - 1


def _mix(x):
    """splitmix64's finalizer, as plugins/generate/generate.cpp."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def generate_records(name, seed, count):
    """The records of a `generate` source, as plugins/generate/generate.cpp makes them."""
    stream = _mix(seed & MASK)
    out = []
    for i in range(count):
        unit = (_mix((stream + i) & MASK) >> 11) * 2.0**-53
        out.append({"id": i, "value": -100.0 + 1100.0 * unit, "source": name, "ts": START_NS + i * STEP_NS})
    return out


def norm(rec):
    """A record as a hashable value: fields sorted, types kept (1, 1.0 and true differ); a null
    field counts as absent (a `batch` stage fills the fields one of its inputs lacked with null)."""
    items = []
    for k, v in rec.items():
        if v is None:
            continue
        tag = "b" if isinstance(v, bool) else "i" if isinstance(v, int) else "f" if isinstance(v, float) else "s"
        items.append((k, tag, v))
    return tuple(sorted(items))


Copy = collections.namedtuple("Copy", "rec path ordered")


# ---- the expressions the generator writes ---------------------------------------------------
_TERM = re.compile(r"^(id|value) (>=|<=|<|>) (-?\d+)$")
_OPS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">": lambda a, b: a > b}


def predicate(text):
    """A filter/route predicate: TERM, TERM && TERM or TERM || TERM over id and value."""
    for op, join in ((" && ", all), (" || ", any)):
        if op in text:
            terms = [predicate(t) for t in text.split(op)]
            return lambda r: join(t(r) for t in terms)
    m = _TERM.match(text)
    if not m:
        raise ValueError(f"the model cannot read predicate {text!r}")
    field, op, num = m.group(1), _OPS[m.group(2)], int(m.group(3))
    return lambda r: op(r[field], num)


def assignment(text):
    """A map expression: 'id * A + B' (int), 'value + C' / 'value * 2' (double), 'value > T' (bool)."""
    m = re.match(r"^id \* (\d+) \+ (-?\d+)$", text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return lambda r: r["id"] * a + b
    m = re.match(r"^value \+ (-?\d+)$", text)
    if m:
        c = float(m.group(1))
        return lambda r: r["value"] + c
    if text == "value * 2":
        return lambda r: r["value"] * 2.0
    m = re.match(r"^value > (-?\d+)$", text)
    if m:
        t = int(m.group(1))
        return lambda r: r["value"] > t
    raise ValueError(f"the model cannot read map expression {text!r}")


def _with_error(rec, node):
    return {**rec, "error": node.params["error"], "error_node": node.name}


class ModelError(Exception):
    """A probe sink's records do not fit what entered its chaos stage."""


def _chaos_outputs(node, incoming, probes, dropped):
    """Ports of a chaos stage under drop/route, from what its probe sinks received."""
    out_port, err_port = [], []
    if probes is None:  # unknown: any record may pass or fail
        for c in incoming:
            out_port.append(c)
            if node.reserved["on_error"] == "route":
                err_port.append(Copy(_with_error(c.rec, node), c.path, c.ordered))
        return out_port, err_port
    # A routed record gets `error` and `error_node` (replacing those of an earlier routing
    # node), so each port's records are matched by what that port makes of an input.
    index = {"out": collections.defaultdict(list), "errors": collections.defaultdict(list)}
    paths = collections.defaultdict(set)  # a record -> the ways its copies came in
    for i, c in enumerate(incoming):
        index["out"][norm(c.rec)].append(i)
        index["errors"][norm(_with_error(c.rec, node))].append(i)
        paths[norm(c.rec)].add(tuple(c.path))
    used = set()
    got = {"out": probes[(node.name, "out")], "errors": probes.get((node.name, "errors"), [])}
    for port in ("out", "errors"):
        for rec in got[port]:
            left = index[port].get(norm(rec), [])
            while left and left[-1] in used:
                left.pop()
            if not left:
                raise ModelError(f"'{node.name}.{port}' got a record that did not enter '{node.name}' "
                                 f"(or got it twice): {rec}")
            i = left.pop()
            used.add(i)
            c = incoming[i]
            # Equal copies that came in by different ways (a fan-out joined again here) cannot
            # be told apart: which of them failed is a guess, so neither promises an order.
            ordered = c.ordered and len(paths[norm(c.rec)]) == 1
            (out_port if port == "out" else err_port).append(
                Copy(c.rec if port == "out" else _with_error(c.rec, node), c.path, ordered))
    waiting = {"": [c for i, c in enumerate(incoming) if i not in used]}
    missing = sum(len(v) for v in waiting.values())
    if node.reserved["on_error"] == "route" and missing:
        example = next(c.rec for v in waiting.values() for c in v)
        raise ModelError(f"{missing} record(s) entered '{node.name}' (on_error = route) but reached neither "
                         f"its out nor its errors port, e.g. {example}")
    if node.reserved["on_error"] == "drop" and dropped is not None and missing != dropped:
        raise ModelError(f"'{node.name}' (on_error = drop): {missing} record(s) entered and never came out, "
                         f"but the metrics count {dropped} dropped")
    return out_port, err_port


def expected_sinks(graph, produced, probes=None, dropped=None):
    """{sink name: [Copy]}. produced: {source: records it produced}; probes: {(chaos, port):
    [records its probe sink got]} or None; dropped: {node: dropped count from the metrics}."""
    ports = {}  # (node, port) -> [Copy]
    result = {}
    paths = {}  # (path, node, port) -> the path one hop further: one tuple per way, not per record
    for node in graph.nodes.values():
        keeps = node.keeps_order()

        def step(c, port="out", rec=None, node=node, keeps=keeps):  # one hop further
            key = (c.path, node.name, port)
            path = paths.get(key)
            if path is None:
                path = paths[key] = c.path + (f"{node.name}.{port}",)
            return Copy(c.rec if rec is None else rec, path, c.ordered and keeps)
        if node.kind == "source":
            recs = generate_records(node.name, node.params["seed"], produced[node.name])
            ports[(node.name, "out")] = [Copy(r, (node.name,), True) for r in recs]
            continue
        incoming = [c for inp in node.inputs for c in ports[inp]]
        if node.kind == "sink":
            result[node.name] = [step(c, "in") for c in incoming]
            continue
        p = node.params
        if node.plugin == "filter":
            keep = predicate(p["where"])
            ports[(node.name, "out")] = [step(c) for c in incoming if keep(c.rec)]
        elif node.plugin == "map":
            fns = [(field, assignment(text)) for field, text in p["set"]]
            out = []
            for c in incoming:
                rec = dict(c.rec)
                for field, fn in fns:
                    rec[field] = fn(rec)
                out.append(step(c, rec=rec))
            ports[(node.name, "out")] = out
        elif node.plugin == "route":
            preds = [(name, predicate(text)) for name, text in p["routes"]]
            for port in node.ports:
                ports[(node.name, port)] = []
            for c in incoming:
                port = next((name for name, pred in preds if pred(c.rec)), "default")
                ports[(node.name, port)].append(step(c, port))
        elif node.nondeterministic_chaos():
            out, err = _chaos_outputs(node, incoming, probes, None if dropped is None else dropped.get(node.name))
            ports[(node.name, "out")] = [step(c) for c in out]
            if "errors" in node.ports:
                ports[(node.name, "errors")] = [step(c, "errors") for c in err]
        else:  # batch, throttle, chaos under retry or without failures: every record, unchanged
            ports[(node.name, "out")] = [step(c) for c in incoming]
    return result
