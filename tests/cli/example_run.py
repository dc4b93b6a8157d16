#!/usr/bin/env python3
"""Runs one example graph and checks what it produces, not only that it ran.

    example_run.py GRAPH_RUNNER GRAPH GOLDEN WORKDIR [--vary NODE.COLUMN...]
        [--stdout-mask REGEX...] [--file NAME...] [--balance "A.x = B.y + C.z"...]
        [--exactly-once OUT:FIELD INPUT[:FIELD]...]... [--post NODE FILE...] [--redis] [--vary-batches]
        [--expect NAME...]
        [--http-service VAR=PATH[:STATUS,...] [--received NAME] [--request-records N]]

The run's deterministic figures form a digest, compared line by line with the approved
GOLDEN (tests/cli/golden/examples/STEM.txt): stdout (count's `NAME: N records, checksum HEX`
lines), the summary table's counts per node, the final line's batches acknowledged, and each
--file of $OUT_DIR as its line count and the sha256 of its sorted lines (order-insensitive:
stages run concurrently); --show-file also lists those sorted lines (a small result file). What varies from run to run is masked as "~": --vary a summary
cell, --stdout-mask a part of a stdout line. On a difference the digest is written to
WORKDIR/STEM.txt.actual; after a review, GRAPH_RUNNER_APPROVE=1 writes it to GOLDEN.

Checked from --metrics-json whatever the golden says (example_invariants.py): the run
completed with every batch acknowledged, each stage's records in = out + dropped + routed
(a filter may also leave records out), each count line agrees with its sink's records_in,
every --balance holds, and each --exactly-once output holds every input record once.

--post NODE FILE...: the graph waits for records over HTTP (an http_server source NODE): it
runs with that node on a free port and max_requests = the number of FILEs, and each FILE is
POSTed to it (.json as application/json, others as NDJSON); each must be answered 200.

--http-service runs the graph against the demo service (tools/demo_service.py) on a free
loopback port, its URL for PATH in $VAR, answering the STATUSes first (with Retry-After: 1);
--received NAME writes the records of the requests it answered 2xx to $OUT_DIR/NAME (one JSON
line each), and --request-records N checks that each of those requests held N records.

--expect NAME...: $OUT_DIR/NAME holds exactly the lines of the approved GOLDEN_STEM.NAME (beside
GOLDEN; compared as sorted lines, as --file), for outputs small enough to review in full.
GRAPH_RUNNER_APPROVE=1 writes it too.

--redis starts a private redis-server on a Unix socket in WORKDIR for the run (the graph reads
its path as ${REDIS_SOCKET}) and stops it afterwards. --vary-batches masks the batch counts
of the final line (a stream source's batches depend on timing).
"""
import argparse
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.request

import example_invariants

SUMMARY_COLUMNS = ["in", "out", "errors", "dropped", "routed", "retries"]
FINAL = re.compile(r"(\d+) records in [0-9.]+ s \([0-9.]+[kMG]? records/s\), (\d+)/(\d+) batches acknowledged(.*)")


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("graph_runner")
    p.add_argument("graph")
    p.add_argument("golden")
    p.add_argument("workdir")
    p.add_argument("--vary", nargs="+", default=[], metavar="NODE.COLUMN")
    p.add_argument("--stdout-mask", nargs="+", default=[], metavar="REGEX")
    p.add_argument("--file", nargs="+", default=[], metavar="NAME")
    p.add_argument("--expect", nargs="+", default=[], metavar="NAME")
    p.add_argument("--show-file", nargs="+", default=[], metavar="NAME",
                   help="as --file, and its sorted lines verbatim in the digest (small outputs: an aggregate's results)")
    p.add_argument("--balance", action="append", default=[])
    p.add_argument("--exactly-once", action="append", nargs="+", default=[], metavar="OUT:FIELD INPUT")
    p.add_argument("--post", nargs="+", default=[], metavar="NODE FILE")
    p.add_argument("--redis", action="store_true")
    p.add_argument("--vary-batches", action="store_true")
    p.add_argument("--http-service", metavar="VAR=PATH[:STATUS,...]",
                   help="serve $VAR on loopback with the demo service (tools/demo_service.py), answering the "
                        "STATUSes first (with Retry-After: 1), then as its endpoint PATH does")
    p.add_argument("--received", metavar="NAME", help="with --http-service: what it answered 2xx, to $OUT_DIR/NAME")
    p.add_argument("--request-records", type=int, metavar="N",
                   help="with --http-service: each request answered 2xx held N records")
    return p.parse_args()


def run_posting(command, env, node, files, failures):
    """Runs the graph, POSTs each file to http_server `node` once it listens; a CompletedProcess."""
    command = command + ["--set", f"sources.{node}.port=0", "--set", f"sources.{node}.max_requests={len(files)}"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout = []
    reader = threading.Thread(target=lambda: stdout.append(proc.stdout.read()), daemon=True)
    reader.start()
    stderr, url = [], None
    for line in proc.stderr:
        stderr.append(line)
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            url = m[1]
            break
    if url is None:
        failures.append("no 'listening on URL' line from the http_server source")
    for path in files if url else []:
        kind = "application/json" if path.endswith(".json") else "application/x-ndjson"
        with open(path, "rb") as f:
            request = urllib.request.Request(url, data=f.read(), headers={"Content-Type": kind})
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                if r.status != 200:
                    failures.append(f"POST {path}: status {r.status}, expected 200")
        except OSError as e:
            failures.append(f"POST {path}: {e}")
    stderr.append(proc.stderr.read())
    proc.wait(timeout=60)
    reader.join(10)
    return subprocess.CompletedProcess(command, proc.returncode, "".join(stdout), "".join(stderr))


def summary_digest(stderr, vary, failures, vary_batches=False):
    """The table's rows without the timing columns: name plugin kind conc in out ... retries."""
    lines = [line for line in stderr.splitlines() if not line.startswith("[")]  # log lines
    header = next((i for i, line in enumerate(lines) if line.split()[:2] == ["node", "plugin"]), None)
    if header is None:
        failures.append("no summary table on stderr")
        return [], None
    digest, final, cells_seen = [], None, set()
    for line in lines[header + 1:]:
        m = FINAL.fullmatch(line)
        if m:
            final = m
            break
        cells = line.split()
        if len(cells) < 10:
            failures.append(f"summary row with fewer than 10 cells: {line!r}")
            continue
        for k, column in enumerate(SUMMARY_COLUMNS):
            cells_seen.add(f"{cells[0]}.{column}")
            if f"{cells[0]}.{column}" in vary:
                cells[4 + k] = "~"
        digest.append("node " + " ".join(cells[:10]))
    for cell in sorted(vary - cells_seen):
        failures.append(f"--vary {cell}: no such cell in the summary (NODE.COLUMN, COLUMN one of {SUMMARY_COLUMNS})")
    if final is None:
        failures.append("no final line 'N records in T s (R records/s), A/B batches acknowledged'")
        return digest, None
    batches = "~/~" if vary_batches else f"{final[2]}/{final[3]}"
    if vary_batches and final[2] != final[3]:
        failures.append(f"{final[2]} of {final[3]} batches acknowledged")
    digest.append(f"final {final[1]} records, {batches} batches acknowledged{final[4]}")
    return digest, final


def file_digest(out_dir, name, graph_dir, workdir, failures):
    """Line count and sha256 of the sorted lines; paths of the checkout written as ${GRAPH_DIR}."""
    path = os.path.join(out_dir, name)
    if not os.path.exists(path):
        failures.append(f"the run did not write {path}")
        return f"file {name}: missing"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text and not text.endswith("\n"):
        failures.append(f"{path}: the last line is not terminated (a partial write?)")
    text = text.replace(graph_dir, "${GRAPH_DIR}")
    lines = sorted(text.splitlines())
    sorted_copy = os.path.join(workdir, name + ".sorted")
    with open(sorted_copy, "w", encoding="utf-8") as f:  # to show what changed when the sha256 does
        f.write("".join(line + "\n" for line in lines))
    sha = hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()
    return f"file {name}: {len(lines)} lines, sorted sha256 {sha[:16]}"


def expect_file(out_dir, name, golden, graph_dir):
    """A failure message when $OUT_DIR/NAME's sorted lines are not those of the approved file."""
    approved = os.path.splitext(golden)[0] + "." + name
    path = os.path.join(out_dir, name)
    if not os.path.exists(path):
        return f"the run did not write {path}"
    with open(path, encoding="utf-8") as f:
        actual = sorted(f.read().replace(graph_dir, "${GRAPH_DIR}").splitlines())
    expected = None
    if os.path.exists(approved):
        with open(approved, encoding="utf-8") as f:
            expected = f.read().splitlines()
    if actual == expected:
        return None
    if os.environ.get("GRAPH_RUNNER_APPROVE") == "1":
        with open(approved, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in actual))
        print(f"approved: {approved} now holds this run's {name}")
        return None
    if expected is None:
        return f"no approved file yet: {approved} (review {path}, then GRAPH_RUNNER_APPROVE=1)"
    diff = list(difflib.unified_diff(expected, actual, "expected " + approved, "actual " + path, lineterm="", n=0))
    return f"{name} differs from the approved lines (sorted; - expected, + actual):\n" + "\n".join(diff[:40])


def compare(golden, digest, workdir):
    """Returns a failure message, or None when the digest is the approved one."""
    expected = None
    if os.path.exists(golden):
        with open(golden, encoding="utf-8") as f:
            expected = f.read()
    if digest == expected:
        return None
    if os.environ.get("GRAPH_RUNNER_APPROVE") == "1":
        with open(golden, "w", encoding="utf-8") as f:
            f.write(digest)
        print(f"approved: {golden} now holds this run's digest")
        return None
    actual = os.path.join(workdir, os.path.basename(golden) + ".actual")
    with open(actual, "w", encoding="utf-8") as f:
        f.write(digest)
    if expected is None:
        return f"no approved file yet: {golden}\n  actual: {actual} (review, then cp, or GRAPH_RUNNER_APPROVE=1)"
    diff = list(difflib.unified_diff(expected.splitlines(), digest.splitlines(), "expected " + golden,
                                     "actual " + actual, lineterm="", n=0))
    changed = [m[1] for line in diff if (m := re.match(r"\+file (.+): ", line))]
    return "the run's digest differs from the approved one (- expected, + actual):\n" + "\n".join(diff) + \
        "".join(content_diff(workdir, name) for name in changed) + \
        "\n  approve a reviewed change with GRAPH_RUNNER_APPROVE=1"


def content_diff(workdir, name):
    """How a file's sorted lines differ from those of the last run that passed (in the build tree)."""
    passed, now = (os.path.join(workdir, name + suffix) for suffix in (".sorted.passed", ".sorted"))
    if not os.path.exists(passed) or not os.path.exists(now):
        return f"\n  {name}: no passing run's copy to compare with; its sorted lines are in {now}"
    with open(passed, encoding="utf-8") as a, open(now, encoding="utf-8") as b:
        diff = list(difflib.unified_diff(a.read().splitlines(), b.read().splitlines(), passed, now,
                                         lineterm="", n=0))
    shown = "\n".join(line[:200] for line in diff[:12]) + ("\n..." if len(diff) > 12 else "")
    return f"\n  {name}, sorted, since the last run that passed:\n{shown}"


def run_with_service(args, command, env, out_dir, failures):
    """Runs the graph against the demo service; writes the records it answered 2xx to --received."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
    from demo_service import Recorder, Server, received_lines
    var, _, rest = args.http_service.partition("=")
    path, _, statuses = rest.partition(":")
    rec = Recorder(script=[{"status": int(s), "retry_after": "1"} for s in statuses.split(",") if s])
    with Server(rec) as server:
        env[var] = server.url(path)
        env["no_proxy"] = "127.0.0.1,localhost"  # a proxy from the environment must not take loopback
        p = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    batches = [received_lines(r["body"]) for r in rec.ok_bodies()]
    if args.received:
        with open(os.path.join(out_dir, args.received), "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for batch in batches for line in batch))
    sizes = sorted({len(batch) for batch in batches})
    if args.request_records and sizes != [args.request_records]:
        failures.append(f"records per request answered 2xx: expected {args.request_records}, got {sizes}")
    return p


def main():
    args = parse_args()
    stem = os.path.splitext(os.path.basename(args.graph))[0]
    graph_dir = os.path.dirname(os.path.abspath(args.graph))
    out_dir = os.path.join(args.workdir, "out")
    shutil.rmtree(out_dir, ignore_errors=True)  # every file checked is this run's
    os.makedirs(out_dir)
    metrics_path = os.path.join(args.workdir, "metrics.json")
    command = [args.graph_runner, "run", args.graph, "--metrics-json", metrics_path]
    env = dict(os.environ, OUT_DIR=out_dir)
    server = None
    if args.redis:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "redis"))
        from redis_fixture import RedisServer
        server = RedisServer(os.path.join(args.workdir, "redis"), unix=True).start()
        env["REDIS_SOCKET"] = server.socket
    failures = []
    try:
        if args.post:
            p = run_posting(command, env, args.post[0], args.post[1:], failures)
        elif args.http_service:
            p = run_with_service(args, command, env, out_dir, failures)
        else:
            p = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    finally:
        if server:
            server.stop()

    if p.returncode != 0:
        failures.append(f"exit code {p.returncode}, expected 0")
    digest = [f"# What graphs/{stem}.toml produces (tests/cli/example_run.py; \"~\": varies from run to run)",
              "# node NAME PLUGIN KIND CONC IN OUT ERRORS DROPPED ROUTED RETRIES: a row of the summary table"]
    stdout_lines = p.stdout.splitlines()
    for line in stdout_lines:
        for mask in args.stdout_mask:
            line = re.sub(mask, "~", line)
        digest.append("stdout " + line)
    rows, final = summary_digest(p.stderr, set(args.vary), failures, args.vary_batches)
    digest += rows
    digest += [file_digest(out_dir, name, graph_dir, args.workdir, failures) for name in args.file + args.show_file]
    for name in args.show_file:
        with open(os.path.join(args.workdir, name + ".sorted"), encoding="utf-8") as f:
            digest += [f"line {name}: {line.rstrip()}" for line in f]

    if os.path.exists(metrics_path):
        with open(metrics_path, encoding="utf-8") as f:
            metrics = json.load(f)
        failures += example_invariants.check(metrics, final, stdout_lines, args.balance)
        for spec in args.exactly_once:
            failures += example_invariants.exactly_once(out_dir, spec)
    else:
        failures.append(f"the run did not write {metrics_path}")

    for name in args.expect:
        if (problem := expect_file(out_dir, name, args.golden, graph_dir)):
            failures.append(problem)
    mismatch = compare(args.golden, "\n".join(digest) + "\n", args.workdir)
    if mismatch:
        failures.append(mismatch)
    if failures:
        print("command: OUT_DIR=" + out_dir + " " + " ".join(command))
        for failure in failures:
            print("FAIL:", failure)
        print("--- stdout ---\n" + p.stdout + "--- stderr ---\n" + p.stderr, end="")
        return 1
    for name in args.file + args.show_file:  # what a later failure's content diff compares with
        shutil.copyfile(os.path.join(args.workdir, name + ".sorted"), os.path.join(args.workdir, name + ".sorted.passed"))
    print(f"ok: {stem} produced what was approved ({len(digest) - 2} facts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
