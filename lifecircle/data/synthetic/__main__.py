"""``python -m lifecircle.data.synthetic --out DIR``: write the synthetic demo region."""

from __future__ import annotations

import argparse
from pathlib import Path

from lifecircle.data.synthetic import generate, write_demo


def main(argv: list[str] | None = None) -> int:
    """Generate a region and write it in planner formats; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m lifecircle.data.synthetic",
        description="Write the SYNTHETIC demo region (合成数据, 非真实数据) laid out like "
                    "Ma'anshan.")
    parser.add_argument("--out", "-o", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="area multiplier: 1 = demo, about 7 = whole city (default 1)")
    args = parser.parse_args(argv)
    write_demo(generate(seed=args.seed, scale=args.scale), args.out, seed=args.seed,
               scale=args.scale)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
