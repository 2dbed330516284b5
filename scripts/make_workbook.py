#!/usr/bin/env python3
"""Write a registry workbook (spec/interchange.md) with realistic generated records.

.venv/bin/python scripts/make_workbook.py demo.xlsx               # the demo's size
.venv/bin/python scripts/make_workbook.py big.xlsx --benchmark    # 10,000 aid items,
      # 50,000 disbursements, 5,000 delegations, 30,000 members (the import benchmark)
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.demo_records import build_workbook

BENCHMARK = {
    "organizations": 300,
    "items": 10_000,
    "disbursements": 50_000,
    "delegations": 5_000,
    "members": 30_000,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--benchmark", action="store_true", help="the import benchmark's size")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    started = time.perf_counter()
    sizes = BENCHMARK if args.benchmark else {}
    Path(args.path).write_bytes(build_workbook(seed=args.seed, **sizes))
    print(f"wrote {args.path} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
