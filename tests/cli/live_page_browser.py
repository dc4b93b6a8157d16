#!/usr/bin/env python3
"""`run --ui` end to end in headless Chromium, driven over WebDriver (chromedriver): the page
loads and draws the graph, its figures move between two moments, a screenshot is a real
PNG, and the final figures stay on the page after the run, and after the server is gone.

    live_page_browser.py GRAPH_RUNNER tests/cli/data/live_page.toml [SCREENSHOT.png]

WebDriver rather than the DevTools protocol: it is plain HTTP and JSON (urllib is enough,
where CDP needs a WebSocket client that Python does not ship), and a W3C standard. Exits 77
(skipped) only when chromium or chromedriver is not installed.
"""
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

from live_page_run import LiveRun

exe, graph = sys.argv[1], sys.argv[2]
screenshot_file = sys.argv[3] if len(sys.argv) > 3 else None
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def find_chromium():
    for candidate in ["/usr/lib/chromium/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


chromium, chromedriver = find_chromium(), shutil.which("chromedriver")
if not chromium or not chromedriver:
    print("SKIP: the browser test needs Debian's chromium and chromium-driver "
          "(tools/setup.sh browser installs them); not found on this machine")
    sys.exit(77)


class WebDriver:
    """The few W3C WebDriver commands this test needs, over urllib."""

    def __init__(self, port, profile):
        self.base = f"http://127.0.0.1:{port}"
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900", f"--user-data-dir={profile}"]
        capabilities = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": {"binary": chromium, "args": args}}}}
        self.session = self.call("POST", "/session", capabilities)["sessionId"]

    def call(self, method, path, body=None, timeout=30):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as e:
            raise AssertionError(f"WebDriver {method} {path}: HTTP {e.code}: {e.read()[:500]!r}")

    def open(self, url):
        self.call("POST", f"/session/{self.session}/url", {"url": url})

    def js(self, script):
        return self.call("POST", f"/session/{self.session}/execute/sync", {"script": script, "args": []})

    def wait_for(self, script, seconds, what):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.js(script)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"{what}: not seen within {seconds} s")

    def screenshot(self):
        return base64.b64decode(self.call("GET", f"/session/{self.session}/screenshot"))

    def quit(self):
        try:
            self.call("DELETE", f"/session/{self.session}", timeout=10)
        except Exception:
            pass


def png_size(data):
    """Width and height of a PNG whose chunks' CRCs hold and whose pixels inflate to the
    size its header says; raises AssertionError otherwise."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError("not a PNG signature")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise AssertionError(f"bad CRC in chunk {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[:4]
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    expected = height * (1 + (width * channels * depth + 7) // 8)
    if len(zlib.decompress(idat)) != expected:
        raise AssertionError("the pixels do not inflate to the size in the header")
    return width, height


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Elements of the page the test reads (ids and data- attributes the page sets for this).
READ = """
const rows = {};
for (const row of document.querySelectorAll('#nodes tr')) rows[row.id] = Number(row.dataset.recordsIn);
return {state: document.body.dataset.state, updates: Number(document.body.dataset.updates),
        produced: Number(document.getElementById('records-produced').textContent),
        seconds: Number(document.getElementById('seconds').textContent), rows,
        notice: document.getElementById('notice').textContent};
"""

started = time.monotonic()
profile = tempfile.mkdtemp(prefix="graph-runner-chromium-")
driver_log = open(os.path.join(profile, "chromedriver.log"), "w")
port = free_port()
driver_proc = subprocess.Popen([chromedriver, f"--port={port}"], stdout=driver_log, stderr=subprocess.STDOUT)
browser = None
run = None
try:
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2) as r:
                if json.loads(r.read())["value"]["ready"]:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or driver_proc.poll() is not None:
            raise AssertionError("chromedriver did not start within 15 s")
        time.sleep(0.1)
    browser = WebDriver(port, os.path.join(profile, "profile"))
    print(f"chromium ready in {time.monotonic() - started:.1f} s")

    run = LiveRun(exe, graph, "--ui", "127.0.0.1:0", "--ui-linger", "20")
    browser.open(run.url)
    browser.wait_for("return Number(document.body.dataset.updates) >= 2 && "
                     "document.querySelectorAll('#drawing svg g.node').length > 0", 10, "the page's first figures")

    # The picture: every node of the graph, painted with its busy %; labels on the edges.
    drawn = browser.js("""
      const nodes = {};
      for (const g of document.querySelectorAll('#drawing svg g.node'))
        nodes[g.querySelector('title').textContent] = {busy: g.dataset.busy,
          fill: g.querySelector('polygon, path').getAttribute('fill')};
      return {nodes, edges: [...document.querySelectorAll('#drawing svg .rate-label')].map((t) => t.textContent),
              gauges: document.querySelectorAll('#drawing svg .in-flight-bar').length};""")
    check(sorted(drawn["nodes"]) == ["checked", "good", "numbers", "rejects"], f"nodes drawn: {sorted(drawn['nodes'])}")
    for name, n in drawn["nodes"].items():
        check(n["busy"] is not None and n["fill"].startswith("hsl("), f"node {name} not painted by busy %: {n}")
    check(len(drawn["edges"]) == 3 and all(e.endswith("/s") for e in drawn["edges"]), f"edge labels: {drawn['edges']}")
    check(drawn["gauges"] == 1, f"{drawn['gauges']} in-flight gauges, expected one (one source)")

    # The figures move between two moments.
    browser.wait_for("return Number(document.getElementById('records-produced').textContent) > 0", 10, "records")
    first = browser.js(READ)
    time.sleep(1.5)
    second = browser.js(READ)
    print(f"on the page: {first['produced']} records at {first['seconds']} s, {second['produced']} at {second['seconds']} s")
    check(first["state"] == "running", f"state while running: {first['state']}")
    check(second["produced"] > first["produced"], f"records did not move: {first['produced']} then {second['produced']}")
    check(second["rows"]["node-good"] > first["rows"]["node-good"], f"the sink's records did not move: {first['rows']} then {second['rows']}")
    check(second["updates"] > first["updates"] + 1, f"the page did not poll: {first['updates']} then {second['updates']} updates")

    image = browser.screenshot()
    try:
        width, height = png_size(image)
        print(f"screenshot: {width}x{height}, {len(image)} bytes")
        check(width >= 800 and height >= 600, f"screenshot {width}x{height}, expected the 1280x900 window")
        check(len(image) > 20_000, f"screenshot of {len(image)} bytes: too small for a drawn page")
    except AssertionError as e:
        check(False, f"screenshot: {e}")
    if screenshot_file:
        with open(screenshot_file, "wb") as f:
            f.write(image)

    # After the run: the final figures, during --ui-linger and after the server is gone.
    browser.wait_for("return document.body.dataset.state === 'completed'", 15, "the state 'completed' on the page")
    final = run.state()
    time.sleep(0.6)
    shown = browser.js(READ)
    check(shown["produced"] == final["records_produced"] > 0,
          f"page shows {shown['produced']} records after the run, /state.json says {final['records_produced']}")
    check("final figures" in shown["notice"], f"notice after the run: {shown['notice']!r}")
    check(run.finish(signal.SIGINT) == 0, "graph-runner's exit code after Ctrl-C during --ui-linger")
    time.sleep(1.5)
    gone = browser.js(READ)
    check(gone["produced"] == final["records_produced"] and gone["state"] == "completed",
          f"after the server stopped the page shows {gone['produced']} ({gone['state']})")
    check("stopped serving" in gone["notice"], f"notice after the server stopped: {gone['notice']!r}")
except AssertionError as e:
    check(False, str(e))
finally:
    if browser:
        browser.quit()
    if run and run.proc.poll() is None:
        run.proc.kill()
    driver_proc.terminate()
    try:
        driver_proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        driver_proc.kill()
    driver_log.close()
    if failures:
        print(open(os.path.join(profile, "chromedriver.log")).read()[-3000:])
    shutil.rmtree(profile, ignore_errors=True)

print(f"took {time.monotonic() - started:.1f} s")
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok")
