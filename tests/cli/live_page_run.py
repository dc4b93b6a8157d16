"""Starts `graph-runner run GRAPH --ui ...` and reads the address it prints: shared by the
tests of the live page (live_page_json.py, live_page_browser.py)."""
import json
import re
import subprocess
import threading
import time
import urllib.request

URL_LINE = re.compile(r"serving the live page on (http://(\S+):(\d+)/)")


class LiveRun:
    def __init__(self, exe, graph, *options, env=None):
        self.proc = subprocess.Popen([exe, "run", graph, *options], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.stderr_lines = []
        self.url = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.stderr_lines.append(line)
            m = URL_LINE.search(line)
            if m:
                self.url, self.host, self.port = m[1], m[2], int(m[3])
                break
        # keep reading stderr so the program never blocks on a full pipe
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        if not self.url:
            self.proc.kill()
            raise SystemExit("FAIL: no 'serving the live page on http://HOST:PORT/' line on stderr:\n"
                             + "".join(self.stderr_lines))

    def _drain(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def stderr(self):
        return "".join(self.stderr_lines)

    def get(self, path, headers=None):
        """(status, content type, body) of GET url+path."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read()

    def state(self):
        status, _, body = self.get("state.json")
        if status != 200:
            raise AssertionError(f"GET state.json: HTTP {status}")
        return json.loads(body)

    def wait_for(self, predicate, seconds, what):
        """Polls state.json until predicate(state) holds; returns that state."""
        deadline = time.monotonic() + seconds
        state = None
        while time.monotonic() < deadline:
            state = self.state()
            if predicate(state):
                return state
            time.sleep(0.1)
        raise AssertionError(f"{what} not seen within {seconds} s; last state: {json.dumps(state)[:600]}")

    def finish(self, signal_to_send=None, timeout=20):
        if signal_to_send is not None and self.proc.poll() is None:
            self.proc.send_signal(signal_to_send)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"graph-runner did not exit within {timeout} s")
        self._reader.join(timeout=5)
        return code
