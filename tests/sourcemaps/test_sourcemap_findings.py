"""Mapped findings through the whole pipeline on hand-made maps: vendored sources, CSS maps, HTML copies, bad maps."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import audit, write_tree
from sourcemap_builder import source_map

from auditor.cli import main

LIB = "export function render(el, html) {\n  el.innerHTML = html;\n}\n"
BUILT = "function r(e,t){e.innerHTML=t}r(document.body,location.hash);\n"
SINK = BUILT.index("e.innerHTML")


def repo(tmp_path: Path, files: dict) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return write_tree(root, files)


def vendored(tmp_path: Path) -> Path:
    segments = [[(0, 0, 0, 0), (SINK, 0, 1, 2)]]
    return repo(tmp_path, {"node_modules/lib/index.js": LIB, "dist/app.js": BUILT, "dist/app.js.map": source_map(segments, ["../node_modules/lib/index.js"], ignore=[0])})


def test_vendored_findings_are_tagged_and_rank_last_in_sarif(tmp_path, monkeypatch, capsys):
    root = vendored(tmp_path)
    finding = next(f for f in audit(root / "dist", "SCR013").findings if f.rule_id == "SCR013")
    assert (Path(finding.location.file).name, finding.location.span.start_line, finding.location.span.start_column, finding.tags) == ("index.js", 2, 3, ("vendored",))
    monkeypatch.chdir(root)
    main(["dist", "--select", "SCR013", "--format", "sarif"])
    result = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
    assert (result["rank"], result["properties"]["tags"]) == (1.0, ["vendored"])
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "node_modules/lib/index.js"


def test_ignore_vendored_drops_them(tmp_path):
    root = vendored(tmp_path)
    assert [f.rule_id for f in audit(root / "dist", "SCR013", settings={"ignore_vendored": True}).findings] == []


def test_a_css_finding_maps_to_the_stylesheet_source(tmp_path):
    scss = '$x: 1;\n@import url("https://fonts.example.com/a.css");\n.a { color: red; }\n'
    css = '@import url("https://fonts.example.com/a.css");.a{color:red}\n/*# sourceMappingURL=style.css.map */\n'
    root = repo(tmp_path, {"styles/main.scss": scss, "dist/style.css": css, "dist/style.css.map": source_map([[(0, 0, 1, 0), (47, 0, 2, 0)]], ["../styles/main.scss"]), "dist/index.html": '<!doctype html><link rel="stylesheet" href="/style.css">'})
    finding = next(f for f in audit(root / "dist", "SCR007").findings if f.location.file or f.location.resource == "/style.css")
    assert (Path(finding.location.file).relative_to(root.resolve()).as_posix(), finding.location.span.start_line, finding.location.span.start_column) == ("styles/main.scss", 2, 9)
    assert finding.built.resource == "/style.css"


def test_an_inline_handler_maps_to_the_project_html(tmp_path):
    source = '<!doctype html>\n<title>app</title>\n<script type="module" src="/src/main.ts"></script>\n<body>\n  <button onclick="window.location.reload()">Reload the page</button>\n</body>\n'
    built = source.replace('<script type="module" src="/src/main.ts"></script>', '<script type="module" crossorigin src="/assets/index-3f9a1c.js"></script>\n<link rel="modulepreload" href="/assets/vendor.js">')
    root = repo(tmp_path, {"index.html": source, "dist/index.html": built})
    finding = next(f for f in audit(root / "dist", "SCR002").findings if f.rule_id == "SCR002")
    assert (Path(finding.location.file).name, finding.location.span.start_line) == ("index.html", 5)
    assert finding.built.span.start_line == 6


def test_a_broken_map_is_a_note_and_the_finding_stays_built(tmp_path):
    root = repo(tmp_path, {"dist/app.js": BUILT, "dist/app.js.map": '{"version": 3, "sources": ["a.js"], "mappings": "AAAA,%%%%"}'})
    report = audit(root / "dist", "SCR013")
    finding = next(f for f in report.findings if f.rule_id == "SCR013")
    assert (finding.location.resource, finding.location.file) == ("/app.js", None)
    assert any("unusable" in n.message for n in report.notifications)


def test_an_audit_without_mapping_imports_no_mapping_module(tmp_path):
    """`--no-source-maps` must not pay for the decoder: suppressions read the originals' cache key without importing relocation."""
    import subprocess
    import sys

    root = vendored(tmp_path)
    probe = (
        "import sys\nfrom auditor.cli import main\n"
        "try:\n    main([sys.argv[1], '--exit-zero', *sys.argv[2:]])\nexcept SystemExit:\n    pass\n"
        "print('LOADED=' + ','.join(m for m in ('auditor.engine.relocation', 'auditor.engine.mapping', 'auditor.parse.sourcemap') if m in sys.modules))\n"
    )

    def loaded(*args: str) -> str:
        out = subprocess.run([sys.executable, "-c", probe, str(root / "dist"), *args], capture_output=True, text=True, check=True, cwd=root).stdout
        return out.rsplit("LOADED=", 1)[1].strip()

    assert loaded("--no-source-maps") == ""
    assert loaded() == "auditor.engine.relocation,auditor.engine.mapping,auditor.parse.sourcemap"  # the near miss: a mapped run does import them


def test_a_mapped_run_with_a_regular_map_leaves_the_rare_parts_unimported(tmp_path):
    # index maps, data: URLs and the one-value decoder live in sourcemap_rare: a run that maps findings through a
    # regular map compiles and imports only the regular-map decoder (each module costs its compile where no byte code is)
    import subprocess
    import sys

    root = vendored(tmp_path)
    probe = (
        "import sys; from auditor.cli import main; main(['dist', '--exit-zero', '--format', 'json']); "
        "loaded = sorted(m for m in sys.modules if 'sourcemap' in m); "
        "sys.stderr.write(repr((loaded, sorted({'IndexMap', 'decode_vlq', 'decode_data_url'} & set(vars(sys.modules[loaded[0]]))))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True)
    assert '"built"' in done.stdout and "node_modules/lib/index.js" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "(['auditor.parse.sourcemap'], [])"
