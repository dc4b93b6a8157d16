"""A private redis-server for one test, and a small RESP client (no Python package needed).

The server listens on 127.0.0.1 at a free port, keeps nothing on disk (--save '' --appendonly
no) and is stopped by the test (a `with` block), also when the test fails.
"""
import os
import socket
import shutil
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisError(Exception):
    pass


class Client:
    def __init__(self, port, password=None, user=None, socket_path=None):
        if socket_path:
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.settimeout(30)
            self.sock.connect(socket_path)
        else:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        if password is not None:
            self.cmd("AUTH", *([user] if user else []), password)

    def close(self):
        self.sock.close()

    @staticmethod
    def encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RedisError("bad reply: %r" % line)

    def cmd(self, *args):
        self.sock.sendall(self.encode(args))
        r = self.reply()
        if isinstance(r, RedisError):
            raise r
        return r

    def pipeline(self, commands, chunk=5000):
        """Sends commands in chunks; returns the replies (errors as RedisError values)."""
        replies = []
        for i in range(0, len(commands), chunk):
            part = commands[i:i + chunk]
            self.sock.sendall(b"".join(self.encode(c) for c in part))
            replies += [self.reply() for _ in part]
        return replies


class RedisServer:
    def __init__(self, workdir, password=None, extra=(), unix=False):
        self.workdir = workdir
        self.password = password
        self.extra = list(extra)
        # unix: a Unix socket only (--port 0 turns TCP off), for graphs that take `socket`
        # (in a short folder of its own: a socket path is limited to 107 bytes)
        self.socket = os.path.join(tempfile.mkdtemp(prefix="gr-redis-"), "r.sock") if unix else None
        self.port = 0 if unix else free_port()
        self.proc = None
        os.makedirs(workdir, exist_ok=True)

    def start(self):
        where = ["--unixsocket", self.socket] if self.socket else ["--bind", "127.0.0.1"]
        args = ["redis-server", "--port", str(self.port)] + where + ["--save", "", "--appendonly", "no",
                "--dir", self.workdir, "--logfile", os.path.join(self.workdir, "redis.log")] + self.extra
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                c = self.client()
                c.cmd("PING")
                c.close()
                return self
            except (OSError, RedisError):
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start at %s (see %s/redis.log)" %
                                   (self.socket or self.port, self.workdir))
                time.sleep(0.05)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        if self.socket and os.path.exists(os.path.dirname(self.socket)):
            shutil.rmtree(os.path.dirname(self.socket), ignore_errors=True)

    def restart(self, down_seconds=0.0):
        """Kills the server (all data gone: no persistence) and starts it on the same port."""
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def client(self):
        return Client(self.port, self.password, socket_path=self.socket)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def fill(client, stream, count, start=0, chunk=5000):
    """XADDs `count` entries {n: i, payload: ...}; returns their ids in order."""
    ids = []
    for first in range(start, start + count, chunk):
        cmds = [("XADD", stream, "*", "n", i, "payload", "entry-%d" % i)
                for i in range(first, min(start + count, first + chunk))]
        for r in client.pipeline(cmds, chunk):
            if isinstance(r, RedisError):
                raise r
            ids.append(r)
    return ids


def group_info(client, stream, group):
    """XINFO GROUPS as a dict for one group (pending, lag, entries-read, ...)."""
    for g in client.cmd("XINFO", "GROUPS", stream):
        d = dict(zip(g[::2], g[1::2]))
        if d["name"] == group:
            return d
    return None


def pending_ids(client, stream, group, consumer=None):
    args = ["XPENDING", stream, group, "-", "+", 10_000_000] + ([consumer] if consumer else [])
    return [p[0] for p in client.cmd(*args)]
