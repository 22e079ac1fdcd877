"""`make bench`: every benchmark script bench/*.py on SQLite and on MariaDB, then one summary table.

Each script runs in its own process with DB_ENGINE and a throwaway DB_NAME / SQLITE_PATH of its own
(bench/harness.py creates and drops that database); its output passes through as it comes, and its
`BENCH <name>: <value> <unit> (target <target>)` lines are collected for the summary. The exit status
is 1 when a script failed or a figure missed its target.

    .venv/bin/python scripts/run_benchmarks.py [--only desk,bill_run] [--engines sqlite]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("sqlite", "mariadb")
NOT_SCRIPTS = {"__init__", "harness"}
LINE = re.compile(r"^BENCH (?P<name>[^:]+): (?P<value>-?[0-9]+(?:\.[0-9]+)?) (?P<unit>\S+) \(target (?P<target>.*)\)$")
TARGET = re.compile(r"^(?P<op>≤|<=|<|≥|>=|>)\s*(?P<limit>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>\S+)?$")


@dataclass(frozen=True)
class Figure:
    script: str
    engine: str
    name: str
    value: float
    unit: str
    target: str

    @property
    def verdict(self) -> str:
        """ "ok" or "MISSED" for a target like "≤ 300 ms"; "" for a floor or a target in words."""
        match = TARGET.match(self.target.strip())
        if not match or (match["unit"] and match["unit"] != self.unit):
            return ""
        limit = float(match["limit"])
        met = {
            "≤": self.value <= limit,
            "<=": self.value <= limit,
            "<": self.value < limit,
            "≥": self.value >= limit,
            ">=": self.value >= limit,
            ">": self.value > limit,
        }[match["op"]]
        return "ok" if met else "MISSED"


def scripts_in(folder: Path, only: set[str] | None) -> list[Path]:
    found = sorted(p for p in folder.glob("*.py") if p.stem not in NOT_SCRIPTS)
    return [p for p in found if only is None or p.stem in only]


def run(script: Path, engine: str, scratch: Path) -> tuple[int, list[Figure]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "SQLITE_PATH", "SALES_ERP_MODE"))}
    env.update(
        DB_ENGINE=engine,
        DB_NAME=f"erp_bench_{os.getpid()}_{script.stem}"[:64],
        SQLITE_PATH=str(scratch / f"{script.stem}.sqlite3"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    print(f"==> {script.stem} on {engine}", flush=True)
    figures = []
    with subprocess.Popen(
        [sys.executable, str(script)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            match = LINE.match(line.strip())
            if match:
                figures.append(
                    Figure(
                        script.stem,
                        engine,
                        match["name"],
                        float(match["value"]),
                        match["unit"],
                        match["target"],
                    )
                )
    return process.returncode, figures


def summary(figures: list[Figure], failed: list[tuple[str, str, int]]) -> str:
    header = ("benchmark", "database", "figure", "value", "target", "")
    rows = [header] + [(f.script, f.engine, f.name, f"{f.value:g} {f.unit}", f.target, f.verdict) for f in figures]
    rows += [(script, engine, f"FAILED (exit {code})", "", "", "") for script, engine, code in failed]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths).rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", help="comma-separated script names (default: every bench/*.py)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: sqlite,mariadb")
    parser.add_argument("--bench-dir", type=Path, default=ROOT / "bench")
    args = parser.parse_args(argv)

    only = set(args.only.split(",")) if args.only else None
    scripts = scripts_in(args.bench_dir, only)
    if not scripts:
        print(f"no benchmark scripts in {args.bench_dir}", file=sys.stderr)
        return 1
    figures: list[Figure] = []
    failed: list[tuple[str, str, int]] = []
    with tempfile.TemporaryDirectory(prefix="erp-bench-") as scratch:
        for engine in args.engines.split(","):
            for script in scripts:
                code, found = run(script, engine, Path(scratch))
                figures += found
                if code != 0:
                    failed.append((script.stem, engine, code))
    print("\n==> summary")
    print(summary(figures, failed))
    missed = [f for f in figures if f.verdict == "MISSED"]
    if failed or missed:
        print(f"\n{len(failed)} script run(s) failed, {len(missed)} figure(s) missed the target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
