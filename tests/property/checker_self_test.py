#!/usr/bin/env python3
"""The random-graph checker can fail: random_graphs.py run through a graph-runner that, after
the real run, loses one record, duplicates one, or swaps two, must fail each graph with that
difference and its seed.

    checker_self_test.py --graph-runner PATH
"""
import argparse
import os
import pathlib
import re
import stat
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent

# After the real run, edits the first sink file (by the graph's `path = ...` lines) that has
# at least two records.
WRAPPER = r"""#!/usr/bin/env python3
import re, subprocess, sys
code = subprocess.call([{runner!r}] + sys.argv[1:])
graph = open(sys.argv[2]).read()
for path in re.findall(r'^path = "(.*)"$', graph, re.M):
    try:
        lines = open(path).readlines()
    except OSError:
        continue
    if len(lines) < 2:
        continue
    mode = {mode!r}
    if mode == "lose":
        del lines[len(lines) // 2]
    elif mode == "duplicate":
        lines.insert(0, lines[-1])
    else:  # swap: the first two records, which come from one source in one order on most graphs
        lines[0], lines[1] = lines[1], lines[0]
    open(path, "w").writelines(lines)
    break
sys.exit(code)
"""

# Seeds whose first sink file has two records or more and keeps one source's order (seeds
# 1, 3 and 4 of graph_gen.py: a sink reading a source directly).
SEEDS = {"lose": (1, r"missing, first expected"), "duplicate": (3, r"duplicated or not expected"),
         "swap": (3, r"order broken")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--graph-runner", required=True)
    args = ap.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for mode, (seed, pattern) in SEEDS.items():
            wrapper = pathlib.Path(tmp) / f"graph-runner-{mode}"
            wrapper.write_text(WRAPPER.format(runner=os.path.abspath(args.graph_runner), mode=mode))
            wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
            run = subprocess.run([sys.executable, str(HERE / "random_graphs.py"), "--graph-runner", str(wrapper),
                                  "--seed", str(seed), "--work", str(pathlib.Path(tmp) / mode)],
                                 capture_output=True, text=True)
            ok = run.returncode == 1 and re.search(pattern, run.stdout) and f"seed {seed}" in run.stdout
            print(f"{mode}: {'detected' if ok else 'NOT DETECTED'} (exit {run.returncode}, looked for /{pattern}/)")
            if not ok:
                failures += 1
                print(run.stdout[-3000:], run.stderr[-2000:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
