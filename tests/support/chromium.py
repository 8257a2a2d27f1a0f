"""A tiny headless-Chromium driver over the DevTools protocol (CDP), for tests of the HTML pages.

It starts Debian's ``/usr/bin/chromium`` (nothing is downloaded), talks CDP over one websocket
(PyPI ``websocket-client``), records every network request the page makes, and always ends the
browser's whole process group on close.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("INDGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


class CDPError(RuntimeError):
    pass


class Chromium:
    """A headless Chromium with one page; use as a context manager.

    ``requests`` lists the URL of every request the page sent (``Network.requestWillBeSent``),
    ``errors`` every uncaught exception, console error and CSP/log error.
    """

    def __init__(self, binary: str = CHROMIUM, width: int = 1400, height: int = 900, offline: bool = True) -> None:
        import websocket  # PyPI websocket-client

        self.tmp = Path(tempfile.mkdtemp(prefix="ig-chrome-"))
        args = [
            binary,
            "--headless=new",
            "--no-sandbox",  # root in a container has no user namespace sandbox
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--no-first-run",
            "--no-default-browser-check",
            "--mute-audio",
            # no name resolves: even a request that slipped past the offline switch goes nowhere
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--window-size={width},{height}",
            f"--user-data-dir={self.tmp}",
            "--remote-debugging-port=0",
            "about:blank",
        ]
        self._log = open(self.tmp / "chromium.log", "wb")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self._events: list[dict[str, Any]] = []
        self._next = 0
        try:
            port_file = self.tmp / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise CDPError(f"chromium did not start: {(self.tmp / 'chromium.log').read_text(errors='replace')}")
                time.sleep(0.05)
            port, path = port_file.read_text().splitlines()[:2]
            # suppress_origin: Chromium refuses websocket clients that send an Origin it was not told to allow
            self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=60, suppress_origin=True)
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Network", "Runtime", "Log"):
                self.call(f"{domain}.enable")
            # the viewport (and so every screenshot) is exactly width x height
            self.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            if offline:
                self.call(
                    "Network.emulateNetworkConditions",
                    {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
                )
        except BaseException:
            self.close()
            raise

    # -- protocol ------------------------------------------------------------------------------------
    def _call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            if time.monotonic() > deadline:
                raise CDPError(f"{method}: no answer in {timeout}s")
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._event(reply)

    def call(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        """Send a command to the page's session and return its result."""
        return self._call(method, params, self.session, timeout)

    def _event(self, ev: dict[str, Any]) -> None:
        self._events.append(ev)
        method, p = ev.get("method"), ev.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(p["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.errors.append(f"exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif method == "Runtime.consoleAPICalled" and p.get("type") == "error":
            self.errors.append(
                "console.error: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"])
            )
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            self.errors.append(f"log: {p['entry'].get('text')}")

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        """Wait for an event of this method (one already received counts)."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for ev in self._events[seen:]:
                if ev.get("method") == method:
                    return ev.get("params", {})
            seen = len(self._events)
            if time.monotonic() > deadline:
                raise CDPError(f"no {method} in {timeout}s")
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                self._event(json.loads(self.ws.recv()))
            except Exception as exc:  # websocket timeout
                if time.monotonic() > deadline:
                    raise CDPError(f"no {method} in {timeout}s") from exc
            finally:
                self.ws.settimeout(60)

    # -- page ----------------------------------------------------------------------------------------
    def open(self, path: Path | str, timeout: float = 30) -> None:
        """Navigate to a local file and wait for its load event."""
        self._events.clear()
        url = Path(path).resolve().as_uri()
        res = self.call("Page.navigate", {"url": url})
        if res.get("errorText"):
            raise CDPError(f"navigate {url}: {res['errorText']}")
        self.wait_for("Page.loadEventFired", timeout)

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        """Evaluate JavaScript in the page (awaiting a promise) and return its value."""
        res = self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True, "timeout": int(timeout * 1000)},
            timeout=timeout + 5,
        )
        if "exceptionDetails" in res:
            d = res["exceptionDetails"]
            raise CDPError(f"{expression!r}: {d.get('exception', {}).get('description') or d.get('text')}")
        return res["result"].get("value")

    def screenshot(self, path: Path | str) -> Path:
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path = Path(path)
        path.write_bytes(base64.b64decode(data))
        return path

    # -- end -----------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the browser and end its process group; remove its profile folder."""
        with contextlib.suppress(Exception):
            self._call("Browser.close", timeout=5)
        with contextlib.suppress(Exception):
            self.ws.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        # the renderer, GPU and zygote children share the group we started it in
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
