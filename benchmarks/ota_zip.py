"""OTA zip audit cost: a realistic bundle at N and 2N members, plus a metadata bomb.

    python benchmarks/ota_zip.py [--members 2000] [--repeat 5]

Prints median wall time and peak RSS of `iwa-audit bundle.zip --select OTA`
for each size, the N→2N ratio (should stay <= 2.1), and the same figures for a
small zip whose directory declares 4 GiB (must stay as cheap as a tiny bundle:
nothing is inflated).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))
from measure import machine, measure  # noqa: E402
from zipcraft import APP, patch_sizes, zip_bytes  # noqa: E402

SCRIPT = "export function run{i}(el) {{ for (let k = 0; k < {i} % 17 + 3; k++) el.append(`item ${{k}}`); }}\n" * 20


def bundle(members: int) -> bytes:
    files = dict(APP)
    for i in range(members):
        files[f"assets/m{i}.js"] = SCRIPT.format(i=i)
    return zip_bytes(files)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "auditor"]
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        figures = {}
        for n in (args.members, 2 * args.members):
            path = Path(tmp, f"b{n}.zip")
            path.write_bytes(bundle(n))
            m = measure([*cli, str(path), "--select", "OTA"], repeat=args.repeat)
            figures[n] = m.median_s
            print(f"{n:>6} members, {path.stat().st_size / 1e6:6.1f} MB zip: median {m.median_s:.3f} s, peak RSS {m.peak_rss_mb:.0f} MB")
        print(f"ratio 2N/N: {figures[2 * args.members] / figures[args.members]:.2f}")
        bomb = Path(tmp, "bomb.zip")
        bomb.write_bytes(patch_sizes(zip_bytes({**APP, "pad.js": b"\0" * (1 << 20)}), 2, size=2**32 - 1, local=True))
        m = measure([*cli, str(bomb), "--select", "OTA"], repeat=args.repeat)
        print(f"bomb declaring 4 GiB ({bomb.stat().st_size} bytes on disk): median {m.median_s:.3f} s, peak RSS {m.peak_rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
