"""Start-up: `iwa-audit --version` wall time (target <= 150 ms) and what it imports.

    python benchmarks/startup.py [--repeat 20]

Runs the installed console script (falling back to `python -m auditor`) and
prints the median, then checks in a fresh interpreter that `--version` loads
none of the heavy parsers (cryptography, cbor2, jsonschema, bs4, tinycss2,
tree_sitter): the pre-commit hook pays for start-up on every commit.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import machine, measure

HEAVY = ("cryptography", "cbor2", "jsonschema", "bs4", "tinycss2", "tree_sitter")
PROBE = (
    "import sys\n"
    "from auditor.cli import main\n"
    "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
    "print('LOADED=' + ','.join(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:]))))\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    script = shutil.which("iwa-audit", path=str(Path(sys.executable).parent)) or shutil.which("iwa-audit")
    cmd = [script, "--version"] if script else [sys.executable, "-m", "auditor", "--version"]
    python = measure([sys.executable, "-c", "pass"], repeat=args.repeat)
    result = measure(cmd, repeat=args.repeat)
    probe = subprocess.run([sys.executable, "-c", PROBE, *HEAVY], capture_output=True, text=True, check=False)
    loaded = probe.stdout.rsplit("LOADED=", 1)[-1].strip() if "LOADED=" in probe.stdout else f"probe failed: {probe.stderr[-300:]}"
    print(f"machine: {machine()}")
    print(f"command: {' '.join(cmd)}")
    print(f"bare python start-up: {python.median_s * 1000:.0f} ms")
    print(f"iwa-audit --version:  {result.median_s * 1000:.0f} ms median of {args.repeat} (target <= 150 ms), peak RSS {result.peak_rss_mb:.0f} MB")
    print(f"heavy modules imported by --version: {loaded or 'none'}")


if __name__ == "__main__":
    main()
