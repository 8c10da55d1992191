"""Team tool (not a CI gate): load each accuracy page in headless Chromium under the IWA headers
and print the pages whose label disagrees with what Chromium reports.

Each page is served on 127.0.0.1 only, with Chrome's IWA CSP (plus a `report-uri` back to this
server), COOP, COEP and CORP. A page "is blocked" when Chromium sends at least one CSP/Trusted
Types violation report for it; a labelled page must be blocked, an unlabelled one must not.
JavaScript cases run as a module script of the page; CSS cases as its stylesheet.
Constructs that never report (a <meta refresh>, <object>, COEP refusals, fonts) are listed
as "no report expected" rather than as disagreements.

    python tests/accuracy/relabel_with_chromium.py [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cases import CASES

CSP = (
    "base-uri 'none'; default-src 'self'; object-src 'none'; frame-src 'self' https: blob: data:; "
    "connect-src 'self' https: wss: blob: data:; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' https: blob: data:; "
    "media-src 'self' https: blob: data:; font-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; "
    "require-trusted-types-for 'script'; frame-ancestors 'self'"
)
SILENT = {"SCR003", "SCR008", "SCR009", "SCR011", "SCR012", "SCR014", "SCR015"}  # blocked without a report here (a <meta> CSP has no report-uri)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--virtual-time-budget=3000", "--dump-dom"]
REPORTS: dict[int, list[bytes]] = {}
CURRENT = [0]


def files_of(index: int) -> dict[str, tuple[str, bytes]]:
    _, file, content, _ = CASES[index]
    page = "<!doctype html><html><head><title>case</title></head><body><p>ok</p></body></html>"
    files = {"/app.js": ("text/javascript", b""), "/style.css": ("text/css", b"")}
    if file == "index.html":
        page = content
    elif file == "app.js":
        page = '<!doctype html><html><head><script type="module" src="/app.js"></script></head><body></body></html>'
        files["/app.js"] = ("text/javascript", content.encode())
    else:
        page = '<!doctype html><html><head><link rel="stylesheet" href="/style.css"></head><body><p>x</p></body></html>'
        files["/style.css"] = ("text/css", content.encode())
    files["/index.html"] = ("text/html", page.encode())
    return files


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        if self.path.startswith("/report/"):
            REPORTS.setdefault(int(self.path.rsplit("/", 1)[1]), []).append(self.rfile.read(int(self.headers.get("content-length", 0))))
        self.send_response(204)
        self.end_headers()

    def do_GET(self):
        index = CURRENT[0]  # pages load one at a time, so root-relative URLs need no per-case prefix
        found = files_of(index).get(self.path.split("?", 1)[0])
        if found is None:
            self.send_error(404)
            return
        kind, body = found
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-security-policy", f"{CSP}; report-uri /report/{index}")
        self.send_header("cross-origin-opener-policy", "same-origin")
        self.send_header("cross-origin-embedder-policy", "require-corp")
        self.send_header("cross-origin-resource-policy", "same-origin")
        self.end_headers()
        self.wfile.write(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("--first", type=int, default=len(CASES), help="check only the pages before this index")
    parser.add_argument("--start", type=int, default=0, help="check only the pages from this index on")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    disagree = 0
    for index, (name, _, _, label) in enumerate(CASES[: args.first]):
        if index < args.start:
            continue
        CURRENT[0] = index
        with tempfile.TemporaryDirectory() as profile:
            url = f"http://127.0.0.1:{port}/index.html"
            subprocess.run([args.chromium, *FLAGS, f"--user-data-dir={profile}", url], capture_output=True, timeout=60, check=False)
        blocked = bool(REPORTS.get(index))
        expected = label is not None
        if blocked != expected and label not in SILENT:
            disagree += 1
            print(f"{name}: label {label}, Chromium {'reported a violation' if blocked else 'reported nothing'}")
    server.shutdown()
    print(f"{disagree} of {min(args.first, len(CASES)) - args.start} labels disagree with Chromium")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
