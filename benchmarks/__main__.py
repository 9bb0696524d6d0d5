"""Run every benchmark: ``python -m benchmarks [--quick]`` (``make bench``).

End to end (``bench_e2e``: ``check`` and ``run`` on the generated city at scales 1, 3, 7,
10 and 20; ``--quick``: 1 and 3), travel times against the peers (``bench_traveltime``),
the location models against spopt (``bench_planner``) and a province-size ``check`` on a
Dask LocalCluster (``bench_province``: 13 generated cities of scale 7 side by side, about
52,600 km²; ``--quick``: 2 cities of scale 0.5, checked against one process).

Each benchmark runs lifecircle and its peers on the same inputs in the same session, checks
that their answers agree, prints time ratios and writes its table to
``benchmarks/results/``.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark; ``--quick`` runs the small sizes only."""
    import argparse

    from benchmarks import bench_e2e, bench_planner, bench_province, bench_traveltime

    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="the small sizes only")
    quick = ap.parse_args(sys.argv[1:] if argv is None else argv).quick
    bench_e2e.main(["--scales", "1,3"] if quick else [])
    code = bench_traveltime.main(["--sizes", "1"] if quick else [])
    bench_planner.main(["--quick"] if quick else [])
    bench_province.main(["--cities", "2", "--scale", "0.5", "--single"] if quick else [])
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
