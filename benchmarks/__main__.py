"""Run every benchmark: ``python -m benchmarks [--quick]`` (``make bench``).

Each benchmark runs lifecircle and its peers on the same inputs in the same session, checks
that their answers agree, prints time ratios and writes its table to
``benchmarks/results/``.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the travel-time and planner benchmarks; ``--quick`` runs the small sizes only."""
    from benchmarks import bench_planner, bench_traveltime

    args = list(sys.argv[1:] if argv is None else argv)
    quick = "--quick" in args
    code = bench_traveltime.main(["--sizes", "1"] if quick else [])
    bench_planner.main(["--quick"] if quick else [])
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
