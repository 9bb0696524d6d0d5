"""End-to-end benchmark: ``lifecircle check`` and ``lifecircle run`` on generated cities.

For every scale of ``lifecircle.data.synthetic`` (1 = the demo, about 7 = the whole of
Ma'anshan) the region is generated once (cached in ``benchmarks/.regions/``, not timed),
then ``check`` and ``run`` each run in a fresh subprocess, exactly as a user runs them
(``pipeline.run`` with the CLI's steps and memory setting, every output written, ``--jobs``
as given). The
subprocess records, at each progress step, the wall clock and ``os.times()``, whose
``children_*`` part holds the CPU of the worker processes once they are joined, so CPU per
stage includes the workers. Peak RSS is the largest resident set of one process:
the driver (``ru_maxrss`` of ``RUSAGE_SELF``) and, separately, the largest worker
(``RUSAGE_CHILDREN``). The workers are forked from the driver and share its pages, so the
two do not add up.

Wall time on a shared machine is noisy: read the CPU column too, and the ratios of runs
measured in the same session. Nothing here is a timing assertion in the tests.

``python -m benchmarks.bench_e2e [--scales 1,3,7,10,20] [--jobs N] [--no-check]``
writes ``benchmarks/results/e2e.md`` and ``e2e.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
REGIONS = ROOT / "benchmarks" / ".regions"
STEPS = {"check": ("check",), "run": ("check", "plan", "outputs")}


# ---------------------------------------------------------------------------- one run
def _one(project: str, out: str, command: str, jobs: int | None) -> dict[str, Any]:
    """Run one command in this process and measure every progress step (with the
    command line's memory setting, :func:`lifecircle.memory.reuse_freed_memory`)."""
    from lifecircle import pipeline
    from lifecircle.memory import reuse_freed_memory

    reuse_freed_memory()

    marks: list[tuple[str, float, os.times_result]] = []

    def progress(message: str) -> None:
        marks.append((message, time.perf_counter(), os.times()))

    t0, c0 = time.perf_counter(), os.times()
    marks.append(("start (project file)", t0, c0))
    pipeline.run(project, Path(out), overwrite=True, lang="en", steps=STEPS[command],
                 progress=progress, jobs=jobs)
    marks.append(("end", time.perf_counter(), os.times()))
    stages = []
    for (name, t, c), (_, t2, c2) in itertools.pairwise(marks):
        cpu = ((c2.user + c2.system + c2.children_user + c2.children_system)
               - (c.user + c.system + c.children_user + c.children_system))
        stages.append({"stage": name.split(":")[0], "wall": t2 - t, "cpu": cpu})
    last, first = marks[-1][2], marks[0][2]
    cpu = ((last.user + last.system + last.children_user + last.children_system)
           - (first.user + first.system + first.children_user + first.children_system))
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    map_path = Path(out) / "map.html"
    return {"command": command, "wall": marks[-1][1] - t0, "cpu": cpu, "stages": stages,
            "rss_mb": self_kb / 1024, "worker_rss_mb": child_kb / 1024,
            "map_mb": map_path.stat().st_size / 1e6 if map_path.exists() else None}


def _region(scale: float) -> tuple[Path, dict[str, Any]]:
    """The generated region of ``scale`` (cached) and its size."""
    import pyogrio

    folder = REGIONS / f"scale{scale:g}"
    project = folder / "project.toml"
    info = folder / "size.json"
    if not (project.exists() and info.exists()):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lifecircle.data.synthetic", "--scale",
                        f"{scale:g}", "--out", str(folder)], check=True, cwd=ROOT,
                       capture_output=True)
        gen = time.perf_counter() - t
        comm = pyogrio.read_dataframe(folder / "communities.shp", read_geometry=True)
        pop_field = "RK" if "RK" in comm.columns else "population"
        size = {"scale": scale, "communities": len(comm),
                "people": float(comm[pop_field].sum()),
                "km2": float(comm.to_crs(comm.estimate_utm_crs()).area.sum() / 1e6),
                "road_edges": int(pyogrio.read_info(folder / "roads.shp")["features"]),
                "facilities": int(pyogrio.read_info(folder / "facilities.gpkg")["features"]),
                "generate_s": gen}
        info.write_text(json.dumps(size))
    return project, json.loads(info.read_text())


def _measure(scale: float, command: str, jobs: int | None) -> dict[str, Any]:
    import pyogrio

    project, size = _region(scale)
    with tempfile.TemporaryDirectory(prefix="lc-e2e-") as tmp:
        out = Path(tmp) / "result"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        cmd = [sys.executable, "-m", "benchmarks.bench_e2e", "--one", str(project), str(out),
               command] + (["--jobs", str(jobs)] if jobs else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"scale {scale:g} {command} failed:\n{proc.stderr[-3000:]}")
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        res["demand_points"] = int(pyogrio.read_info(out / "lifecircle.gpkg",
                                                     layer="demand")["features"])
    res.update(size)
    return res


# ---------------------------------------------------------------------------- tables
def _table(results: list[dict[str, Any]], jobs: int) -> str:
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, shared with other "
             f"jobs; Python {platform.python_version()}; `--jobs {jobs}`; "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             "| scale | km² | communities | people | road edges | demand points | facilities "
             "| check wall / CPU | run wall / CPU | peak RSS (driver / worker) | map.html |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    by = {}
    for r in results:
        by.setdefault(r["scale"], {})[r["command"]] = r
    for scale, rs in sorted(by.items()):
        run, chk = rs.get("run"), rs.get("check")
        base = run or chk
        if base is None:
            continue
        cell = lambda r: f"{r['wall']:.1f} s / {r['cpu']:.1f} s" if r else "-"  # noqa: E731
        rss = (f"{max(run['rss_mb'], chk['rss_mb'] if chk else 0):,.0f} / "
               f"{run['worker_rss_mb']:,.0f} MB" if run else
               f"{chk['rss_mb']:,.0f} / {chk['worker_rss_mb']:,.0f} MB")
        mp = f"{run['map_mb']:.1f} MB" if run and run["map_mb"] is not None else "-"
        lines.append(f"| {scale:g} | {base['km2']:,.0f} | {base['communities']:,} | "
                     f"{base['people'] / 1e6:.2f} M | {base['road_edges']:,} | "
                     f"{base['demand_points']:,} | {base['facilities']:,} | {cell(chk)} | "
                     f"{cell(run)} | {rss} | {mp} |")
    runs = {s: rs["run"] for s, rs in by.items() if "run" in rs}
    if 1 in runs:
        lines.append("")
        for s, r in sorted(runs.items()):
            if s != 1:
                lines.append(f"- run(scale {s:g}) / run(scale 1): wall "
                             f"{r['wall'] / runs[1]['wall']:.1f}, CPU "
                             f"{r['cpu'] / runs[1]['cpu']:.1f} (demand points "
                             f"{r['demand_points'] / runs[1]['demand_points']:.1f}x)")
    lines += ["", "Wall / CPU seconds per stage of `run` (stages as the progress lines name "
              "them; CPU includes the worker processes):", ""]
    stages: list[str] = []
    for r in runs.values():
        for st in r["stages"]:
            if st["stage"] not in stages:
                stages.append(st["stage"])
    lines.append("| stage | " + " | ".join(f"scale {s:g}" for s in sorted(runs)) + " |")
    lines.append("|---|" + "---:|" * len(runs))
    for name in stages:
        row = []
        for s in sorted(runs):
            got = [st for st in runs[s]["stages"] if st["stage"] == name]
            w = sum(st["wall"] for st in got)
            c = sum(st["cpu"] for st in got)
            row.append(f"{w:.1f} / {c:.1f}" if got else "-")
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Benchmark ``check`` and ``run`` at each scale; write ``results/e2e.md``."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_e2e")
    ap.add_argument("--scales", default="1,3,7,10,20")
    ap.add_argument("--jobs", type=int, default=None,
                    help="worker processes (default: every core)")
    ap.add_argument("--no-check", action="store_true", help="time `run` only")
    ap.add_argument("--one", nargs=3, metavar=("PROJECT", "OUT", "COMMAND"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        res = _one(*args.one, args.jobs)
        print(json.dumps(res))
        return 0
    from lifecircle.parallel import resolve_jobs

    jobs = resolve_jobs(args.jobs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    for scale in (float(s) for s in args.scales.split(",")):
        for command in (("run",) if args.no_check else ("check", "run")):
            r = _measure(scale, command, args.jobs)
            results.append(r)
            print(f"scale {scale:g} {command}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, "
                  f"RSS {r['rss_mb']:,.0f} MB (worker {r['worker_rss_mb']:,.0f} MB)"
                  + (f", map {r['map_mb']:.1f} MB" if r["map_mb"] is not None else ""),
                  flush=True)
            (RESULTS / "e2e.json").write_text(json.dumps(results, indent=1))
            (RESULTS / "e2e.md").write_text("# End to end\n\n" + _table(results, jobs))
    print(_table(results, jobs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
