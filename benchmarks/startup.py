"""Start-up: `iwa-audit --version` and the audit of a 3-file folder, next to bare Python and ruff.

    python benchmarks/startup.py [--repeat 21] [--no-install] [--against REV]

Targets (issue 16): `--version` <= 30 ms, a 3-file folder audit (manifest,
page, script) <= 150 ms wall. Two installs are measured in the same paired
rounds: this (editable, development) venv, whose `site` imports setuptools'
editable finder on every start, and a regular install (`pip install .` into a
temporary venv, as the README's quick start does; skipped with --no-install),
each next to its own interpreter's `python -c pass` and `python -S -c pass`
(the floor any Python tool pays there, without and with `site`). `ruff check`
and `ruff --version` are measured too when ruff is installed. Byte code is
compiled first (`compileall`), as an ordinary install does: this sandbox sets
PYTHONDONTWRITEBYTECODE, which otherwise makes every run compile the package
from source. Then, in a fresh interpreter, it lists the heavy modules each
command imports. `--against REV` also installs that git revision (`git archive`, then
`pip install`) and measures its `--version` and 3-file audit in the same rounds: on a
loaded machine the paired ratio says more than either time alone.
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import header, paired, ratio

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("cryptography", "cbor2", "jsonschema", "bs4", "soupsieve", "justhtml", "tinycss2", "tree_sitter", "multiprocessing", "zipfile", "defusedxml", "http")
PROBE = (
    "import sys\n"
    "from auditor.launch import main\n"
    "main(sys.argv[2:])\n"
    "sys.stdout.flush()\n"
    "sys.stderr.write('LOADED=' + ','.join(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1].split(',')))) + '\\n')\n"
)


def build_app(root: Path) -> Path:
    (root / ".well-known").mkdir(parents=True)
    manifest = {"name": "Notes", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0", "display": "standalone"}
    (root / ".well-known" / "manifest.webmanifest").write_text(json.dumps(manifest))
    (root / "index.html").write_text('<!doctype html><meta charset="utf-8"><title>Notes</title><script type="module" src="/app.js"></script><p id="out"></p>\n')
    (root / "app.js").write_text('document.getElementById("out").textContent = "ready";\n')
    return root


def loaded(args: list[str]) -> str:
    probe = subprocess.run([sys.executable, "-c", PROBE, ",".join(HEAVY), *args], capture_output=True, text=True, check=False)
    return probe.stderr.rsplit("LOADED=", 1)[-1].strip() if "LOADED=" in probe.stderr else "probe failed"


def regular_install(venv: Path, source: Path = ROOT) -> Path:
    """`pip install SOURCE` into a new venv (dependencies from the configured index); its python."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(source)], check=True, stdout=subprocess.DEVNULL)
    return python


def export_revision(revision: str, target: Path) -> Path:
    """The tree of a git revision of this repository, unpacked into `target` (nothing in the work tree changes)."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--no-install", action="store_true", help="skip the regular (non-editable) install")
    parser.add_argument("--against", metavar="REV", help="also measure this git revision, installed the same way, in the same rounds")
    args = parser.parse_args()
    for package in ("auditor", "rules"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    script = shutil.which("iwa-audit", path=str(Path(sys.executable).parent))
    tool = [script] if script else [sys.executable, "-m", "auditor"]
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "app")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -S -c pass": [sys.executable, "-S", "-c", "pass"],
            "iwa-audit --version": [*tool, "--version"],
            "iwa-audit APP (3 files)": [*tool, str(app)],
        }
        if not args.no_install:
            python = regular_install(Path(tmp) / "venv")
            installed = str(python.parent / "iwa-audit")
            commands |= {
                "installed: python -c pass": [str(python), "-c", "pass"],
                "installed: python -S -c pass": [str(python), "-S", "-c", "pass"],
                "installed: --version": [installed, "--version"],
                "installed: APP (3 files)": [installed, str(app)],
            }
        if args.against:
            old = regular_install(Path(tmp) / "venv-against", export_revision(args.against, Path(tmp) / "against"))
            commands |= {
                f"{args.against}: --version": [str(old.parent / "iwa-audit"), "--version"],
                f"{args.against}: APP (3 files)": [str(old.parent / "iwa-audit"), str(app)],
            }
        if ruff:
            (Path(tmp) / "py").mkdir()
            for name in ("a.py", "b.py", "c.py"):
                (Path(tmp) / "py" / name).write_text("import os\n\n\ndef f(x):\n    return os.path.join(x, 'y')\n")
            commands["ruff --version"] = [ruff, "--version"]
            commands["ruff check (3 files)"] = [ruff, "check", "--no-cache", "--isolated", str(Path(tmp) / "py")]
        got = paired(commands, repeat=args.repeat, warmup=2, cwd=tmp)
        print(header(f"python benchmarks/startup.py --repeat {args.repeat}" + (f" --against {args.against}" if args.against else "")))
        print(f"tool: {' '.join(tool)} (editable install); 'installed:' rows: `pip install .` into a temporary venv; paired rounds, medians of {args.repeat}")
        for name, m in got.items():
            target = " (target <= 30 ms)" if name.endswith("--version") and "ruff" not in name else " (target <= 150 ms)" if "APP" in name else ""
            print(f"{name:<30} {m.median_s * 1000:6.0f} ms  peak RSS {m.peak_rss_mb:4.0f} MB{target}")
        for label, prefix, version, audit in (("editable", "", "iwa-audit --version", "iwa-audit APP (3 files)"), ("installed", "installed: ", "installed: --version", "installed: APP (3 files)")):
            if version in got:
                floor = got[prefix + "python -c pass"].median_s
                print(f"{label}: over its python -c pass: --version +{(got[version].median_s - floor) * 1000:.0f} ms, 3-file audit +{(got[audit].median_s - floor) * 1000:.0f} ms")
        if args.against and "installed: APP (3 files)" in got:
            for what in ("--version", "APP (3 files)"):
                print(f"installed {what} / {args.against}: median of per-round ratios {ratio(got[f'installed: {what}'], got[f'{args.against}: {what}']):.2f}")
        print(f"heavy modules imported by --version: {loaded(['--version']) or 'none'}")
        print(f"heavy modules imported by the 3-file audit: {loaded([str(app)]) or 'none'}")


if __name__ == "__main__":
    main()
