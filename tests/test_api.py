"""The public API: docs/api.md runs as written; in memory equals the command line."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

import lifecircle
from lifecircle.cli import main
from lifecircle.data.synthetic import generate, write_demo

DOC = Path(__file__).parents[1] / "docs" / "api.md"


def test_the_documented_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 4
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    import folium

    assert isinstance(namespace["m"], folium.Map)
    assert (tmp_path / "map.html").stat().st_size > 10_000
    assert (tmp_path / "result" / "report.html").exists()


def test_results_are_frozen_and_plan_returns_new_ones(small_region: Path) -> None:
    results = lifecircle.analyse(lifecircle.load_project(small_region))
    with pytest.raises(dataclasses.FrozenInstanceError):
        results.analysis = None  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        results.analysis.plan = None  # type: ignore[misc]
    planned = results.plan(categories=["elderly_care"], sites=1, time_limit_s=5)
    assert results.proposed_sites is None and planned.proposed_sites is not None
    assert planned.travel_times is results.travel_times  # nothing recomputed


def test_in_memory_layers_give_the_coverage_of_lifecircle_check(tmp_path: Path) -> None:
    """Project.from_layers on the region == `lifecircle check` on write_demo's files."""
    region = generate(scale=1)
    folder = tmp_path / "demo"
    path = write_demo(region, folder)
    out = tmp_path / "check"
    run = CliRunner().invoke(main, ["--quiet", "check", str(path), "-o", str(out)])
    assert run.exit_code == 0, run.output
    by_file = pyogrio.read_dataframe(out / "lifecircle.gpkg", layer="communities",
                                     read_geometry=False).set_index("cid")

    project = lifecircle.Project.from_layers(
        communities=region.communities, facilities=region.facilities, roads=region.roads,
        population=folder / "population.tif", candidates=region.candidates,
        working_crs="EPSG:4548")
    in_memory = lifecircle.analyse(project).communities.set_index("cid")
    assert sorted(in_memory.index) == sorted(by_file.index)
    cols = [c for c in by_file.columns if c.startswith("cov_")]
    assert len(cols) > 5
    a = in_memory.loc[by_file.index, cols].to_numpy(float)
    b = by_file[cols].to_numpy(float)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.nanmax(np.abs(a - b)) <= 1e-9
    pd.testing.assert_series_equal(in_memory.loc[by_file.index, "missing"].fillna(""),
                                   by_file["missing"].fillna(""), check_names=False)


def test_bad_in_memory_input_names_the_layer() -> None:
    with pytest.raises(lifecircle.errors.ProjectError, match=r"communities.*GeoDataFrame"):
        lifecircle.Project.from_layers(communities=[1, 2], facilities=None, roads=None)
