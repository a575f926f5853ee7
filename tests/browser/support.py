"""Helpers for the browser tests and bench/page_weight.py: a live server, Debian's
Chromium, page weight and timing through the DevTools protocol, axe-core, screenshots,
and a fake-camera video made from a PNG.

Chromium is always Debian's /usr/bin/chromium (or $CHROMIUM); no tool downloads one.
"""

import io
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
]

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}

# Chrome DevTools' throttling is in bytes per second; "slow 3G" as the issue defines it.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 / 8,
    "uploadThroughput": 400 * 1000 / 8,
}


def chromium_missing():
    """Why the browser tests cannot run here, or None when they can."""
    installed = os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)
    if not installed and shutil.which("chromium") is None:
        return f"Debian's Chromium is not installed at {CHROMIUM} (run `make browsers`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the python playwright package is not installed (requirements-dev.txt)"
    return None


def launch(playwright, extra_args=()):
    """Debian's Chromium, headless, with no background traffic."""
    path = CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium")
    return playwright.chromium.launch(
        executable_path=path, headless=True, args=[*LAUNCH_ARGS, *extra_args]
    )


class LiveServer:
    """The WSGI app on 127.0.0.1 at a free port, served from a thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class Meter:
    """Every request a page makes and the bytes it took on the wire.

    Hosts come from page.on("request"); sizes from the DevTools protocol's
    Network.loadingFinished.encodedDataLength (compressed body plus headers, what a
    phone actually downloads). The cache is disabled (cold=True) unless asked otherwise.
    """

    def __init__(self, page, throttle=None, cold=True):
        self.page = page
        self.urls = []
        self.sizes = {}
        self.failed = []
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": cold})
        if throttle:
            self.cdp.send("Network.emulateNetworkConditions", throttle)
        self._ids = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", lambda e: self.failed.append(e))
        page.on("request", lambda r: self.urls.append(r.url))

    def _sent(self, event):
        self._ids[event["requestId"]] = event["request"]["url"]

    def _finished(self, event):
        url = self._ids.get(event["requestId"], event["requestId"])
        self.sizes[url] = self.sizes.get(url, 0) + int(event["encodedDataLength"])

    def reset(self):
        self.urls.clear()
        self.sizes.clear()
        self.failed.clear()

    def load(self, url):
        """Load a page cold; return (transferred bytes, milliseconds to the load event)."""
        self.reset()
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        timing = self.page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n ? n.loadEventEnd - n.startTime : null; }"
        )
        return self.total(), timing

    def total(self):
        return sum(self.sizes.values())

    def hosts(self):
        return {urlsplit(u).hostname for u in self.urls if not u.startswith("data:")}


def run_axe(page):
    """axe-core's serious and critical violations on the current page (WCAG 2.x A/AA)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the page's policy runs no inline script.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                'best-practice']},
                resultTypes: ['violations'],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def assert_accessible(page):
    bad = run_axe(page)
    assert not bad, f"axe-core violations on {page.url}:\n" + "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
        for v in bad
    )


def screenshot(page, journey, lang, step):
    """test-artifacts/screenshots/<journey>-<lang>-<step>.png: the whole page, one image
    pixel per CSS pixel (a phone page is 360 wide)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{journey}-{lang}-{step}.png"
    page.screenshot(path=str(path), full_page=True, scale="css")
    return path


def qr_video(png_bytes, path, frames=30, width=640, height=480, fps=15):
    """A YUV4MPEG2 (4:2:0) video for Chromium's fake camera: the QR code large and
    centred on a white frame, repeated `frames` times (Chromium loops the file)."""
    from PIL import Image

    qr = Image.open(io.BytesIO(png_bytes)).convert("RGB")
    side = int(min(width, height) * 0.8)
    qr = qr.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("RGB", (width, height), "white")
    frame.paste(qr, ((width - side) // 2, (height - side) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(planes)
    return path


def wait_until(page, expression, timeout=10_000):
    """Poll `expression` (a function's source) until it is truthy. Playwright's
    wait_for_function compiles its predicate in the page, which the page's
    Content-Security-Policy (no eval) refuses."""
    import time

    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} ms: {expression}")
        page.wait_for_timeout(100)
