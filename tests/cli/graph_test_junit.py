#!/usr/bin/env python3
"""`graph-runner test --junit FILE`: the XML parses, has one testcase per test (and one
error for a broken file), and carries each failure's message and text.
  graph_test_junit.py GRAPH_RUNNER DATA_DIR WORK_DIR"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

gr, data, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run(files, out):
    path = os.path.join(work, out)
    p = subprocess.run([gr, "test", *[os.path.join(data, f) for f in files], "--junit", path],
                       capture_output=True, text=True, timeout=120)
    return p, ET.parse(path).getroot()


# Passing, failing and broken files together: exit 2 (a broken file wins), every test listed.
p, root = run(["pipeline.toml", "failing.test.toml", "broken.test.toml"], "mixed.xml")
check(p.returncode == 2, f"exit code: expected 2, got {p.returncode}\n{p.stdout}{p.stderr}")
check(root.tag == "testsuites", f"root element: expected testsuites, got {root.tag}")
check((root.get("tests"), root.get("failures"), root.get("errors")) == ("11", "5", "1"),
      f"totals: expected tests=11 failures=5 errors=1, got {root.attrib}")
suites = root.findall("testsuite")
check(len(suites) == 3, f"expected 3 testsuites, got {len(suites)}")
cases = {c.get("name"): c for c in root.iter("testcase")}
for name in ["injected at the source: keeps only big values", "no record arrives here",
             "wrong record", "a condition is false", "(test file)"]:
    check(name in cases, f"no testcase named {name!r} (got {sorted(cases)})")
    if name in cases:
        check(float(cases[name].get("time")) >= 0, f"{name}: no time")
check(cases.get("no record arrives here") is not None and cases["no record arrives here"].find("failure") is None,
      "a passing test has a <failure>")
wrong = cases.get("wrong record")
failure = wrong.find("failure") if wrong is not None else None
check(failure is not None, "the failing test 'wrong record' has no <failure>")
if failure is not None:
    check(failure.get("message", "").startswith("output 'keep_big' ("),
          f"failure message: {failure.get('message')!r}")
    check('user.country: expected "FR", got "DE"' in (failure.text or ""),
          f"the failure text lacks the field diff:\n{failure.text}")
broken = cases.get("(test file)")
error = broken.find("error") if broken is not None else None
check(error is not None and "broken.test.toml:7:8: error: unknown node 'kep_big'" in (error.text or ""),
      f"the broken file's <error> lacks its FILE:LINE:COL diagnostics: {error.text if error is not None else None!r}")

# All passing: exit 0, no failure anywhere.
p, root = run(["pipeline.toml", "passing.test.toml"], "passing.xml")
check(p.returncode == 0, f"all passing: exit code {p.returncode}\n{p.stdout}{p.stderr}")
check((root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "0", "0"),
      f"all passing: totals {root.attrib}")

for f in failures:
    print("FAIL:", f)
print("ok" if not failures else f"{len(failures)} problem(s)")
sys.exit(1 if failures else 0)
