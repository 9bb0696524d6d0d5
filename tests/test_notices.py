"""A distorting working CRS kept on request is announced in every output, not only the CLI.

``accept_crs_distortion = true`` keeps e.g. Web Mercator (17 % too long at Ma'anshan's
latitude); the GeoPackage (a ``notices`` table and every layer's description), the map (a
banner) and the report must all say so, in the run's language.
"""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from lifecircle.cli import main
from lifecircle.data.synthetic import generate, write_demo


@pytest.fixture(scope="module")
def mercator_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    region = write_demo(generate(seed=7, scale=0.1), tmp_path_factory.mktemp("region"))
    project = region if region.suffix == ".toml" else region / "project.toml"
    text = project.read_text(encoding="utf-8")
    text, n = re.subn(r'(?m)^working_crs = ".*"$',
                      'working_crs = "EPSG:3857"\naccept_crs_distortion = true', text)
    assert n == 1
    project.write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("out") / "result"
    r = CliRunner().invoke(main, ["--quiet", "--lang", "en", "run", str(project), "-o",
                                  str(out), "--jobs", "1"])
    assert r.exit_code == 0, r.output
    return out


def test_geopackage_carries_the_notice(mercator_run: Path) -> None:
    with sqlite3.connect(mercator_run / "lifecircle.gpkg") as con:
        notes = [r[0] for r in con.execute('SELECT "notice" FROM "notices"')]
        described = dict(con.execute("SELECT table_name, description FROM gpkg_contents"))
    assert len(notes) == 1
    assert notes[0].startswith("the working coordinate system WGS 84 / Pseudo-Mercator "
                               "distorts distances at the data by 17.")
    for layer in ("communities", "facilities", "demand", "gaps", "scorecard"):
        assert notes[0] in described[layer], layer


def test_map_shows_the_notice_first(mercator_run: Path) -> None:
    page = (mercator_run / "map.html").read_text(encoding="utf-8")
    banner = re.search(r'<div class="lc-notices" role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert banner is not None
    assert "distorts distances at the data by 17." in html.unescape(banner.group(1))
    assert 'working_crs = "auto"' in html.unescape(banner.group(1))


def test_no_notice_without_distortion(tmp_path: Path) -> None:
    import _results_fixture as fx

    from lifecircle.outputs import gpkg
    from lifecircle.outputs.webmap import make_map

    layers, profile = fx.build(), fx.profile()
    gpkg.write(tmp_path / "r.gpkg", layers, profile)
    with sqlite3.connect(tmp_path / "r.gpkg") as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
    assert "notices" not in tables
    assert "lc-notices" not in make_map(layers, profile).get_root().render()
