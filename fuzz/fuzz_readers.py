"""Long-running fuzz harness for every reader and the rules behind them.

Run by hand, for as long as you like:

    pip install atheris            # optional: coverage-guided (libFuzzer) mode
    python fuzz/fuzz_readers.py --minutes 60 [--out fuzz/crashes]

With atheris installed it runs coverage-guided; otherwise it falls back to a
hypothesis-style random and mutation loop over a seed corpus (the shipped
examples plus bundles made by tests/builders when available). Any exception
other than our InputError escaping a reader, or any AUD002 (a rule crashed on
an input the readers accepted), is a bug: the input is saved to --out and the
run goes on. Exit status 1 when anything was found.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from auditor.engine.catalogue import all_rules  # noqa: E402
from auditor.engine.errors import InputError  # noqa: E402
from auditor.engine.registry import RuleSet  # noqa: E402
from auditor.engine.runner import run_rules  # noqa: E402
from auditor.readers import open_input  # noqa: E402

RULESET = RuleSet(all_rules())
SUFFIXES = (".swbn", ".json", ".zip")


def seed_corpus() -> list[bytes]:
    """Valid inputs of every kind to mutate from."""
    seeds = [p.read_bytes() for p in (ROOT / "examples").rglob("*") if p.is_file() and p.suffix in (".swbn", ".wbn", ".zip", ".json")]
    try:
        from builders import fuzz_seeds  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        seeds.extend(fuzz_seeds())
    seeds.append(b'{"versions": [{"version": "1.0.0", "src": "https://e.example/a.swbn"}]}')
    seeds.append(b'{"version": "1.0.0", "url": "https://e.example/a.zip", "checksum": "00"}')
    from zipcraft import APP, zip_bytes

    seeds.append(zip_bytes({**APP, "assets/a.js.map": '{"sourcesContent": ["x"]}', "checksum.json": "{}"}))
    return seeds


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One structured-ish mutation: truncate, flip bits, overwrite a length byte, splice, duplicate."""
    buf = bytearray(data)
    choice = rng.randrange(6)
    if not buf or choice == 0:
        return bytes(buf[: rng.randrange(len(buf) + 1)])
    pos = rng.randrange(len(buf))
    if choice == 1:
        buf[pos] ^= 1 << rng.randrange(8)
    elif choice == 2:
        buf[pos] = rng.choice((0x00, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1F, 0x5B, 0x7B, 0x9F, 0xBF, 0xFF))
    elif choice == 3:
        end = min(len(buf), pos + rng.randrange(1, 64))
        buf[pos:pos] = buf[pos:end] * rng.randrange(1, 8)
    elif choice == 4:
        del buf[pos : pos + rng.randrange(1, 32)]
    else:
        buf[pos:pos] = rng.randbytes(rng.randrange(1, 16))
    return bytes(buf)


class Target:
    """Feeds one input to the readers and the rules, and records real bugs."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.workdir = Path(tempfile.mkdtemp(prefix="iwa-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
        self.found = 0
        self.runs = 0

    def __call__(self, data: bytes) -> None:
        self.runs += 1
        for suffix in SUFFIXES:
            path = self.workdir / f"input{suffix}"
            path.write_bytes(data)
            try:
                bundle = open_input(path)
            except InputError:
                continue
            except Exception:
                self.save(data, "reader", traceback.format_exc())
                continue
            report = run_rules(bundle, RULESET)
            for finding in report.findings:
                if finding.rule_id == "AUD002":
                    self.save(data, "rule", finding.message)

    def save(self, data: bytes, where: str, detail: str) -> None:
        self.found += 1
        self.out.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(data).hexdigest()[:16]
        (self.out / f"{where}-{name}.bin").write_bytes(data)
        (self.out / f"{where}-{name}.txt").write_text(detail, encoding="utf-8")
        print(f"found {where} bug: {detail.strip().splitlines()[-1]} -> {self.out / name}", flush=True)


def run_random(target: Target, minutes: float, seed: int) -> None:
    rng = random.Random(seed)
    seeds = seed_corpus()
    deadline = time.monotonic() + minutes * 60
    while time.monotonic() < deadline:
        if rng.random() < 0.1 or not seeds:
            data = rng.randbytes(rng.randrange(512))
        else:
            data = rng.choice(seeds)
            for _ in range(rng.randrange(1, 4)):
                data = mutate(data, rng)
        target(data)
        if target.runs % 500 == 0:
            print(f"{target.runs} inputs, {target.found} bugs", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=ROOT / "fuzz" / "crashes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-atheris", action="store_true", help="use the built-in random/mutation loop")
    args, rest = parser.parse_known_args()
    target = Target(args.out)
    try:
        if args.no_atheris:
            raise ImportError
        import atheris  # type: ignore[import-not-found]
    except ImportError:
        run_random(target, args.minutes, args.seed)
    else:
        corpus = args.out.parent / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        for data in seed_corpus():
            (corpus / hashlib.sha256(data).hexdigest()[:16]).write_bytes(data)
        atheris.Setup([sys.argv[0], str(corpus), f"-max_total_time={int(args.minutes * 60)}", *rest], target)
        atheris.Fuzz()
    print(f"done: {target.runs} inputs, {target.found} bugs")
    return 1 if target.found else 0


if __name__ == "__main__":
    raise SystemExit(main())
