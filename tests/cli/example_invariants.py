"""What must hold after any example run, from its --metrics-json, whatever the timing
(used by example_run.py). Each function returns a list of failure messages."""
import collections
import json
import os
import re

COLUMNS = {"in": "records_in", "out": "records_out", "errors": "errors", "dropped": "dropped",
           "routed": "routed", "retries": "retries"}
COUNT_LINE = re.compile(r"([\w.-]+): (\d+) records, checksum [0-9a-f]+")
TERM = re.compile(r"([\w-]+)\.(\w+)|(\d+)")


def check(metrics, final, stdout_lines, balances):
    failures = []
    nodes = {n["name"]: n for n in metrics["nodes"]}
    if metrics["status"] != "completed":
        failures.append(f"status {metrics['status']!r}, expected 'completed' ({metrics['error']})")
    if metrics["acknowledged_batches"] != metrics["source_batches"] or metrics["source_batches"] == 0:
        failures.append(f"{metrics['acknowledged_batches']} of {metrics['source_batches']} source batches "
                        "acknowledged, expected all of them")
    if final and final[2] != final[3]:
        failures.append(f"the final line says {final[2]}/{final[3]} batches acknowledged, expected all")
    if final and int(final[1]) != metrics["records_produced"]:
        failures.append(f"the final line says {final[1]} records, --metrics-json {metrics['records_produced']}")

    for n in nodes.values():
        if n["kind"] != "stage":
            continue
        accounted = n["records_out"] + n["dropped"] + n["routed"]
        if n["plugin"] == "aggregate":  # records become results: each is aggregated, dropped or routed
            aggregated = n.get("gauges", {}).get("aggregated")
            if aggregated is None or aggregated + n["dropped"] + n["routed"] != n["records_in"]:
                failures.append(f"node {n['name']!r}: records in {n['records_in']}, expected aggregated + dropped + "
                                f"routed = {aggregated} + {n['dropped']} + {n['routed']}")
            continue
        # A filter (or http_call in filter mode, parse_regex with on_no_match = "drop") leaves
        # records out on purpose; every other stage passes each one on.
        if accounted > n["records_in"] or (accounted != n["records_in"] and
                                           n["plugin"] not in ("filter", "http_call", "parse_regex")):
            failures.append(f"node {n['name']!r}: records in {n['records_in']}, expected out + dropped + routed = "
                            f"{n['records_out']} + {n['dropped']} + {n['routed']} = {accounted}")

    for line in stdout_lines:
        m = COUNT_LINE.fullmatch(line)
        if m and m[1] in nodes and int(m[2]) != nodes[m[1]]["records_in"]:
            failures.append(f"stdout {line!r}: {m[2]} records, expected the sink's records_in, "
                            f"{nodes[m[1]]['records_in']}")

    for balance in balances:
        failures += check_balance(balance, nodes)
    return failures


def check_balance(balance, nodes):
    """'numbers.out = total.in + flaky.dropped' (or >=): sums of NODE.COLUMN terms and integers."""
    m = re.fullmatch(r"(.+?)\s*(>=|=)\s*(.+)", balance)
    if not m:
        return [f"--balance {balance!r}: expected 'A.column = B.column + ...'"]
    sides = []
    for side in (m[1], m[3]):
        total = 0
        for term in (t.strip() for t in side.split("+")):
            t = TERM.fullmatch(term)
            if not t or (t[1] and (t[1] not in nodes or t[2] not in COLUMNS)):
                return [f"--balance {balance!r}: {term!r} is not NODE.COLUMN ({', '.join(COLUMNS)}) of a node"]
            total += int(t[3]) if t[3] else nodes[t[1]][COLUMNS[t[2]]]
        sides.append(total)
    holds = sides[0] >= sides[1] if m[2] == ">=" else sides[0] == sides[1]
    return [] if holds else [f"{balance}: {sides[0]} {m[2]} {sides[1]} does not hold"]


def values(path, field):
    """The FIELD of each JSON line of path, or each line itself without a FIELD."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if field is None:
        return lines
    out = []
    for line in lines:
        v = json.loads(line).get(field)
        out.append(v if isinstance(v, str) else json.dumps(v))
    return out


def split_field(spec):
    path, _, field = spec.rpartition(":")
    return (path, field) if path and re.fullmatch(r"\w+", field) else (spec, None)


def exactly_once(out_dir, spec):
    """spec: ['OUT:FIELD', 'INPUT[:FIELD]', ...]: the output holds each input record once."""
    out_name, field = split_field(spec[0])
    out_path = os.path.join(out_dir, out_name)
    if not os.path.exists(out_path):
        return [f"the run did not write {out_path}"]
    got = collections.Counter(values(out_path, field))
    want = collections.Counter()
    for input_spec in spec[1:]:
        want.update(values(*split_field(input_spec)))
    missing = want - got
    extra = got - want
    if not missing and not extra:
        return []

    def some(counter):
        return ", ".join(repr(v) for v in sorted(counter)[:5]) + (" ..." if len(counter) > 5 else "")

    inputs = " ".join(os.path.basename(s) for s in spec[1:])
    return [f"{out_name}: each {field} of {inputs} exactly once: expected {sum(want.values())} records, "
            f"got {sum(got.values())}; missing {sum(missing.values())} ({some(missing)}), "
            f"extra or repeated {sum(extra.values())} ({some(extra)})"]
