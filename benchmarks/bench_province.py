"""Province-size benchmark: ``check`` on a Dask LocalCluster, partition by partition.

The region is several generated cities side by side (``lifecircle.data.synthetic`` at one
scale, tiled on a grid 5 km apart, each tile's districts renamed ``市<k>·<district>`` so
every district is its own partition): ``--cities 13 --scale 7`` is about 52,600 km²
(13 x Ma'anshan's 4,049 km²). The region is written once (cached in
``benchmarks/.regions/``, not timed), then ``pipeline.run(..., steps=("check",),
scheduler=client)`` runs on a ``LocalCluster`` of ``--workers`` single-threaded worker
processes, and, for comparison on the same region, the single-process ``check`` when
``--single`` is given.

Recorded: wall time of the whole run and of its stages, the partition table (own
communities, demand points and population, halo roads, facilities and edges, seconds,
peak RSS of the worker process that ran it), the peak RSS of each worker and of the client.

``python -m benchmarks.bench_province [--cities 13] [--scale 7] [--workers 2] [--single]``
writes ``benchmarks/results/province.md`` and ``province.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
REGIONS = ROOT / "benchmarks" / ".regions"
GAP_M = 5000.0


def province(cities: int, scale: float, seed: int = 2025) -> Path:
    """Write (once) ``cities`` copies of the generated city side by side; its project file."""
    import geopandas as gpd
    import pandas as pd
    from affine import Affine

    from lifecircle.data.synthetic import Region, generate, write_demo

    folder = REGIONS / f"province-{cities}x{scale:g}-{seed}"
    project = folder / "project.toml"
    if project.exists():
        return project
    city = generate(seed=seed, scale=scale)
    pop, tr = city.population, city.population_transform
    cell = tr.a
    width = math.ceil((pop.shape[1] * cell + GAP_M) / cell)
    height = math.ceil((pop.shape[0] * cell + GAP_M) / cell)
    across = math.ceil(math.sqrt(cities))
    rows = math.ceil(cities / across)
    mosaic = np.full((rows * height, across * width), -1.0, dtype=np.float32)
    parts: dict[str, list[Any]] = {"communities": [], "facilities": [], "roads": [],
                                   "candidates": []}
    gaps: dict[str, list[str]] = {}
    for k in range(cities):
        i, j = divmod(k, across)
        dx, dy = j * width * cell, -i * height * cell
        mosaic[i * height:i * height + pop.shape[0], j * width:j * width + pop.shape[1]] = pop
        for name in parts:
            frame = getattr(city, name).copy()
            frame = frame.set_geometry(frame.geometry.translate(dx, dy))
            tag = f"市{k + 1:02d}"
            for col, sep in (("cid", ""), ("fid", ""), ("cand_id", "")):
                if col in frame.columns:
                    frame[col] = f"{k + 1:02d}" + sep + frame[col].astype(str)
            if name == "communities":
                frame["district"] = tag + "·" + frame["district"].astype(str)
                frame["township"] = tag + "·" + frame["township"].astype(str)
                frame["name"] = tag + frame["name"].astype(str)
            if "name" in frame.columns and name != "communities":
                frame["name"] = tag + frame["name"].astype(str)
            parts[name].append(frame)
        for cat, cids in city.gaps.items():
            gaps.setdefault(cat, []).extend(f"{k + 1:02d}{c}" for c in cids)
    region = Region(city.crs, *(gpd.GeoDataFrame(pd.concat(parts[n], ignore_index=True),
                                                 crs=city.crs)
                                for n in ("communities", "facilities", "roads", "candidates")),
                    mosaic, Affine(cell, 0.0, tr.c, 0.0, -cell, tr.f), gaps)
    tmp = Path(tempfile.mkdtemp(dir=REGIONS.parent if REGIONS.exists() else None))
    REGIONS.mkdir(parents=True, exist_ok=True)
    write_demo(region, tmp, seed=seed, scale=scale)
    tmp.rename(folder)
    return project


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(project: Path, workers: int, single: bool) -> dict[str, Any]:
    """One distributed ``check`` (and optionally the single-process one) of ``project``."""
    import distributed

    from lifecircle import pipeline
    from lifecircle import project as project_mod

    proj = project_mod.load(project)
    marks: list[tuple[str, float]] = []
    out: dict[str, Any] = {}
    with (distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=50,
                                   memory_limit=0) as cluster,
          distributed.Client(cluster, set_as_default=False) as client):
        client.wait_for_workers(workers)
        t0 = time.perf_counter()
        analysis = pipeline.analyse(proj, lambda m: marks.append((m, time.perf_counter())),
                                    cluster=client)
        wall = time.perf_counter() - t0
        worker_rss = client.run(_rss_mb)
    parts = analysis.cluster.partitions
    marks.append(("end", t0 + wall))
    comm = analysis.layers.communities
    cov = analysis.coverage.summary_kind.set_index("kind")
    out["distributed"] = {
        "wall_s": wall, "workers": workers,
        "stages": [(m, b - a) for (m, a), (_, b) in itertools.pairwise(marks)],
        "worker_peak_rss_mb": sorted(worker_rss.values()), "client_peak_rss_mb": _rss_mb(),
        "partitions": parts.to_dict(orient="records"),
        "cov_all": {k: float(cov.loc[k, "cov_all"]) for k in cov.index}}
    out["region"] = {
        "communities": len(comm), "population": float(comm["population"].sum()),
        "km2": float(comm.geometry.area.sum() / 1e6),
        "bbox_km2": float((lambda b: (b[2] - b[0]) * (b[3] - b[1]))(comm.total_bounds) / 1e6),
        "roads": len(analysis.layers.roads), "facilities": len(analysis.layers.facilities),
        "demand_points": len(analysis.demand.points)}
    if single:
        t0 = time.perf_counter()
        one = pipeline.analyse(proj)
        out["single"] = {"wall_s": time.perf_counter() - t0, "peak_rss_mb": _rss_mb()}
        a, b = one.travel_times.minutes.to_numpy(), analysis.travel_times.minutes.to_numpy()
        fin = np.isfinite(a)
        out["single"]["identical"] = bool(
            np.array_equal(fin, np.isfinite(b)) and np.allclose(a[fin], b[fin], atol=1e-9)
            and one.coverage.communities.drop(columns="geometry").equals(
                analysis.coverage.communities.drop(columns="geometry")))
    return out


def _table(result: dict[str, Any], cities: int, scale: float) -> str:
    d, r = result["distributed"], result["region"]
    parts = d["partitions"]
    lines = [
        "# Province-size run on a Dask LocalCluster",
        "",
        f"Machine: {platform.machine()}, 2 cores **shared with six other developers' test "
        f"runs** (load average well above 2 during the run); Python "
        f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        f"Region: {cities} generated cities (scale {scale:g}) side by side: "
        f"{r['communities']:,} communities, {r['population'] / 1e6:.1f} M people, "
        f"{r['km2']:,.0f} km² of communities ({r['bbox_km2']:,.0f} km² bounding box), "
        f"{r['roads']:,} road lines, {r['facilities']:,} facilities, "
        f"{r['demand_points']:,} demand points.",
        "",
        f"`check` (coverage, gaps, scorecard; no result folder) on {d['workers']} worker "
        f"processes: **{d['wall_s']:.0f} s wall**; worker peak RSS "
        + ", ".join(f"{x:.0f} MB" for x in d["worker_peak_rss_mb"])
        + f"; client peak RSS {d['client_peak_rss_mb']:.0f} MB.",
    ]
    if "single" in result:
        s = result["single"]
        lines.append(f"Single process on the same region: {s['wall_s']:.0f} s wall, "
                     f"results identical: {s['identical']}.")
    lines += ["", "| stage | wall s |", "|---|---:|"]
    lines += [f"| {m} | {sec:.1f} |" for m, sec in d["stages"]]
    lines += ["", "Partitions (own = the partition's communities; halo = what it also reads):",
              "", "| partition | communities | demand points | population | halo roads | "
              "halo facilities | edges (all modes) | core km² | network s | times s | "
              "seconds | worker peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|---:|"
              "---:|---:|---:|---:|"]
    for p in sorted(parts, key=lambda p: -p["seconds"]):
        lines.append(f"| {p['partition']} | {p['communities']} | {p['demand_points']:,} | "
                     f"{p['population']:,.0f} | {p['roads']:,} | {p['facilities']:,} | "
                     f"{p['edges']:,} | {p['core_km2']:,.0f} | {p['network_s']:.1f} | "
                     f"{p['times_s']:.1f} | {p['seconds']:.1f} | {p['peak_rss_mb']:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Build the region, run it, write ``results/province.md`` and ``province.json``."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_province")
    ap.add_argument("--cities", type=int, default=13)
    ap.add_argument("--scale", type=float, default=7.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--single", action="store_true")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    project = province(args.cities, args.scale)
    print(f"region {project.parent.name}: {time.perf_counter() - t:.0f} s", flush=True)
    result = run(project, args.workers, args.single)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"province-{args.cities}x{args.scale:g}"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1, default=float),
                                          encoding="utf-8")
    table = _table(result, args.cities, args.scale)
    (RESULTS / f"{name}.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
