"""Random small graphs for the property test (tests/property/random_graphs.py).

generate(seed) builds a graph from `seed` alone: 1-3 `generate` sources, a random DAG of
stages (filter, map, route, batch, throttle, chaos) with fan-out and fan-in, random shapes
(concurrency, ordered, partition_by, priority, blocking), and one jsonl sink per leaf, so that
graph_model.py can say exactly which records each sink must receive.

Rules that keep the expected outcome exact (each documented where it is applied):
- every output port is read (a route's every port, a routing node's `errors`);
- filter, map and route read only `id` and `value`, which every record has;
- a `batch` stage without a timeout is fed only by unreduced streams of sources whose window
  (max_in_flight x batch_size) covers its size, and is the only holding stage on their way
  (otherwise a source may starve by design: docs/graph-language.md, `batch`);
- a chaos stage whose failures the model cannot predict (drop/route) gets "probe" sinks on
  `out` and `errors`, from which the model learns which records failed.
"""
from __future__ import annotations

import dataclasses
import random

THREAD_SAFE = {"filter", "map", "route", "chaos"}  # default concurrency: unlimited; others 1


@dataclasses.dataclass
class Node:
    name: str
    kind: str                                   # source, stage, sink
    plugin: str
    inputs: list = dataclasses.field(default_factory=list)    # [(node, port)]; port "out" = default
    params: dict = dataclasses.field(default_factory=dict)    # plugin parameters
    reserved: dict = dataclasses.field(default_factory=dict)  # concurrency, ordered, ... (file keys)
    ports: list = dataclasses.field(default_factory=lambda: ["out"])
    probe: str = ""                             # "out"/"errors": a chaos probe sink

    def concurrency(self):
        """1, 2 or 0 (unlimited), the way the engine resolves the default."""
        c = self.reserved.get("concurrency")
        if c is None:
            return 0 if self.plugin in THREAD_SAFE else 1
        return 0 if c == "unlimited" else c

    def shape(self):
        """The shape the engine builds: blocking > partition_by > priority > ordered > plain."""
        r = self.reserved
        if r.get("blocking"):
            return "blocking"
        if "partition_by" in r:
            return "partition_by"
        if "priority" in r:
            return "priority"
        if r.get("ordered") and self.kind == "stage" and self.concurrency() != 1:
            return "ordered"
        return "plain"

    def keeps_order(self):
        """Does the graph promise that this node passes each source's records in order?"""
        shape = self.shape()
        if self.plugin == "batch" and self.concurrency() != 1:
            # Instances hold records across calls: `ordered` orders each call's output, but a
            # later call of one instance may send records older than another's.
            return False
        if shape == "ordered":
            return True
        if shape == "priority":
            return False
        if shape == "partition_by" and self.reserved["partition_by"] == "source":
            return True  # one lane per key: a source's records meet one serial lane
        return self.concurrency() == 1

    def nondeterministic_chaos(self):
        return self.plugin == "chaos" and self.reserved.get("on_error") in ("drop", "route")


@dataclasses.dataclass
class Graph:
    seed: int
    settings: dict
    nodes: dict          # name -> Node, in creation order (inputs always come first)
    sigint: bool = False
    sigint_delay: float = 0.0

    def sources(self):
        return [n for n in self.nodes.values() if n.kind == "source"]

    def window(self, source):
        """Records of `source` that may be in flight at once: max_in_flight x batch_size."""
        r = source.reserved
        return r.get("max_in_flight", self.settings["max_in_flight"]) * r.get("batch_size", self.settings["batch_size"])


def _log_uniform(rng, lo, hi):
    return int(round(lo * (hi / lo) ** rng.random()))


def _shape(rng, node, sink=False):
    """Random concurrency and shape keys for a stage or sink."""
    r = node.reserved
    if not sink:
        c = rng.choice([None, 1, 1, 2, "unlimited"])
        if c is not None:
            r["concurrency"] = c
    roll = rng.random()
    if roll < 0.12:
        r["blocking"] = True
    elif roll < 0.24:
        r["partition_by"] = rng.choice(["source", "id", "value"])
    elif roll < 0.34:
        r["priority"] = rng.choice(["id", "value"])
    elif roll < 0.50 and not sink:
        r["ordered"] = True


class _Builder:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.g = Graph(seed=seed, settings={}, nodes={})
        self.outputs = []      # (node, port) that may feed a new node
        self.read = set()      # (node, port) some node reads
        self.n = 0

    # ---- lineage helpers -------------------------------------------------------------
    def upstream(self, name):
        """Every node on some way into `name` (not itself)."""
        seen, todo = set(), [name]
        while todo:
            for src, _ in self.g.nodes[todo.pop()].inputs:
                if src not in seen:
                    seen.add(src)
                    todo.append(src)
        return seen

    def batch_without_timeout_ok(self, inputs, size):
        """May a batch stage fed by `inputs` hold records without a timer? (module docstring)"""
        ups = set()
        for src, _ in inputs:
            ups |= self.upstream(src) | {src}
        for u in ups:
            node = self.g.nodes[u]
            if node.plugin in ("filter", "route", "batch") or node.nondeterministic_chaos():
                return False
        sources = [self.g.nodes[u] for u in ups if self.g.nodes[u].kind == "source"]
        # Another holding stage fed by one of these sources (a sibling branch) pins batches too.
        for node in self.g.nodes.values():
            if node.plugin == "batch" and (self.upstream(node.name) & {s.name for s in sources}):
                return False
        return all(size <= self.g.window(s) for s in sources)

    def add(self, node):
        self.g.nodes[node.name] = node
        for inp in node.inputs:
            self.read.add(inp)
        if node.kind != "sink":
            self.outputs.extend((node.name, p) for p in node.ports)

    def name(self, prefix):
        self.n += 1
        return f"{prefix}{self.n}"

    # ---- nodes -----------------------------------------------------------------------
    def settings(self):
        rng, s = self.rng, self.g.settings
        s["batch_size"] = _log_uniform(rng, 1, 300)
        s["max_in_flight"] = _log_uniform(rng, 1, 64)
        s["stall_timeout_s"] = 10  # an engine stall is reported by the engine, naming nodes
        if rng.random() < 0.3:
            s["threads"] = rng.choice([1, 2, 4])

    def source(self, i, long_running):
        rng = self.rng
        node = Node(name=f"src{i}", kind="source", plugin="generate")
        count = _log_uniform(rng, 1, 1500) if not long_running else rng.randint(2000, 5000)
        node.params = {"count": count, "seed": rng.randint(0, 10**6)}
        r = node.reserved
        if rng.random() < 0.3:
            r["batch_size"] = _log_uniform(rng, 1, 300)
        if rng.random() < 0.3:
            r["max_in_flight"] = _log_uniform(rng, 1, 64)
        if long_running:
            r["rate"] = float(rng.randint(2000, 5000))       # about a second
        elif rng.random() < 0.2:
            r["rate"] = float(round(count / rng.uniform(0.05, 0.3)) + 1)  # 0.05-0.3 s
            if rng.random() < 0.5:
                r["burst"] = rng.randint(1, 500)
        if rng.random() < 0.1:
            r["blocking"] = True
        self.add(node)

    def pick_inputs(self):
        k = 2 if self.rng.random() < 0.3 and len(self.outputs) > 1 else 1
        # Prefer outputs nobody reads yet, so graphs grow deep rather than only wide.
        unread = [o for o in self.outputs if o not in self.read]
        pool = unread if unread and self.rng.random() < 0.7 else self.outputs
        first = self.rng.choice(pool)
        rest = [o for o in self.outputs if o != first]
        return [first] + (self.rng.sample(rest, 1) if k == 2 and rest else [])

    def stage(self):
        rng = self.rng
        plugin = rng.choice(["filter", "filter", "map", "map", "route", "batch", "throttle", "chaos", "chaos"])
        node = Node(name=self.name(plugin[:2]), kind="stage", plugin=plugin, inputs=self.pick_inputs())
        p = node.params
        if plugin == "filter":
            p["where"] = rng.choice([
                f"value >= {rng.randint(-100, 1000)}",
                f"id < {rng.randint(0, 1500)}",
                f"id >= {rng.randint(0, 800)} && value < {rng.randint(0, 1000)}",
                f"value < {rng.randint(-100, 600)} || id < {rng.randint(0, 300)}",
            ])
        elif plugin == "map":
            sets = [(f"m_{node.name}", f"id * {rng.randint(1, 9)} + {rng.randint(-50, 50)}")]
            extra = rng.random()
            if extra < 0.25:
                sets.append(("value", f"value + {rng.randint(-200, 200)}"))
            elif extra < 0.5:
                sets.append((f"v_{node.name}", "value * 2"))
            elif extra < 0.7:
                sets.append((f"b_{node.name}", f"value > {rng.randint(-100, 1000)}"))
            rng.shuffle(sets)
            p["set"] = sets
        elif plugin == "route":
            names = rng.sample(["hi", "lo", "mid", "zz", "aa"], rng.randint(1, 2))
            preds = [f"value > {rng.randint(-100, 1000)}", f"id < {rng.randint(0, 1500)}",
                     f"value <= {rng.randint(-100, 1000)}"]
            p["routes"] = [(n, rng.choice(preds)) for n in names]
            node.ports = names + ["default"]
        elif plugin == "throttle":
            p["per_second"] = float(rng.randint(20_000, 200_000))
            if rng.random() < 0.5:
                p["burst"] = rng.randint(1, 500)
            if rng.random() < 0.7:
                node.reserved["blocking"] = True
        elif plugin == "chaos":
            mode = rng.choice(["retry", "retry", "drop", "route", "pass"])
            if rng.random() < 0.3:
                p["sleep_us_per_record"] = rng.choice([1, 2, 5])
            if rng.random() < 0.2:
                p["sleep_ms"] = rng.choice([1, 2])
            p["seed"] = rng.randint(0, 10**6)
            p["error"] = f"chaos {node.name}"
            if mode == "retry":
                # Whole-batch failures drawn again on every attempt: 13 attempts at <= 20 % each
                # all fail once in a billion batches. (Not fail = "record": it fails the same
                # records on every attempt until chaos draws per attempt, issue 13 item 11.)
                p["fail_rate"] = round(rng.uniform(0.05, 0.2), 3)
                node.reserved.update(on_error="retry", retries=12, backoff_ms=1)
            elif mode in ("drop", "route"):
                p["fail_rate"] = round(rng.uniform(0.05, 0.5), 3)
                p["fail"] = rng.choice(["batch", "record"])
                node.reserved["on_error"] = mode
                if mode == "route":
                    node.ports = ["out", "errors"]
        _shape(rng, node)
        if plugin == "batch":
            self.batch_params(node)
        self.add(node)
        if node.nondeterministic_chaos():
            for port in node.ports:
                self.sink([(node.name, port)], probe=port)

    def batch_params(self, node):
        rng = self.rng
        ups = set()
        for src, _ in node.inputs:
            ups |= self.upstream(src) | {src}
        windows = [self.g.window(self.g.nodes[u]) for u in ups if self.g.nodes[u].kind == "source"]
        size = rng.randint(1, max(1, min(windows)))  # the documented bound: <= max_in_flight x batch_size
        node.params["size"] = size
        timeout = rng.choice([0, 0, rng.randint(1, 50)])
        if timeout == 0 and (node.concurrency() != 1 or not self.batch_without_timeout_ok(node.inputs, size)):
            timeout = rng.randint(1, 50)
        if timeout:
            node.params["timeout_ms"] = timeout

    def sink(self, inputs, probe=""):
        node = Node(name=self.name("pk" if probe else "sk"), kind="sink", plugin="jsonl", inputs=inputs, probe=probe)
        if not probe:
            _shape(self.rng, node, sink=True)
        self.add(node)

    def build(self):
        rng = self.rng
        self.settings()
        g = self.g
        g.sigint = rng.random() < 0.15
        n_sources = rng.randint(1, 3)
        for i in range(n_sources):
            self.source(i, long_running=g.sigint and i == 0)
        for _ in range(rng.randint(0, 6)):
            self.stage()
        # Extra sinks on random outputs (fan-out), then one on every output nobody reads.
        for _ in range(rng.randint(0, 2)):
            self.sink(self.pick_inputs())
        unread = [o for o in self.outputs if o not in self.read]
        rng.shuffle(unread)
        while unread:
            k = 2 if len(unread) > 1 and rng.random() < 0.3 else 1
            self.sink(unread[:k])
            unread = unread[k:]
        g.sigint_delay = rng.uniform(0.05, 0.5)
        self.cap_records()
        return g

    def cap_records(self, most=20_000):
        """Fan-out multiplies records (a record reaches a sink once per way): keep the records
        all sinks receive under `most`, so the model and the run stay quick."""
        ways = {}  # node -> ways from it to any sink
        for node in reversed(list(self.g.nodes.values())):
            readers = [n for n in self.g.nodes.values() if any(src == node.name for src, _ in n.inputs)]
            ways[node.name] = 1 if node.kind == "sink" else sum(
                ways[n.name] * sum(1 for src, _ in n.inputs if src == node.name) for n in readers)
        for s in self.g.sources():
            count = s.params["count"]
            s.params["count"] = max(1, min(count, most // max(1, ways[s.name] * len(self.g.sources()))))
            if "rate" in s.reserved and s.params["count"] < count:  # keep its duration
                s.reserved["rate"] = float(round(s.reserved["rate"] * s.params["count"] / count) + 1)


def generate(seed):
    return _Builder(seed).build()
