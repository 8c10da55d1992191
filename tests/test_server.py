"""`iwa-audit server` driven as an editor drives it: LSP messages over the process's stdio."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from auditor.commands.server import app_folder, utf16_column

WAIT = 120  # seconds before a missing message fails the test instead of hanging it (not a timing assertion)

MANIFEST = '{"name": "App", "version": "1.0.0", "start_url": "/"}'
BROKEN = '<!doctype html>\n<html><head><title>x</title></head><body>\n<script>eval("x")</script>\n<p>\U0001f600</p><object data=x></object>\n</body></html>\n'
FIXED = "<!doctype html>\n<html><head><title>x</title></head><body>\n<p>ok</p>\n</body></html>\n"


class Client:
    """A minimal LSP client: Content-Length framing, a reader thread, bounded waits."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "auditor", "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue[dict | None] = queue.Queue()
        self.next_id = 0
        self.published: dict[str, list[dict]] = {}  # the latest diagnostics seen per URI
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            assert length is not None
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method: str, params: dict | None) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)

    def notify(self, method: str, params: dict | None = None) -> None:
        self.send({"method": method, "params": params})

    def wait(self, wanted) -> dict:
        while True:
            try:
                message = self.messages.get(timeout=WAIT)
            except queue.Empty:
                pytest.fail(f"no wanted message within {WAIT}s")
            if message is None:
                pytest.fail("the server closed its output")
            if message.get("method") == "textDocument/publishDiagnostics":
                self.published[message["params"]["uri"]] = message["params"]["diagnostics"]
            if wanted(message):
                return message

    def diagnostics_for(self, uri: str, *, seen: bool = False) -> list[dict]:
        """The next diagnostics published for `uri` (or, with `seen`, the latest already received)."""
        if seen and uri in self.published:
            return self.published[uri]
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
        return message["params"]["diagnostics"]

    def close(self) -> int:
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(timeout=WAIT)


@pytest.fixture
def client():
    c = Client()
    yield c
    c.close()


def test_diagnostics_on_open_and_cleared_on_save(tmp_path: Path, client: Client) -> None:
    (tmp_path / ".well-known").mkdir()
    (tmp_path / ".well-known" / "manifest.webmanifest").write_text(MANIFEST, encoding="utf-8")
    page = tmp_path / "index.html"
    page.write_text(BROKEN, encoding="utf-8")
    uri = page.resolve().as_uri()

    result = client.request("initialize", {"processId": None, "rootUri": tmp_path.resolve().as_uri(), "capabilities": {}})
    assert result["result"]["serverInfo"]["name"] == "iwa-audit"
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "html", "version": 1, "text": BROKEN}})

    diagnostics = client.diagnostics_for(uri)
    by_code = {d["code"]: d for d in diagnostics}
    assert set(by_code) == {"SCR001", "SCR011"}
    assert {d["severity"] for d in diagnostics} == {1}  # both rules default to error
    assert all(d["source"] == "iwa-audit" for d in diagnostics)
    assert by_code["SCR011"]["codeDescription"]["href"].endswith("/docs/rules/SCR011.md")
    # line 4 (0-based 3); the emoji before <object> is one code point but two UTF-16 code units
    assert by_code["SCR011"]["range"] == {"start": {"line": 3, "character": 9}, "end": {"line": 3, "character": 16}}
    assert by_code["SCR001"]["range"]["start"] == {"line": 2, "character": 0}
    # the same audit publishes the folder's other files: the manifest has no usable icon
    manifest_uri = (tmp_path / ".well-known" / "manifest.webmanifest").resolve().as_uri()
    assert "MAN010" in {d["code"] for d in client.diagnostics_for(manifest_uri, seen=True)}

    page.write_text(FIXED, encoding="utf-8")
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert client.diagnostics_for(uri) == []

    assert "error" not in client.request("shutdown", None)
    client.notify("exit")
    assert client.process.wait(timeout=WAIT) == 0


def test_a_warning_is_a_warning_and_notes_are_information(tmp_path: Path, client: Client) -> None:
    """Severity follows the configured level: a project config lowering SCR011 to warning is honoured."""
    (tmp_path / ".well-known").mkdir()
    (tmp_path / ".well-known" / "manifest.webmanifest").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / ".iwa-audit.toml").write_text('[levels]\nSCR011 = "warning"\nSCR001 = "note"\n', encoding="utf-8")
    page = tmp_path / "index.html"
    page.write_text(BROKEN, encoding="utf-8")
    uri = page.resolve().as_uri()
    client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "html", "version": 1, "text": BROKEN}})
    severities = {d["code"]: d["severity"] for d in client.diagnostics_for(uri)}
    assert severities == {"SCR011": 2, "SCR001": 3}


def test_app_folder_is_the_nearest_with_a_manifest(tmp_path: Path) -> None:
    (tmp_path / "app" / ".well-known").mkdir(parents=True)
    (tmp_path / "app" / ".well-known" / "manifest.webmanifest").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "app" / "js").mkdir()
    assert app_folder(tmp_path / "app" / "js" / "main.js") == tmp_path / "app"
    assert app_folder(tmp_path / "app" / ".well-known" / "manifest.webmanifest") == tmp_path / "app"
    (tmp_path / "native").mkdir()
    (tmp_path / "native" / "capacitor.config.json").write_text("{}", encoding="utf-8")
    assert app_folder(tmp_path / "native" / "capacitor.config.json") == tmp_path / "native"
    (tmp_path / "loose").mkdir()
    assert app_folder(tmp_path / "loose" / "a.css") == tmp_path / "loose"


def test_utf16_columns() -> None:
    assert utf16_column("a\U0001f600b", 3) == 3  # the emoji is two code units
    assert utf16_column("abc", 1) == 0
    assert utf16_column("abc", 5) == 4  # past the end (an end at the newline)
