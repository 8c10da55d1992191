"""Start-up: what an audit imports, for the inputs it is given (issue 16, fast start).

A pre-commit hook pays every import on every commit, so modules that only some
inputs need must not be imported for the others. Each probe runs the command
in a fresh interpreter and lists the modules it ended with; each absence is
paired with an input that does import the module, so a probe that silently
stopped seeing imports would fail too. No timing here (benchmarks/startup.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

PROBE = (
    "import sys\n"
    "from auditor.launch import main\n"
    "main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "sys.stderr.write('LOADED=' + ' '.join(sorted(sys.modules)) + '\\n')\n"
)

# Never needed by an audit of a small app folder without CSS, configuration or source maps.
NOT_FOR_A_PLAIN_APP = (
    "tinycss2",               # no stylesheet, no <style>
    "justhtml.transforms",    # the sanitizer's transforms: the tree builder does without
    "logging",                # only for --debug or a crashed rule
    "traceback",
    "tomllib",                # no configuration file
    "jsonschema",             # a valid manifest passes the light schema check
    "importlib.resources",    # data files are read beside the package; grammars from their binding
    "zipfile",
    "tempfile",
    "cryptography",
    "cbor2",
    "bs4",
    "multiprocessing",        # one small script is parsed in-process
    "shutil",                 # argparse's formatter asks it the terminal width; ours asks os
    "argparse",               # arguments that are all paths need no parser (cli.plain_paths)
    "gettext",
    "locale",
    "mmap",                   # a small file is searched for suppressions and keys by one read
    "bz2",
    "lzma",
    "auditor.native.android",  # Capacitor project readers
    "auditor.native.ios",
    "auditor.native.keys",
    "auditor.native.xml_tree",
    "auditor.chrome.update_manifest",
    "auditor.readers.ota_zip",
)


def loaded(*args: str, cwd: Path) -> set[str]:
    probe = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False, cwd=cwd)
    assert "LOADED=" in probe.stderr, probe.stderr
    return set(probe.stderr.rsplit("LOADED=", 1)[1].split())


def write_app(root: Path, files: dict[str, str]) -> Path:
    manifest = {"name": "Notes", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0", "display": "standalone"}
    (root / ".well-known").mkdir(parents=True)
    (root / ".well-known" / "manifest.webmanifest").write_text(json.dumps(manifest))
    for name, text in files.items():
        (root / name).write_text(text)
    return root


PAGE = '<!doctype html><meta charset="utf-8"><title>Notes</title><script type="module" src="/app.js"></script><p id="out"></p>\n'
SCRIPT = 'document.getElementById("out").textContent = "ready";\n'


def test_a_three_file_app_imports_only_what_its_inputs_need(tmp_path):
    app = write_app(tmp_path / "app", {"index.html": PAGE, "app.js": SCRIPT})
    modules = loaded(str(app), cwd=tmp_path)
    assert sorted(m for m in NOT_FOR_A_PLAIN_APP if m in modules) == []
    assert {"justhtml.parser.engine", "auditor.rules.native_transport"} <= modules  # it did parse the page
    assert "tree_sitter" not in modules  # the script holds no word any query looks for: it is not parsed


def test_the_modules_a_plain_app_skips_are_imported_when_an_input_needs_them(tmp_path):
    """The near-miss of the test above: a stylesheet, a configuration file and --debug."""
    app = write_app(tmp_path / "app", {"index.html": PAGE.replace("<p", "<style>@import url(/base.css);</style><p"), "app.js": SCRIPT + "document.body.innerHTML = location.hash;\n"})
    (tmp_path / ".iwa-audit.toml").write_text('fail-level = "error"\n')
    modules = loaded(str(app), "--debug", "--jobs", "1", cwd=tmp_path)
    assert {"tinycss2", "tomllib", "logging", "tree_sitter", "argparse", "gettext", "locale"} <= modules
    (app / "big.bin").write_bytes(b"\0" * (1024 * 1024 + 1))
    assert "mmap" in loaded(str(app), cwd=tmp_path)  # a file over 1 MiB is searched through a memory map


def test_a_stylesheet_no_css_rule_reads_is_not_parsed(tmp_path):
    """Only `@import` and `@font-face` are read: CSS with `@media` and `url()` but neither is not tokenised (the test above is its near-miss)."""
    css = ".a { background: url(https://cdn.example/a.png) } @media (min-width: 40em) { .a { color: red } } @keyframes k { to { opacity: 0 } }"
    app = write_app(tmp_path / "app", {"index.html": PAGE.replace("<p", "<style>p{color:red}</style><p"), "style.css": css})
    assert "tinycss2" not in loaded(str(app), cwd=tmp_path)


def test_a_folder_without_pages_or_scripts_imports_no_html_or_js_parser(tmp_path):
    app = write_app(tmp_path / "app", {})
    modules = loaded(str(app), cwd=tmp_path)
    assert not {m for m in modules if m.split(".")[0] in ("justhtml", "tree_sitter", "tree_sitter_javascript", "tinycss2")}


MAPPING = {"auditor.engine.mapping", "auditor.parse.sourcemap"}
SINK = "document.body.innerHTML = location.hash;\n"


def test_no_source_maps_imports_no_mapping(tmp_path):
    app = write_app(tmp_path / "app", {"index.html": PAGE, "app.js": SCRIPT + SINK + "//# sourceMappingURL=app.js.map\n"})
    assert not MAPPING & loaded(str(app), "--no-source-maps", cwd=tmp_path)
    assert loaded(str(app), cwd=tmp_path) >= MAPPING  # the near-miss: a finding in a script that names its map


def test_findings_where_no_map_or_copy_can_lead_imports_no_mapping(tmp_path):
    """Findings in the manifest, a page and a script, none with a map reference, a sibling .map or a copy beside the folder."""
    app = write_app(tmp_path / "app", {"index.html": PAGE.replace("<p", "<p onclick=go()"), "app.js": SCRIPT + SINK})
    assert not MAPPING & loaded(str(app), cwd=tmp_path)
    (app / "app.js.map").write_text('{"version": 3, "sources": [], "names": [], "mappings": ""}')
    assert loaded(str(app), cwd=tmp_path) >= MAPPING  # a sibling map
    (app / "app.js.map").unlink()
    (tmp_path / "index.html").write_text(PAGE)
    assert loaded(str(app), cwd=tmp_path) >= MAPPING  # the page's copy beside the build folder (a Vite project's index.html)


def test_version_imports_nothing_but_the_launcher(tmp_path):
    """`--version` is answered before anything else is imported: only the launcher beyond what Python itself
    loads, not even `__future__`. Run without `site` (the package from this tree), whose hooks (an editable
    install's finder) would import modules of their own."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}

    def modules(*args: str) -> set[str]:
        probe = subprocess.run([sys.executable, "-S", "-c", PROBE, *args], capture_output=True, text=True, check=False, cwd=tmp_path, env=env)
        assert "LOADED=" in probe.stderr, probe.stderr
        return set(probe.stderr.rsplit("LOADED=", 1)[1].split())

    bare = subprocess.run([sys.executable, "-S", "-c", "import sys; print(' '.join(sys.modules))"], capture_output=True, text=True, check=True, cwd=tmp_path).stdout.split()
    assert sorted(modules("--version") - set(bare)) == ["auditor", "auditor.launch"]
    assert {"argparse", "__future__"} <= modules("--help") - set(bare)  # the near-miss: anything else builds the CLI


SHA256 = {"_sha256", "_sha2"}  # CPython's own SHA-256 (3.11, 3.12+)


def test_hashing_is_imported_only_to_fingerprint_findings(tmp_path):
    """A clean run hashes nothing (OTA010's module is imported either way); a finding's fingerprint uses
    CPython's own SHA-256, not OpenSSL's bindings (`_hashlib`, ~3 ms), which only an OTA zip's digests load."""
    app = write_app(tmp_path / "app", {"index.html": PAGE, "app.js": SCRIPT})
    clean = loaded(str(app), "--select", "SCR001,OTA010", cwd=tmp_path)
    assert "auditor.capgo.updater" in clean and not {"hashlib", "_hashlib", "base64", *SHA256} & clean
    found = loaded(str(app), cwd=tmp_path)  # MAN010 reports the missing icon
    assert SHA256 & found and not {"hashlib", "_hashlib"} & found
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("index.html", PAGE)
    assert "_hashlib" in loaded(str(archive), "--checksum", "0" * 64, cwd=tmp_path)  # the near-miss: the zip's SHA-256, to check it


COMPILED_LAZY = (
    "import sys\n"
    "from auditor.launch import main\n"
    "from auditor.engine.lazy import LazyPattern\n"
    "main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "names = [f'{n}.{a}' for n, m in list(sys.modules.items()) if n.startswith('auditor') for a, v in list(vars(m).items()) if isinstance(v, LazyPattern) and 'search' in vars(v)]\n"
    "sys.stderr.write('COMPILED=' + ' '.join(sorted(names)) + '\\n')\n"
)


def compiled_lazy(*args: str, cwd: Path) -> set[str]:
    probe = subprocess.run([sys.executable, "-c", COMPILED_LAZY, *args], capture_output=True, text=True, check=False, cwd=cwd)
    assert "COMPILED=" in probe.stderr, probe.stderr
    return set(probe.stderr.rsplit("COMPILED=", 1)[1].split())


def test_patterns_only_some_inputs_need_are_not_compiled_for_a_plain_app(tmp_path):
    app = write_app(tmp_path / "app", {"index.html": PAGE, "app.js": SCRIPT})
    assert compiled_lazy(str(app), cwd=tmp_path) == set()
    manifest = json.loads((app / ".well-known" / "manifest.webmanifest").read_text())
    manifest["protocol_handlers"] = [{"protocol": "web+notes", "url": "/open?u=%s"}]
    (app / ".well-known" / "manifest.webmanifest").write_text(json.dumps(manifest))
    assert "auditor.rules.entry_points.WEB_PLUS" in compiled_lazy(str(app), cwd=tmp_path)  # the near-miss: a protocol handler
