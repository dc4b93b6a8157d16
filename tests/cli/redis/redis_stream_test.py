#!/usr/bin/env python3
"""End-to-end tests of the redis_stream source and sink against a real redis-server.

    redis_stream_test.py GRAPH_RUNNER WORKDIR SCENARIO

Each scenario starts its own redis-server (redis_fixture.py) and stops it. A failure prints
what was expected and what came instead, and the runner's stderr.
"""
import collections
import re
import resource
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from redis_fixture import RedisError, RedisServer, fill, free_port, group_info, pending_ids
from stream_graphs import read_jsonl, reader_graph, writer_graph

GR = WORK = None
failures = []


def check(ok, what, expected, got):
    if not ok:
        failures.append(f"{what}: expected {expected}, got {got}")
    return ok


def run(graph, *args, env=None, timeout=60):
    p = subprocess.run([GR, "run", graph, "--quiet", *args], capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, **(env or {})))
    return p


def start(graph, *args, env=None, quiet=True):
    return subprocess.Popen([GR, "run", graph, *(["--quiet"] if quiet else []), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, **(env or {})))


def wait_until(cond, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    failures.append(f"timed out after {timeout} s waiting for {what}")
    return False


def field_counts(records, key="n"):
    return collections.Counter(r[key] for r in records)


# --- scenarios ---------------------------------------------------------------------------

def exactly_once():
    """Entries -> source -> jsonl: every entry once, numbers as numbers, all acknowledged, gauges shown."""
    n = 20000
    with RedisServer(os.path.join(WORK, "redis")) as r:
        c = r.client()
        ids = fill(c, "s", n)
        out = os.path.join(WORK, "out.jsonl")
        metrics = os.path.join(WORK, "metrics.json")
        g = reader_graph(os.path.join(WORK, "g.toml"), r.port, out, extra_source=f"max_entries = {n}")
        v = subprocess.run([GR, "validate", "--instantiate", g], capture_output=True, text=True, timeout=30)
        check(v.returncode == 0 and "all instantiated" in v.stdout, "validate --instantiate with a server",
              "exit 0, all instantiated", f"{v.returncode}: {v.stdout}{v.stderr}")
        check(c.cmd("EXISTS", "__no_such_key__") == 0 and c.cmd("XINFO", "GROUPS", "s") == [],
              "groups after validate --instantiate (it must change nothing)", "none", c.cmd("XINFO", "GROUPS", "s"))
        p = run(g, "--metrics-json", metrics)
        check(p.returncode == 0, "exit code", 0, f"{p.returncode}\n{p.stderr}")
        recs = read_jsonl(out)
        counts = field_counts(recs)
        check(len(recs) == n, "records written", n, len(recs))
        check(sorted(counts) == list(range(n)) and max(counts.values(), default=0) == 1, "each n once",
              f"0..{n - 1} once each", f"{len(counts)} distinct, most often {max(counts.values(), default=0)}")
        check(all(isinstance(x["n"], int) for x in recs[:100]), "n parsed as an int", "int", type(recs[0]["n"]).__name__)
        check(recs and recs[0]["payload"] == "entry-%d" % recs[0]["n"], "payload", "entry-N", recs[:1])
        check(set(x["_id"] for x in recs) == set(ids), "id_field holds the entry ids", "the XADD ids", "others")
        info = group_info(c, "s", "g")
        check(info["pending"] == 0, "pending after the run", 0, info["pending"])
        check(info["lag"] == 0, "lag after the run", 0, info["lag"])
        m = json.load(open(metrics))
        gauges = m["nodes"][0].get("gauges", {})
        check("pending" in gauges and "lag" in gauges, "gauges in --metrics-json", "pending and lag", gauges)


def sink():
    """generate -> redis_stream: the content of the entries; MAXLEN ~ trims."""
    with RedisServer(os.path.join(WORK, "redis")) as r:
        c = r.client()
        g = writer_graph(os.path.join(WORK, "w.toml"), r.port, 3000)
        p = run(g)
        check(p.returncode == 0, "exit code", 0, f"{p.returncode}\n{p.stderr}")
        check(c.cmd("XLEN", "s") == 3000, "XLEN", 3000, c.cmd("XLEN", "s"))
        first = c.cmd("XRANGE", "s", "-", "+", "COUNT", 1)[0][1]
        d = dict(zip(first[::2], first[1::2]))
        check(d.get("id") == "0", "first entry's id field", "'0'", d)
        check(set(d) >= {"id", "value"}, "first entry's fields", "id, value, ...", sorted(d))
        # read back through the source: same records (count checksum equal to generate's)
        g2 = writer_graph(os.path.join(WORK, "t.toml"), r.port, 20000, "maxlen = 1000", stream="trimmed")
        p = run(g2)
        check(p.returncode == 0, "exit code (maxlen)", 0, f"{p.returncode}\n{p.stderr}")
        length = c.cmd("XLEN", "trimmed")
        check(1000 <= length <= 1300, "XLEN with maxlen = 1000 (approximate)", "1000..1300", length)
        # a round trip keeps every value: generate -> stream -> source -> count == generate -> count
        rt = os.path.join(WORK, "rt.toml")
        with open(rt, "w") as f:
            f.write(f"""
[sources.events]
plugin = "redis_stream"
port = {r.port}
stream = "s"
group = "rt"
create_group = true
max_entries = 3000
[sinks.total]
plugin = "count"
inputs = ["events"]
""")
        direct = os.path.join(WORK, "direct.toml")
        with open(direct, "w") as f:
            # the same source name: generate writes it into each record's `source` field
            f.write("[sources.numbers]\nplugin = \"generate\"\ncount = 3000\n[sinks.total]\nplugin = \"count\"\ninputs = [\"numbers\"]\n")
        a, b = run(rt), run(direct)
        check(a.stdout == b.stdout and a.returncode == 0, "count after a round trip through the stream",
              b.stdout.strip(), f"{a.stdout.strip()} (exit {a.returncode}) {a.stderr[-500:]}")


def crash():
    """SIGKILL mid-run: what was acknowledged is in the output; a restart re-reads the rest."""
    n = 5000
    with RedisServer(os.path.join(WORK, "redis")) as r:
        c = r.client()
        fill(c, "s", n)
        out = os.path.join(WORK, "out.jsonl")
        slow = '[stages.slow]\nplugin = "chaos"\ninputs = ["events"]\nsleep_ms = 20\n'
        g = reader_graph(os.path.join(WORK, "g.toml"), r.port, out, stages=slow, sink_input="slow",
                         batch_size=50, max_in_flight=4, extra_source="stop_when_idle_ms = 1000",
                         extra_sink="append = true")  # the restart adds to what the first run wrote
        p = start(g)
        wait_until(lambda: len(read_jsonl(out)) >= 1000, 20, "1000 records written")
        p.send_signal(signal.SIGKILL)
        p.wait()
        pending = set(pending_ids(c, "s", "g"))
        info = group_info(c, "s", "g")
        written = read_jsonl(out)
        written_ids = set(x["_id"] for x in written)
        delivered = [e[0] for e in c.cmd("XRANGE", "s", "-", info["last-delivered-id"])]
        acked = [i for i in delivered if i not in pending]
        missing = [i for i in acked if i not in written_ids]
        check(len(pending) > 0, "entries pending after SIGKILL", "> 0", 0)
        check(not missing, "acknowledged entries missing from the output (acknowledged before the sink wrote them)",
              0, f"{len(missing)}, e.g. {missing[:3]}")
        print(f"crash: killed with {len(written)} records written, {len(acked)} acknowledged, {len(pending)} pending")
        p = run(g)  # the same consumer: its pending entries first, then the rest
        check(p.returncode == 0, "exit code after the restart", 0, f"{p.returncode}\n{p.stderr}")
        counts = field_counts(read_jsonl(out))
        dups = sum(v - 1 for v in counts.values())
        check(len(counts) == n, "distinct entries in the output after the restart", n, len(counts))
        check(dups <= len(pending) + 1, "duplicates", f"<= {len(pending)} pending at the kill (+1 torn line)", dups)
        check(group_info(c, "s", "g")["pending"] == 0, "pending at the end", 0, group_info(c, "s", "g")["pending"])
        print(f"crash: restart re-read {len(pending)} pending entries; {dups} duplicates in the output")


def claim():
    """Consumer c1 dies with entries pending; c2 claims them after claim_idle_ms."""
    n = 3000
    with RedisServer(os.path.join(WORK, "redis")) as r:
        c = r.client()
        fill(c, "s", n)
        c.cmd("XGROUP", "CREATE", "s", "g", "0")
        c.cmd("XREADGROUP", "GROUP", "g", "dead", "COUNT", 700, "STREAMS", "s", ">")  # read, never acknowledged
        out = os.path.join(WORK, "out.jsonl")
        g = reader_graph(os.path.join(WORK, "g.toml"), r.port, out, consumer="c2",
                         extra_source="claim_idle_ms = 500\nstop_when_idle_ms = 1500")
        t0 = time.time()
        p = run(g)
        check(p.returncode == 0, "exit code", 0, f"{p.returncode}\n{p.stderr}")
        counts = field_counts(read_jsonl(out))
        check(len(counts) == n and max(counts.values()) == 1, "entries in c2's output", f"{n}, once each",
              f"{len(counts)} distinct, most {max(counts.values(), default=0)}")
        check("claimed" in p.stderr, "a log line about claimed entries", "'claimed N entries'", p.stderr[-300:])
        info = group_info(c, "s", "g")
        check(info["pending"] == 0, "pending at the end", 0, info["pending"])
        print(f"claim: 700 entries of a dead consumer claimed; run took {time.time() - t0:.1f} s")


def no_fields():
    """An entry deleted while pending comes back without fields: `fail` names it, `drop` drops and acknowledges it."""
    with RedisServer(os.path.join(WORK, "redis")) as r:
        c = r.client()
        ids = fill(c, "s", 10)
        c.cmd("XGROUP", "CREATE", "s", "g", "0")
        c.cmd("XREADGROUP", "GROUP", "g", "c1", "COUNT", 10, "STREAMS", "s", ">")
        c.cmd("XDEL", "s", ids[3])
        out = os.path.join(WORK, "out.jsonl")
        g = reader_graph(os.path.join(WORK, "g.toml"), r.port, out, extra_source="max_entries = 10")
        p = run(g)
        check(p.returncode == 1, "exit code under on_error = fail", 1, p.returncode)
        check(f"entry {ids[3]} has no fields" in p.stderr and "node 'events'" in p.stderr and
              f"redis://127.0.0.1:{r.port}" in p.stderr, "error message", "node, server and entry named", p.stderr)
        g = reader_graph(os.path.join(WORK, "g2.toml"), r.port, out, extra_source='max_entries = 10\non_error = "drop"')
        p = run(g)
        check(p.returncode == 0, "exit code under on_error = drop", 0, f"{p.returncode}\n{p.stderr}")
        check(len(read_jsonl(out)) == 9, "records under drop", 9, len(read_jsonl(out)))
        check(group_info(c, "s", "g")["pending"] == 0, "pending after drop", 0, group_info(c, "s", "g")["pending"])


def bad_server():
    """Refused login, a key of the wrong type, no server: exit 1 with node and server named."""
    out = os.path.join(WORK, "out.jsonl")
    with RedisServer(os.path.join(WORK, "redis"), password="right") as r:
        c = r.client()
        c.cmd("SET", "s", "a string")
        g = reader_graph(os.path.join(WORK, "auth.toml"), r.port, out, extra_source='password_env = "TEST_REDIS_PW"')
        p = run(g, env={"TEST_REDIS_PW": "wrong"})
        check(p.returncode == 1 and "refused the login" in p.stderr and f"127.0.0.1:{r.port}" in p.stderr and
              "events" in p.stderr, "wrong password", "exit 1, 'refused the login', node and server", f"{p.returncode}: {p.stderr}")
        p = run(g, env={"TEST_REDIS_PW": "right"})
        check(p.returncode == 1 and "is not a stream" in p.stderr and "WRONGTYPE" in p.stderr, "source on a string key",
              "exit 1, 'is not a stream'", f"{p.returncode}: {p.stderr}")
        w = writer_graph(os.path.join(WORK, "w.toml"), r.port, 10, 'password_env = "TEST_REDIS_PW"')
        p = run(w, env={"TEST_REDIS_PW": "right"})
        check(p.returncode == 1 and "is not a stream" in p.stderr and "'stream'" in p.stderr, "sink on a string key",
              "exit 1, 'is not a stream', node named", f"{p.returncode}: {p.stderr}")
        g2 = reader_graph(os.path.join(WORK, "noauth.toml"), r.port, out, stream="t")
        p = run(g2)
        check(p.returncode == 1 and "NOAUTH" in p.stderr, "no password given", "exit 1, NOAUTH", f"{p.returncode}: {p.stderr}")
        port = r.port
    gone = reader_graph(os.path.join(WORK, "gone.toml"), port, out)
    p = run(gone)
    check(p.returncode == 1 and "cannot connect" in p.stderr and f"127.0.0.1:{port}" in p.stderr, "no server",
          "exit 1, 'cannot connect' and the address", f"{p.returncode}: {p.stderr}")
    v = subprocess.run([GR, "validate", "--instantiate", gone], capture_output=True, text=True, timeout=30)
    check(v.returncode == 2 and "node 'events'" in v.stderr and f"127.0.0.1:{port}: cannot connect" in v.stderr,
          "validate --instantiate without a server", "exit 2 naming node and server", f"{v.returncode}: {v.stderr}")


def restart():
    """Redis restarted mid-run (data gone): the source reconnects, re-creates its group and reads on;
    a server gone for good fails the run after reconnect_timeout_ms."""
    out = os.path.join(WORK, "out.jsonl")
    with RedisServer(os.path.join(WORK, "redis")) as r:
        c = r.client()
        fill(c, "s", 100)
        g = reader_graph(os.path.join(WORK, "g.toml"), r.port, out, extra_source="reconnect_timeout_ms = 3000")
        metrics_port = free_port()
        p = start(g, "--progress", "--metrics-listen", f"127.0.0.1:{metrics_port}", quiet=False)
        wait_until(lambda: len(read_jsonl(out)) >= 100, 10, "the first 100 records")
        time.sleep(1.2)  # the gauges are read once a second
        scrape = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
        for gauge, value in (("lag", 0), ("pending", 0)):
            line = f'graph_runner_plugin_gauge{{node="events",plugin="redis_stream",kind="source",gauge="{gauge}"}} {value}'
            check(line in scrape, "/metrics", line, [x for x in scrape.splitlines() if "plugin_gauge" in x])
        r.restart(down_seconds=0.5)
        c = r.client()
        time.sleep(1.5)  # the source reconnects and creates the group again (the server lost it)
        fill(c, "s", 100, start=100)
        wait_until(lambda: len(read_jsonl(out)) >= 200, 15, "the 100 records written after the restart")
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=20)
        check(p.returncode in (0, 143), "exit code after SIGTERM", "0 or 143", f"{p.returncode}\n{err}")
        counts = field_counts(read_jsonl(out))
        check(set(counts) == set(range(200)), "records before and after the restart", "n = 0..199",
              f"{len(counts)} distinct")
        check("reconnected" in err, "a log line 'reconnected'", "present", err[-400:])
        check(re.search(r"in flight: events \d+/16 lag \d+ pending \d+", err), "the status line (--progress)",
              "'in flight: events N/16 lag N pending N'", [x for x in err.splitlines() if "in flight" in x][:2])
        # gone for good: the run fails after reconnect_timeout_ms, naming the server
        p = start(g)
        time.sleep(1)
        r.stop()
        try:
            _, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
        check(p.returncode == 1 and "gave up after" in err and f"127.0.0.1:{r.port}" in err, "server gone for good",
              "exit 1, 'gave up after', the address", f"{p.returncode}: {err[-600:]}")


def scale_out(n=None):
    """Three processes in one group; one is SIGKILLed mid-stream; the others claim its entries."""
    n = n or int(os.environ.get("REDIS_SCALE_ENTRIES", "30000"))
    with RedisServer(os.path.join(WORK, "redis")) as r:
        c = r.client()
        t = time.time()
        fill(c, "s", n)
        print(f"scale_out: {n} entries written in {time.time() - t:.1f} s")
        c.cmd("XGROUP", "CREATE", "s", "g", "0")
        slow = '[stages.work]\nplugin = "chaos"\ninputs = ["events"]\nsleep_us_per_record = 20\n'
        procs, outs = [], []
        for k in range(3):
            out = os.path.join(WORK, f"out{k}.jsonl")
            if os.path.exists(out):
                os.remove(out)
            g = reader_graph(os.path.join(WORK, f"g{k}.toml"), r.port, out, consumer=f"c{k}", stages=slow,
                             sink_input="work", extra_source="claim_idle_ms = 1000")
            outs.append(out)
            procs.append(start(g))
        t = time.time()
        wait_until(lambda: len(read_jsonl(outs[0])) >= n // 10, 60, "the first process to write a tenth of its share")
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait()
        killed_pending = len(pending_ids(c, "s", "g", "c0"))
        killed_written = len(read_jsonl(outs[0]))
        print(f"scale_out: c0 killed after writing {killed_written} records, with {killed_pending} entries pending")
        done = lambda: (lambda i: i["lag"] == 0 and i["pending"] == 0)(group_info(c, "s", "g"))
        wait_until(done, 120, "lag 0 and pending 0 (every entry delivered and acknowledged)")
        elapsed = time.time() - t
        for p in procs[1:]:
            p.send_signal(signal.SIGTERM)
        for p in procs[1:]:
            _, err = p.communicate(timeout=30)
            check(p.returncode in (0, 143), "survivor's exit code", "0 or 143", f"{p.returncode}\n{err[-500:]}")
        counts = collections.Counter()
        for out in outs:
            counts.update(field_counts(read_jsonl(out)))
        dups = sum(v - 1 for v in counts.values())
        missing = n - len(counts)
        check(missing == 0, "entries missing from every output", 0, missing)
        check(dups <= killed_pending + 1, "duplicates", f"<= {killed_pending} (c0's pending at the kill, +1 torn line)", dups)
        shares = [len(read_jsonl(o)) for o in outs]
        print(f"scale_out: {n} entries in {elapsed:.1f} s after the start; per process {shares}; "
              f"{dups} duplicates (bound {killed_pending})")


def throughput():
    """Entries per second through the same graph with one process, then two (make soak)."""
    n = int(os.environ.get("REDIS_THROUGHPUT_ENTRIES", "200000"))
    results = {}
    for procs_n in (1, 2):
        with RedisServer(os.path.join(WORK, f"redis{procs_n}")) as r:
            c = r.client()
            fill(c, "s", n)
            c.cmd("XGROUP", "CREATE", "s", "g", "0")
            procs = []
            for k in range(procs_n):
                out = os.path.join(WORK, f"tp{procs_n}-{k}.jsonl")
                g = reader_graph(os.path.join(WORK, f"tp{procs_n}-{k}.toml"), r.port, out, consumer=f"c{k}",
                                 extra_source="stop_when_idle_ms = 500", batch_size=512)
                procs.append((start(g), out))
            t = time.time()
            wait_until(lambda: (lambda i: i["lag"] == 0 and i["pending"] == 0)(group_info(c, "s", "g")), 300, "drained")
            elapsed = time.time() - t
            total = 0
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            for p, out in procs:
                p.communicate(timeout=30)
                total += len(read_jsonl(out))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)  # the runners' CPU time
            check(total == n, f"records with {procs_n} process(es)", n, total)
            results[procs_n] = n / elapsed
            print(f"throughput: {procs_n} process(es): {n} entries in {elapsed:.2f} s = {n / elapsed:,.0f} entries/s; "
                  f"runner CPU {cpu:.2f} s = {1e6 * cpu / n:.1f} us/entry; load average {os.getloadavg()[0]:.1f}")
    print(f"throughput: two processes / one = {results[2] / results[1]:.2f}")


SCENARIOS = {f.__name__: f for f in (exactly_once, sink, crash, claim, no_fields, bad_server, restart, scale_out,
                                     throughput)}

if __name__ == "__main__":
    GR, WORK, name = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    shutil.rmtree(WORK, ignore_errors=True)  # nothing of an earlier run may count
    os.makedirs(WORK)
    try:
        SCENARIOS[name]()
    except (RedisError, OSError, subprocess.TimeoutExpired) as e:
        failures.append(f"{type(e).__name__}: {e}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)
