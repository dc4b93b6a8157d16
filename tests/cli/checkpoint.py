#!/usr/bin/env python3
"""Checkpoints of the file sources, through graph-runner itself (docs/lifecycle.md).

usage: checkpoint.py GRAPH_RUNNER CASE [ARGS]
  resume PLUGIN        run, append, run, run: every record exactly once; two sources in one
                       graph keep apart; --from-start reads everything again (PLUGIN: lines,
                       jsonl or csv)
  bad_state            a corrupt, a foreign and another graph's state file: exit 2, clear text
  torn_line            appending to a file whose last line was torn: the piece is cut and logged
  follow               append, partial lines, rotation (rename + new file), copytruncate,
                       deletion while followed; Ctrl-C, append, restart: every line exactly once
  crash_loop LINES CRASHES SEED
                       kill -9 at random moments, restart: every line at least once, no torn
                       line, duplicates per crash within in-flight + one checkpoint interval
Each case prints what it expected and what it got when it fails (exit 1).
"""
import collections
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

EXE = sys.argv[1]
failures = []


def expect(what, got, wanted):
    if got != wanted:
        failures.append(f"{what}: expected {wanted!r}, got {got!r}")


def run(args, cwd, timeout=120):
    p = subprocess.run([EXE, "run", *args, "--quiet"], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stderr


def write_input(path, plugin, first, count, header=True):
    """Appends records first..first+count-1 in the plugin's format."""
    with open(path, "a") as f:
        if plugin == "csv" and header and first == 0:
            f.write("n,text\n")
        for i in range(first, first + count):
            if plugin == "lines":
                f.write(f"{i}\n")
            elif plugin == "jsonl":
                f.write(json.dumps({"n": i, "text": "x" * (i % 7)}) + "\n")
            else:
                f.write(f"{i},{'y' * (i % 5)}\n")


def write_other(path, first, count):
    with open(path, "a") as f:
        f.write("".join(f"o{i}\n" for i in range(first, first + count)))


def keys(out_path):
    """Counts of each record's key in a jsonl output ("line" or "n" field); torn lines fail."""
    counts = collections.Counter()
    if not os.path.exists(out_path):
        return counts
    with open(out_path) as f:
        for no, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except ValueError:
                failures.append(f"{out_path}:{no}: not a JSON line (torn?): {line[:80]!r}")
                continue
            counts[str(r.get("line", r.get("n")))] += 1
    return counts


def check_counts(what, counts, wanted_keys, times=1):
    missing = [k for k in wanted_keys if counts[k] < times]
    wrong = {k: c for k, c in counts.items() if c != times}
    if missing:
        failures.append(f"{what}: {len(missing)} record(s) missing, e.g. {missing[:5]}")
    if wrong:
        failures.append(f"{what}: expected each record {times}x, got {len(wrong)} different, e.g. "
                        f"{list(wrong.items())[:5]}")


def graph_file(d, body, name="ckpt"):
    path = os.path.join(d, "g.toml")
    with open(path, "w") as f:
        f.write(f'[graph]\nname = "{name}"\nstate_dir = "state"\ncheckpoint_ms = 100\n' + body)
    return path


def case_resume(plugin):
    with tempfile.TemporaryDirectory() as d:
        ext = {"lines": "txt", "jsonl": "jsonl", "csv": "csv"}[plugin]
        main_in, other_in = os.path.join(d, f"in.{ext}"), os.path.join(d, "other.txt")
        g = graph_file(d, f"""
[sources.main]
plugin = "{plugin}"
path = "in.{ext}"
batch_size = 64
[sources.other]
plugin = "lines"
path = "other.txt"
batch_size = 64
[sinks.out]
plugin = "jsonl"
inputs = ["main", "other"]
path = "out.jsonl"
append = true
""")
        write_input(main_in, plugin, 0, 1000)
        write_other(other_in, 0, 300)
        out = os.path.join(d, "out.jsonl")
        want = [str(i) for i in range(1000)] + [f"o{i}" for i in range(300)]
        code, err = run([g], d)
        expect(f"{plugin}: first run exit code ({err.strip()})", code, 0)
        check_counts(f"{plugin}: after the first run", keys(out), want)
        expect("state files (keyed by graph and node)", sorted(os.listdir(os.path.join(d, "state"))),
               ["ckpt.main.state", "ckpt.other.state"])
        write_input(main_in, plugin, 1000, 500)
        write_other(other_in, 300, 10)
        want += [str(i) for i in range(1000, 1500)] + [f"o{i}" for i in range(300, 310)]
        code, err = run([g], d)
        expect(f"{plugin}: second run exit code ({err.strip()})", code, 0)
        check_counts(f"{plugin}: after appending and running again", keys(out), want)
        code, err = run([g], d)
        check_counts(f"{plugin}: a third run with nothing new", keys(out), want)
        code, err = run([g, "--from-start"], d)
        expect(f"{plugin}: --from-start exit code ({err.strip()})", code, 0)
        check_counts(f"{plugin}: --from-start reads everything again", keys(out), want, times=2)
        # Another state_dir from the command line: nothing saved there, so all again.
        code, err = run([g, "--state-dir", "state2"], d)
        check_counts(f"{plugin}: --state-dir elsewhere", keys(out), want, times=3)


def case_bad_state():
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "in.txt"), "w") as f:
            f.write("a\nb\n")
        g = graph_file(d, '[sources.src]\nplugin = "lines"\npath = "in.txt"\n'
                          '[sinks.out]\nplugin = "jsonl"\ninputs = ["src"]\npath = "out.jsonl"\n')
        os.makedirs(os.path.join(d, "state"))
        state = os.path.join(d, "state", "ckpt.src.state")
        cases = [
            ("corrupt", '{"format": "graph-runner/source-checkpoint", "vers', "is corrupt"),
            ("empty", "", "is corrupt"),
            ("foreign format", '{"format": "something-else", "version": 1}', "is not a graph-runner source checkpoint"),
            ("another node", '{"format": "graph-runner/source-checkpoint", "version": 1, "key": "other/src", "files": []}',
             "belongs to \"other/src\""),
            ("a newer version", '{"format": "graph-runner/source-checkpoint", "version": 7, "key": "ckpt/src", "files": []}',
             "has version 7"),
            ("a bad entry", '{"format": "graph-runner/source-checkpoint", "version": 1, "key": "ckpt/src", "files": [{"path": 1}]}',
             "is corrupt"),
        ]
        for name, text, message in cases:
            with open(state, "w") as f:
                f.write(text)
            code, err = run([g], d)
            expect(f"{name} state file: exit code", code, 2)
            if message not in err or "ckpt.src.state" not in err:
                failures.append(f"{name} state file: expected stderr naming the file and saying {message!r}, got {err!r}")
            with open(state) as f:
                expect(f"{name} state file: left as it was", f.read(), text)
        code, err = run([g, "--from-start"], d)  # --from-start does not read it: the way out
        expect(f"--from-start over a corrupt state file ({err.strip()})", code, 0)


def case_torn_line():
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "in.txt"), "w") as f:
            f.write("3\n4\n")
        with open(os.path.join(d, "out.jsonl"), "w") as f:
            f.write('{"line":"1"}\n{"line":"2"}\n{"li')
        g = graph_file(d, '[sources.src]\nplugin = "lines"\npath = "in.txt"\n'
                          '[sinks.out]\nplugin = "jsonl"\ninputs = ["src"]\npath = "out.jsonl"\nappend = true\n')
        code, err = run([g], d)
        expect("torn line: exit code", code, 0)
        if "cut a torn last line of 4 byte(s)" not in err:
            failures.append(f"torn line: expected a warning 'cut a torn last line of 4 byte(s)', got {err!r}")
        with open(os.path.join(d, "out.jsonl")) as f:
            expect("torn line: the output", f.read(), '{"line":"1"}\n{"line":"2"}\n{"line":"3"}\n{"line":"4"}\n')


def wait_for(what, cond, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    failures.append(f"follow: timed out waiting for {what}")
    return False


def case_follow():
    with tempfile.TemporaryDirectory() as d:
        logs = os.path.join(d, "logs")
        os.makedirs(logs)
        g = graph_file(d, '[sources.src]\nplugin = "lines"\npath = "logs/*.log"\nfollow = true\npoll_ms = 50\n'
                          'blocking = true\nlinger_ms = 20\n'
                          '[sinks.out]\nplugin = "jsonl"\ninputs = ["src"]\npath = "out.jsonl"\nappend = true\n')
        out = os.path.join(d, "out.jsonl")
        app = os.path.join(logs, "app.log")
        written = []

        def append(path, first, count, partial=False):
            with open(path, "a") as f:
                for i in range(first, first + count):
                    f.write(f"{i}\n")
                    written.append(str(i))
                if partial:  # half a line: must wait for its newline
                    f.write("pa")
            if partial:
                time.sleep(0.3)
                with open(path, "a") as f:
                    f.write("rt\n")
                written.append("part")

        def all_in():
            c = keys(out)
            return all(c[k] >= 1 for k in written)

        def start():
            return subprocess.Popen([EXE, "run", g, "--quiet"], cwd=d, stderr=subprocess.PIPE, text=True)

        def stop(p, when):  # Ctrl-C: drain, commit the checkpoint, exit 130; every line once
            time.sleep(0.3)
            p.send_signal(signal.SIGINT)
            _, err = p.communicate(timeout=60)
            expect(f"follow: exit code of Ctrl-C {when} ({err.strip()})", p.returncode, 130)
            check_counts(f"follow: {when}", keys(out), written)

        append(app, 0, 100)
        p = start()
        wait_for("the first lines", all_in)
        append(app, 100, 100, partial=True)
        wait_for("appended lines and a completed partial line", all_in)
        # Rotation, renamed to a name the pattern still matches: known by its identity.
        os.rename(app, os.path.join(logs, "app-1.log"))
        append(os.path.join(logs, "app-1.log"), 200, 10)  # the writer still had it open
        append(app, 1000, 100)
        wait_for("lines after a rotation (rename + new file)", all_in)
        # Rotation to a name the pattern does not match: read to its end, then let go.
        os.rename(app, os.path.join(logs, "app.log.1"))
        append(os.path.join(logs, "app.log.1"), 1100, 10)
        append(app, 2000, 100)
        wait_for("lines after a rotation out of the pattern", all_in)
        # copytruncate: copied away (not matched), emptied in place, written on.
        with open(app) as src, open(os.path.join(logs, "app.log.2"), "w") as dst:
            dst.write(src.read())
        os.truncate(app, 0)
        append(app, 3000, 50)
        wait_for("lines after copytruncate", all_in)
        # A file deleted while it is read: what it held is kept, and it leaves the state.
        gone = os.path.join(logs, "gone.log")
        append(gone, 4000, 50)
        wait_for("lines of a file about to be deleted", all_in)
        os.remove(gone)
        time.sleep(0.5)  # let go of after a poll interval; leaves the state with the next batch
        append(app, 3050, 50)
        wait_for("lines after a deletion", all_in)
        stop(p, "before the restart")
        with open(os.path.join(d, "state", "ckpt.src.state")) as f:
            paths = sorted(e["path"] for e in json.load(f)["files"])
        if any(x.endswith("gone.log") for x in paths):
            failures.append(f"follow: the deleted file is still in the state: {paths}")
        # Restart: appended meanwhile, to the live file and to the one renamed within the pattern.
        append(app, 5000, 100)
        append(os.path.join(logs, "app-1.log"), 6000, 10)
        p = start()
        wait_for("lines appended while stopped", all_in)
        append(app, 7000, 100)
        wait_for("lines after the restart", all_in)
        stop(p, "after Ctrl-C, append, restart")


def case_crash_loop(lines, crashes, seed):
    rng = random.Random(seed)
    rate, batch, in_flight, checkpoint_ms = 50_000, 100, 8, 200
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "in.txt"), "w") as f:
            f.write("".join(f"{i}\n" for i in range(lines)))
        # The retrying chaos stage delays some batches behind later ones: acknowledgements
        # come out of order, and only the contiguous prefix may be committed.
        g = os.path.join(d, "g.toml")
        with open(g, "w") as f:
            f.write(f"""[graph]
name = "crash"
state_dir = "state"
checkpoint_ms = {checkpoint_ms}
[sources.src]
plugin = "lines"
path = "in.txt"
rate = {rate}
batch_size = {batch}
max_in_flight = {in_flight}
[stages.reorder]
plugin = "chaos"
inputs = ["src"]
concurrency = 4
fail_rate = 0.2
sleep_ms = 2
on_error = "retry"
retries = 10
backoff_ms = 20
[sinks.out]
plugin = "jsonl"
inputs = ["reorder"]
path = "out.jsonl"
append = true
""")
        out = os.path.join(d, "out.jsonl")
        killed, t0 = 0, time.time()
        for _ in range(crashes):
            p = subprocess.Popen([EXE, "run", g, "--quiet"], cwd=d, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.3, 0.3 + lines / rate / crashes))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed += 1
            p.wait()
        code, err = run([g], d, timeout=600)
        elapsed = time.time() - t0
        expect(f"crash loop: the last run's exit code ({err.strip()})", code, 0)
        counts = keys(out)
        missing = [str(i) for i in range(lines) if counts[str(i)] < 1]
        if missing:
            failures.append(f"crash loop: {len(missing)} line(s) lost, e.g. {missing[:5]}")
        extra = sum(counts.values()) - lines
        bound = in_flight * batch + rate * checkpoint_ms / 1000
        per_crash = extra / killed if killed else 0
        print(f"crash loop: {lines} lines, {killed} kill -9, {extra} duplicate(s): {per_crash:.0f} per crash; "
              f"bound per crash = in flight ({in_flight} x {batch}) + one checkpoint interval "
              f"({rate}/s x {checkpoint_ms} ms) = {bound:.0f}; {elapsed:.1f} s")
        if per_crash > bound:
            failures.append(f"crash loop: expected at most {bound:.0f} duplicates per crash, got {per_crash:.0f}")
        if killed == 0:
            failures.append("crash loop: no run was killed (the input is read too fast for the test)")


def main():
    case = sys.argv[2]
    if case == "resume":
        case_resume(sys.argv[3])
    elif case == "bad_state":
        case_bad_state()
    elif case == "torn_line":
        case_torn_line()
    elif case == "follow":
        case_follow()
    elif case == "crash_loop":
        case_crash_loop(int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(f"unknown case {case}")
    for f in failures:
        print("FAILED:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
