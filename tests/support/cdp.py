"""Headless chromium driven over the DevTools protocol, with the standard library only.

``Chromium`` starts Debian's chromium (--headless=new) with --remote-debugging-port=0 and its
own profile directory, reads the port it chose from DevToolsActivePort, and talks to the page
target over a small WebSocket client (RFC 6455: client frames masked, text frames, no
extensions). It keeps every console message, uncaught exception and log entry of the page, so
a test can assert there was no error. No new Python dependency: nothing here needs a package.
"""

import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENSURE = os.path.join(REPO, "scripts", "ensure_chromium.sh")


def find_chromium():
    """(path, None) of chromium, installing it with scripts/ensure_chromium.sh when missing,
    else (None, why not)."""
    path = shutil.which("chromium")
    if path:
        return path, None
    run = subprocess.run(["bash", ENSURE], capture_output=True, text=True, timeout=900, check=False)
    path = shutil.which("chromium")
    if path:
        return path, None
    return None, "chromium is not installed and scripts/ensure_chromium.sh could not install it: %s" % (
        (run.stderr or run.stdout).strip()[-500:])


class WebSocket:
    """Just enough of a WebSocket client for the DevTools protocol on 127.0.0.1."""

    def __init__(self, url, timeout=30):
        assert url.startswith("ws://"), url
        hostport, path = url[len("ws://"):].split("/", 1)
        host, port = hostport.split(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key)).encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake: %r" % response)
            response += chunk
        head, self._buffer = response.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError("DevTools refused the WebSocket: %r" % head)

    def _read(self, n):
        while len(self._buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self._buffer += chunk
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def send(self, text):
        payload = text.encode("utf-8")
        header = bytearray([0x81])  # FIN, text
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 65536:
            header += struct.pack("!BH", 0x80 | 126, len(payload))
        else:
            header += struct.pack("!BQ", 0x80 | 127, len(payload))
        mask = os.urandom(4)
        self.sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self):
        """The next text message (fragments joined); answers pings."""
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8))[0]
            mask = self._read(4) if second & 0x80 else None
            data = self._read(length)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the WebSocket")
            if opcode == 0x9:  # ping
                continue
            if opcode in (0x0, 0x1, 0x2):
                message += data
                if first & 0x80:
                    return message.decode("utf-8")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Chromium:
    """One headless chromium with one page; ``events`` holds what the page reported."""

    def __init__(self, executable, width=1400, height=1000):
        self.profile = tempfile.mkdtemp(prefix="bulwark-chromium-")
        self.proc = subprocess.Popen(
            [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--remote-debugging-port=0",
             "--remote-debugging-address=127.0.0.1", "--user-data-dir=%s" % self.profile,
             "--window-size=%d,%d" % (width, height), "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self.events, self._id, self.ws = [], 0, None
        try:
            port = self._port()
            deadline = time.time() + 30
            while True:
                with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=10) as response:
                    pages = [t for t in json.loads(response.read().decode()) if t.get("type") == "page"]
                if pages or time.time() > deadline:
                    break
                time.sleep(0.2)
            assert pages, "chromium opened no page"
            self.ws = WebSocket(pages[0]["webSocketDebuggerUrl"])
            for domain in ("Page", "Runtime", "Log"):
                self.call(domain + ".enable")
        except BaseException:
            self.close()
            raise

    def _port(self):
        path = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited with %s: %s" % (
                    self.proc.returncode, self.proc.stderr.read().decode(errors="replace")[-2000:]))
            if os.path.exists(path):
                lines = open(path).read().split()
                if lines:
                    return int(lines[0])
            time.sleep(0.1)
        raise RuntimeError("chromium did not open its DevTools port within 60s")

    def call(self, method, **params):
        """Send one command, keep the events that arrive before its answer, return its result."""
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError("%s failed: %s" % (method, message["error"]))
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method, timeout=30):
        """The first event ``method`` (kept already or arriving within ``timeout`` seconds)."""
        self.ws.sock.settimeout(timeout)
        for event in self.events:
            if event["method"] == method:
                return event
        while True:
            message = json.loads(self.ws.receive())
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return message

    def navigate(self, url):
        self.events = []
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page; an exception fails the test."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError("JavaScript failed: %s" % json.dumps(result["exceptionDetails"])[:2000])
        return result["result"].get("value")

    def problems(self):
        """Console errors and warnings, uncaught exceptions and error log entries (a CSP
        violation, a failed load) the page reported."""
        out = []
        for event in self.events:
            params = event.get("params", {})
            if event["method"] == "Runtime.exceptionThrown":
                out.append("exception: %s" % json.dumps(params.get("exceptionDetails"))[:1000])
            elif event["method"] == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                out.append("console.%s: %s" % (params["type"], json.dumps(params.get("args"))[:1000]))
            elif event["method"] == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                entry = params["entry"]
                out.append("log %s (%s): %s %s" % (entry["level"], entry.get("source"), entry.get("text"),
                                                   entry.get("url", "")))
        return out

    def screenshot(self, path, selector=None):
        """A PNG at ``path`` of the whole page (beyond the window), or of the element ``selector``."""
        params = {"format": "png", "captureBeyondViewport": True}
        if selector:
            box = self.evaluate("(function () { var r = document.querySelector(%s).getBoundingClientRect(); "
                                "return {x: 0, y: r.top + window.scrollY, width: document.documentElement.scrollWidth, "
                                "height: r.height, scale: 1}; })()" % json.dumps(selector))
            params["clip"] = box
        data = self.call("Page.captureScreenshot", **params)["data"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))
        return path

    def close(self):
        if self.ws:
            self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own session: chromium and its helpers
                self.proc.wait(timeout=10)
        self.proc.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)
