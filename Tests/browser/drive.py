#!/usr/bin/env python3
"""Drives headless Chromium through the Relance workspace over the DevTools protocol (standard library only).

Signs in, opens the main pages, logs a call outcome on an invoice and checks that the page shows it; saves a
screenshot of each page. Exits non-zero on the first failed check.

Usage: drive.py --base http://127.0.0.1:PORT --name NAME --password PASS --out docs/images [--chromium chromium]
"""
import argparse, base64, json, os, socket, struct, subprocess, sys, tempfile, time, urllib.request


class WebSocket:
    """A minimal RFC 6455 client: text frames, client masking, enough for the DevTools protocol."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=300)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            response += chunk
        head, self.buffer = response.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("DevTools refused the WebSocket: " + head.decode(errors="replace"))

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def send(self, text):
        data = text.encode()
        header = bytes([0x81])
        if len(data) < 126:
            header += bytes([0x80 | len(data)])
        elif len(data) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(data))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def receive(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0x9, 0xA):
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Page:
    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.receive())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, event, timeout=300):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e.get("method") == event:
                    del self.events[: i + 1]
                    return e
            self.events.append(json.loads(self.ws.receive()))
        raise RuntimeError(f"timed out waiting for {event}")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def goto(self, url):
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def submit(self, expression):
        """Runs a script that submits a form and waits for the page it leads to."""
        self.events.clear()
        self.evaluate(expression)
        self.wait_for("Page.loadEventFired")

    def screenshot(self, path):
        height = self.evaluate("Math.min(document.documentElement.scrollHeight, 2400)")
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=int(height), deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        self.call("Emulation.clearDeviceMetricsOverride")


failures = 0


def check(condition, what):
    global failures
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chromium", default="chromium")
    ap.add_argument("--invoice", default="FA-2026-10398")
    ap.add_argument("--customer", default="metalux")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        devtools_port = s.getsockname()[1]
    profile = tempfile.mkdtemp(prefix="relance-chromium-")
    browser = subprocess.Popen([args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--disable-dev-shm-usage", f"--remote-debugging-port={devtools_port}",
                                "--remote-allow-origins=*", f"--user-data-dir={profile}", "--window-size=1280,900",
                                "--lang=en-US", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        target = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{devtools_port}/json/list", timeout=2) as r:
                    target = next(t for t in json.load(r) if t.get("type") == "page")
                break
            except Exception:
                time.sleep(0.2)
        if target is None:
            raise RuntimeError("Chromium did not open its DevTools port")
        page = Page(WebSocket(target["webSocketDebuggerUrl"]))
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Network.enable")
        page.call("Network.setExtraHTTPHeaders", headers={"Accept-Language": "en"})
        base = args.base.rstrip("/")

        # 1. Anonymous: sent to the sign-in page.
        page.goto(base + "/")
        check(page.evaluate("location.pathname") == "/signin", "an anonymous visit lands on /signin")
        page.screenshot(os.path.join(args.out, "signin.png"))

        # 2. Sign in with the form.
        page.submit("document.querySelector('input[name=name]').value = %s;"
                    "document.querySelector('input[name=password]').value = %s;"
                    "document.querySelector('form.signin').submit();" % (json.dumps(args.name), json.dumps(args.password)))
        where = page.evaluate("location.pathname")
        check(where == "/", f"signing in opens the overview (at {where})")
        if where != "/":
            print(page.evaluate("document.body.innerText")[:600])
        check(page.evaluate("document.querySelector('h1').textContent") == "Portfolio", "the overview's heading is 'Portfolio'")
        bars = page.evaluate("document.querySelectorAll('svg.chart rect.bar').length")
        check(bars > 0, f"the cash-in chart has bars ({bars})")
        page.screenshot(os.path.join(args.out, "overview.png"))

        # 3. Customers and one customer with its organisation drawn by Graphviz.
        page.goto(base + "/customers")
        rows = page.evaluate("document.querySelectorAll('table.data tbody tr').length")
        check(rows >= 3, f"the customers page lists the customers ({rows})")
        page.goto(base + "/customers/" + args.customer)
        nodes = page.evaluate("document.querySelectorAll('.org svg g.node').length")
        check(nodes > 0, f"the customer page draws the organisation ({nodes} nodes)")
        placed = page.evaluate("[...document.querySelectorAll('.org svg g.node title')].filter(t => t.textContent.startsWith('inv')).length")
        check(placed > 0, f"open invoices are placed on departments ({placed} invoice nodes)")
        page.screenshot(os.path.join(args.out, "customer.png"))

        # 4. The stuck list.
        page.goto(base + "/stuck")
        stuck = page.evaluate("document.querySelectorAll('#stuck-table tbody tr').length")
        check(stuck > 0, f"the stuck list has rows ({stuck})")
        page.screenshot(os.path.join(args.out, "stuck.png"))

        # 5. An invoice: log a call outcome and see the page change.
        page.goto(base + "/invoices/" + args.invoice)
        before = page.evaluate("document.querySelectorAll('#timeline li').length")
        done_before = page.evaluate("document.querySelectorAll('ol.route li.done').length")
        page.screenshot(os.path.join(args.out, "invoice.png"))
        note = "Browser test: approved on the phone %d" % int(time.time())
        page.submit("document.querySelector('#log-state').value = 'approved';"
                    "document.querySelector('#log-note').value = %s;"
                    "document.querySelector('#log-form').submit();" % json.dumps(note))
        check(page.evaluate("location.search") == "?logged=1", "logging redirects back to the invoice")
        check("Recorded." in page.evaluate("document.querySelector('.notice') ? document.querySelector('.notice').textContent : ''"),
              "the page confirms the outcome was recorded")
        after = page.evaluate("document.querySelectorAll('#timeline li').length")
        check(after == before + 1, f"the timeline has one more event ({before} → {after})")
        check(note in page.evaluate("document.querySelector('#timeline').textContent"), "the new event shows its note")
        done_after = page.evaluate("document.querySelectorAll('ol.route li.done').length")
        check(done_after > done_before, f"the approval moved the invoice along its route ({done_before} → {done_after} steps done)")

        # 6. French.
        page.goto(base + "/?lang=fr")
        check(page.evaluate("document.querySelector('h1').textContent") == "Portefeuille", "?lang=fr shows the overview in French")
        page.goto(base + "/?lang=en")

        # 7. The agenda: one click on the first call's first outcome button (no answer), and the agenda changes.
        page.goto(base + "/agenda")
        calls = page.evaluate("document.querySelectorAll('#agenda-calls li.call').length")
        check(calls > 0, f"the agenda lists calls ({calls})")
        contact = page.evaluate("document.querySelector('#agenda-calls li.call') ? document.querySelector('#agenda-calls li.call').dataset.contact : ''")
        page.screenshot(os.path.join(args.out, "agenda.png"))
        page.submit("document.querySelector('#agenda-calls li.call form.outcome').submit();")
        check("logged=1" in page.evaluate("location.search"), "an outcome redirects back to the agenda")
        page.goto(base + "/agenda")
        calls_after = page.evaluate("document.querySelectorAll('#agenda-calls li.call').length")
        still = page.evaluate("[...document.querySelectorAll('#agenda-calls li.call')].some(li => li.dataset.contact === %s)" % json.dumps(contact))
        check(not still,
              f"the contact called is no longer proposed today ({calls} → {calls_after} calls, {contact} still there: {still})")

        # 8. The reports.
        page.goto(base + "/reports")
        kpis = page.evaluate("document.querySelectorAll('#kpi-table tbody tr').length")
        check(kpis >= 3, f"the reports list KPIs by customer ({kpis})")
        departments = page.evaluate("document.querySelectorAll('#bottleneck-table tbody tr').length")
        check(departments > 0, f"the reports rank bottleneck departments ({departments})")
        page.screenshot(os.path.join(args.out, "reports.png"))
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
    print(f"{failures} failed check(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
