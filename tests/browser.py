"""Headless Chromium driven over the Chrome DevTools Protocol, for the HTML paper's tests.

The protocol runs over a pipe (--remote-debugging-pipe: JSON messages ended by a NUL byte on the
browser's file descriptors 3 and 4), so no port is opened and nothing but the standard library
is needed. axe-core comes from npm, installed once into a folder the tests keep (git-ignored).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Without the background-networking flags Chromium phones home (updates, field trials, sync);
# the tests also log every request the page makes, which must be none.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                  "--remote-debugging-pipe")
AXE_VERSION = "4"  # npm's axe-core@4: knows the WCAG 2.1 and 2.2 rules
AXE_FOLDER = Path(__file__).resolve().parent / ".npm"  # git-ignored
TIMEOUT = 60.0


def chromium_path() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_browser() -> tuple[str, str]:
    """Chromium's path and axe-core's source, or skip the test where Chromium or npm is missing;
    under CI (CI=true) that fails instead: .ci/run installs them."""
    executable = chromium_path()
    try:
        if executable is None:
            raise FileNotFoundError("Chromium is not installed")
        return executable, axe_source()
    except (FileNotFoundError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the browser tests need Chromium and npm under CI=true ({error}): .ci/run "
                        "installs them")
        pytest.skip(f"Chromium or axe-core from npm is not available: {error}")


def axe_source() -> str:
    """axe.min.js from npm's axe-core 4.x, installed into AXE_FOLDER the first time."""
    script = AXE_FOLDER / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise FileNotFoundError("npm is not installed")
        AXE_FOLDER.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(AXE_FOLDER),
                        f"axe-core@{AXE_VERSION}"], check=True, capture_output=True, timeout=300)
    return script.read_text(encoding="utf-8")


class ProtocolError(RuntimeError):
    pass


class Browser:
    """One headless Chromium process; pages are opened with page()."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.TemporaryDirectory(prefix="kpi-chromium-")
        to_browser = os.pipe()
        from_browser = os.pipe()
        # the browser reads commands on fd 3 and writes replies on fd 4; move our ends clear of
        # 3 and 4 first, so placing one cannot close another
        child_in, child_out = _high(to_browser[0]), _high(from_browser[1])
        self._send_fd, self._recv_fd = to_browser[1], from_browser[0]
        log = os.open(os.path.join(self.profile.name, "stderr.log"), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            self.pid = os.posix_spawn(executable, [executable, *CHROMIUM_FLAGS,
                                                   f"--user-data-dir={self.profile.name}", "about:blank"],
                                      dict(os.environ), file_actions=[
                                          (os.POSIX_SPAWN_DUP2, child_in, 3),
                                          (os.POSIX_SPAWN_DUP2, child_out, 4),
                                          (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                                          (os.POSIX_SPAWN_DUP2, log, 1),
                                          (os.POSIX_SPAWN_DUP2, log, 2)])
        finally:
            for fd in (child_in, child_out, log):
                os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone: killed below
            self.send("Browser.close", timeout=5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self._send_fd)
        os.close(self._recv_fd)
        self.profile.cleanup()

    # --- the protocol ---------------------------------------------------------------------------

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None,
             timeout: float = TIMEOUT) -> dict[str, Any]:
        """Send a command and wait for its reply; events that arrive meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode("utf-8") + b"\0"
        while data:
            data = data[os.write(self._send_fd, data):]
        while True:
            reply = self._receive(timeout)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ProtocolError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The first event of this kind for the session, kept or still to come."""
        for event in self.events:
            if event["method"] == method and event.get("sessionId") == session:
                self.events.remove(event)
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._receive(max(0.0, deadline - time.monotonic()))
            if event.get("method") == method and event.get("sessionId") == session:
                return event
            if "method" in event:
                self.events.append(event)

    def _receive(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._recv_fd], [], [], max(0.0, left))
            if not ready:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._recv_fd, 1 << 20)
            if not chunk:
                raise ProtocolError("Chromium closed the pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    # --- pages ----------------------------------------------------------------------------------

    @contextmanager
    def page(self, url: str, width: int, height: int = 900,
             media: dict[str, str] | None = None) -> Iterator[Page]:
        """A tab showing url at a viewport width CSS pixels wide, its network requests logged;
        media emulates user preferences, such as {"forced-colors": "active"}."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        try:
            for method in ("Network.enable", "Page.enable", "Runtime.enable", "Log.enable"):
                page.send(method)
            page.send("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            if media:
                page.send("Emulation.setEmulatedMedia",
                          {"features": [{"name": k, "value": v} for k, v in media.items()]})
            page.send("Page.navigate", {"url": url})
            self.wait_for("Page.loadEventFired", session)
            yield page
        finally:
            self.send("Target.closeTarget", {"targetId": target})


class Page:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (a promise is awaited), run by the protocol: the
        page's own policy allows no script, and needs none."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise ProtocolError(json.dumps(result["exceptionDetails"])[:2000])
        return result["result"].get("value")

    def events(self, method: str) -> list[dict[str, Any]]:
        """The events of this kind for this page so far."""
        self.send("Runtime.evaluate", {"expression": "0"})  # a round trip: earlier events are in
        return [e["params"] for e in self.browser.events
                if e["method"] == method and e.get("sessionId") == self.session]

    def requests(self) -> list[str]:
        """Every URL the page asked for, the page itself included."""
        return [e["request"]["url"] for e in self.events("Network.requestWillBeSent")]

    def screenshot(self, path: Path, *, element_id: str | None = None) -> Path:
        """The viewport as a PNG, scrolled to an element first when element_id is given."""
        if element_id:
            found = f"document.getElementById({json.dumps(element_id)})"
            self.evaluate(f"{found}.scrollIntoView({{behavior: 'instant'}})")
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def axe(self, source: str, tags: list[str]) -> list[dict[str, Any]]:
        """axe-core's violations of the rules with these tags: rule, impact, help and the nodes."""
        self.evaluate(source)
        options = json.dumps({"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]})
        return self.evaluate(
            f"axe.run(document, {options}).then(r => r.violations.map(v => ({{id: v.id, impact: v.impact, "
            "help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})))")

    def pdf(self) -> bytes:
        """The page printed as the browser prints it: its own @page sizes, backgrounds kept."""
        data = self.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"]
        return base64.b64decode(data)

    def accessibility_tree(self) -> list[dict[str, Any]]:
        return self.send("Accessibility.getFullAXTree")["nodes"]


def _high(fd: int) -> int:
    """A duplicate of fd numbered 10 or more (the original is closed)."""
    import fcntl

    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high
