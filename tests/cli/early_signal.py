#!/usr/bin/env python3
"""A SIGINT at the very start of graph-runner is a stop request, not death by signal.

Before, the handler was installed only once `run` had loaded the graph: a Ctrl-C in the
first 10-20 ms killed the process (no summary, no metrics file). A shell shows death by
SIGINT as exit 130 too, so this checks the wait status itself: Python reports a death by
signal as -2, an exit as 130, and the program's own stop message must be on stderr.

The child starts with SIGINT blocked (the signal mask survives exec), and the signal is
sent at once: it is pending from the child's first instruction and arrives the moment
graph-runner unblocks it, right after installing its handlers in main, before the command
line is parsed or a plugin is scanned. That is the earliest SIGINT there can be, every
time, without depending on the machine's speed.

usage: early_signal.py GRAPH_RUNNER ENDLESS_GRAPH
"""
import json
import os
import signal
import subprocess
import sys
import tempfile


def run_interrupted(args, cwd):
    """Starts graph-runner with SIGINT pending; returns (returncode, stderr)."""
    def block_sigint():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, preexec_fn=block_sigint)
    child.send_signal(signal.SIGINT)
    try:
        _, err = child.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        _, err = child.communicate()
        return None, err
    return child.returncode, err


def check(name, code, err, expected):
    problems = []
    if code is None:
        problems.append("still running after 60 s: the early SIGINT was lost")
    elif code < 0:
        problems.append(f"killed by signal {-code}, expected exit {expected} from the program")
    elif code != expected:
        problems.append(f"exit code {code}, expected {expected}")
    if "interrupted by SIGINT" not in err:
        problems.append("stderr does not say 'interrupted by SIGINT'")
    for p in problems:
        print(f"{name}: {p}")
    if problems:
        print(f"--- {name}: stderr ---\n{err}")
    return not problems


def main():
    exe, graph = sys.argv[1], sys.argv[2]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        code, err = run_interrupted([exe, "run", graph, "--metrics-json", "m.json"], tmp)
        ok &= check("run", code, err, 130)
        if "records in" not in err:
            print("run: no summary on stderr")
            ok = False
        metrics_path = os.path.join(tmp, "m.json")
        if not os.path.exists(metrics_path):
            print("run: no metrics file")
            ok = False
        else:
            with open(metrics_path) as f:
                status = json.load(f)["status"]
            if status != "interrupted":
                print(f"run: metrics status '{status}', expected 'interrupted'")
                ok = False
        code, err = run_interrupted([exe, "validate", graph], tmp)
        ok &= check("validate", code, err, 130)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
