"""The corpus of broken inputs: one row per case, each one change to a valid base project.

The base project is the synthetic region ``generate(seed=7, scale=0.1)`` written by
``write_demo`` (10 communities as a GBK shapefile without ``.cpg``, 119 facilities in a
GCJ-02 GeoPackage, 1,044 roads as a UTF-8 shapefile, a population GeoTIFF, candidate sites;
see :mod:`tests.corpus.make_corpus`). A case copies it to ``<root>/in``, applies its edit,
runs the real CLI and expects:

- exit 2 with one message naming the file, layer, field, row or value and the fix
  (``expect`` lists substrings that must appear in it), nothing written and every file
  under ``<root>`` byte-identical; or
- exit 0 where the tool can repair the input, with the warnings in ``expect`` printed and
  a result that ``verify`` checks against the base run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from lifecircle.profile import PROFILES_DIR

from . import edits as e
from . import faults

#: The shipped profile as copied before modes stated what they obey: ``walk`` lacks its
#: ``pedestrian`` flag (every other mode keeps its flags).
_OLD_PROFILE = (PROFILES_DIR / "maanshan-2025.toml").read_text(encoding="utf-8").replace(
    "oneway = false\npedestrian = true\nposted_speeds = false\n\n[modes.walk_elderly]",
    "oneway = false\nposted_speeds = false\n\n[modes.walk_elderly]", 1).encode("utf-8")
assert _OLD_PROFILE.count(b"\npedestrian = true\n") == 1  # walk_elderly keeps it

#: 1-based rows the cases break (the base has 10 communities and 119 facilities).
ROW = 3


@dataclass(frozen=True)
class Outcome:
    """What a case run produced.

    Attributes
    ----------
    root
        The case folder (``in/`` the inputs, ``out/`` the parent of the result folder).
    out
        The ``-o`` folder.
    returncode, stdout, stderr
        Of the CLI process.
    seconds
        Wall time of the CLI process.
    base_result
        The result folder of the base project (same command), for comparisons.
    fault
        How the output fault was made, if any.
    fault_expect
        The message texts that fault mechanism calls for (None: the case's own).
    """

    root: Path
    out: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    base_result: Path | None = None
    fault: str = ""
    fault_expect: tuple[str, ...] | None = None

    def error_lines(self) -> list[str]:
        """Non-empty stderr lines."""
        return [ln for ln in self.stderr.splitlines() if ln.strip()]


@dataclass(frozen=True)
class Case:
    """One broken input.

    Attributes
    ----------
    id
        Short name (pytest id, row of ``docs/bad-input.md``).
    group
        Section of the table.
    title
        What is broken, for the table.
    edit
        Change applied to the copy of the base project in ``<root>/in``.
    expect
        Substrings of the message (exit 2: the error on stderr; exit 0: the warnings on
        stdout).
    exit
        Expected exit code: 2 (rejected) or 0 (repaired, with a warning).
    command
        CLI command (``check`` unless the case needs another).
    project
        Project file argument, relative to the case folder.
    out
        ``-o`` folder, relative to the case folder.
    args
        Further CLI arguments.
    fault
        Context manager factory ``fault(root)`` setting up an output fault (and undoing it).
    prepare
        Extra set-up of the case folder outside ``in/`` (e.g. an existing result).
    verify
        Checks of a repaired result (exit 0), against the base result.
    """

    id: str
    group: str
    title: str
    edit: e.Edit | None = None
    expect: tuple[str, ...] = ()
    exit: int = 2
    command: str = "check"
    project: str = "in/project.toml"
    out: str = "out/result"
    args: tuple[str, ...] = ()
    fault: Callable[[Path], contextlib.AbstractContextManager[faults.Fault]] | None = None
    prepare: Callable[[Path], None] | None = None
    verify: Callable[[Outcome], None] | None = None
    notes: str = field(default="", compare=False)


# ---------------------------------------------------------------------------- edits
def _swap_xy(xy: np.ndarray) -> np.ndarray:
    return xy[:, ::-1].copy()


def _shift(dx: float, dy: float = 0.0) -> Callable[[np.ndarray], np.ndarray]:
    def fn(xy: np.ndarray) -> np.ndarray:
        return xy + np.array([dx, dy])

    return fn


def _to_degrees_keep_label(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Coordinates converted to lon/lat degrees while the file still says EPSG:4548."""
    return frame.to_crs("EPSG:4326").set_crs(frame.crs, allow_override=True)


def _centroids(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame.drop(columns="geometry"),
                            geometry=frame.geometry.representative_point().values, crs=frame.crs)


def _bowtie(frame: gpd.GeoDataFrame) -> None:
    """Swap two neighbouring vertices of row ROW: a small self-intersection (a bow tie)."""
    g = frame.geometry.iloc[ROW - 1]
    ring = np.asarray(g.exterior.coords)
    ring[[5, 6]] = ring[[6, 5]]
    bad = shapely.Polygon(ring)
    assert not bad.is_valid
    geoms = np.asarray(frame.geometry.values, dtype=object).copy()
    geoms[ROW - 1] = bad
    frame.geometry = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)


def _zero_area(frame: gpd.GeoDataFrame) -> None:
    """Row ROW becomes a polygon collapsed onto a line (zero area)."""
    x0, y0, x1, y1 = frame.geometry.iloc[ROW - 1].bounds
    flat = shapely.Polygon([(x0, y0), (x1, y1), (x0, y0), (x1, y1)])
    geoms = np.asarray(frame.geometry.values, dtype=object).copy()
    geoms[ROW - 1] = flat
    frame.geometry = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)


def _duplicate_id(field_name: str, src_row: int, dst_row: int) -> e.Edit:
    def fn(frame: gpd.GeoDataFrame) -> None:
        frame.loc[frame.index[dst_row - 1], field_name] = frame[field_name].iloc[src_row - 1]

    return e.layer_edit("communities" if field_name == "SQDM" else "facilities", fn)


def _far_from_roads(folder: Path) -> shapely.Point:
    """The point inside the communities farthest from every road (metres, EPSG:4548)."""
    comm = pyogrio.read_dataframe(folder / "communities.shp", encoding="gbk")
    roads = pyogrio.read_dataframe(folder / "roads.shp")
    area = shapely.union_all(comm.geometry.values)
    net = shapely.union_all(roads.geometry.values)
    x0, y0, x1, y1 = area.bounds
    xs, ys = np.meshgrid(np.arange(x0, x1, 50.0), np.arange(y0, y1, 50.0))
    pts = shapely.points(xs.ravel(), ys.ravel())
    pts = pts[shapely.contains(area, pts)]
    d = shapely.distance(pts, net)
    best = pts[int(np.argmax(d))]
    assert float(d.max()) > 1500.0, "the base has no place 1.5 km from a road"
    return best


def _facility_off_network(folder: Path) -> None:
    """Move the first health facility (社区卫生服务站...) 1.5+ km away from every road."""
    from pyproj import Transformer

    from lifecircle.geo.offsets import wgs84_to_gcj02

    p = _far_from_roads(folder)
    lon, lat = Transformer.from_crs("EPSG:4548", "EPSG:4326", always_xy=True).transform(p.x, p.y)
    glon, glat = wgs84_to_gcj02(lon, lat)
    frame = e.read_layer(folder, "facilities")
    row = int(np.flatnonzero(frame["类型"].isin(["社区卫生服务站", "社区卫生服务中心"]))[0])
    geoms = np.asarray(frame.geometry.values, dtype=object).copy()
    geoms[row] = shapely.Point(float(glon), float(glat))
    frame.geometry = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    e.write_layer(folder, "facilities", frame)


def _roads_in_pieces(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Remove every road crossing the north-south line through the middle of the region."""
    x0, y0, x1, y1 = frame.total_bounds
    xm = (x0 + x1) / 2.0
    cut = shapely.LineString([(xm, y0 - 1), (xm, y1 + 1)])
    keep = ~shapely.intersects(np.asarray(frame.geometry.values, dtype=object), cut)
    return frame.loc[keep].reset_index(drop=True)


def _all_motorway(frame: gpd.GeoDataFrame) -> None:
    frame["DLDJ"] = "快速路"


def _empty_layer(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.iloc[0:0].copy()


def _raster_nodata(arr: np.ndarray, profile: dict[str, Any]) -> tuple[np.ndarray, dict]:
    return np.full_like(arr, -1.0), profile


def _raster_negative(arr: np.ndarray, profile: dict[str, Any]) -> tuple[np.ndarray, dict]:
    out = arr.copy()
    out[0][out[0] > 0] *= -1.0
    return out, dict(profile, nodata=-9999.0)


def _raster_no_crs(arr: np.ndarray, profile: dict[str, Any]) -> tuple[np.ndarray, dict]:
    return arr, dict(profile, crs=None)


def _raster_wrong_crs(arr: np.ndarray, profile: dict[str, Any]) -> tuple[np.ndarray, dict]:
    return arr, dict(profile, crs="EPSG:4549")  # the neighbouring Gauss-Kruger zone


def _raster_two_bands(arr: np.ndarray, profile: dict[str, Any]) -> tuple[np.ndarray, dict]:
    return np.concatenate([arr, arr]), profile


def _second_gpkg_layer(folder: Path) -> None:
    frame = e.read_layer(folder, "facilities").head(3)
    pyogrio.write_dataframe(frame, folder / "facilities.gpkg", layer="facilities_2020",
                            driver="GPKG", append=False)


def _existing_result(root: Path) -> None:
    res = root / "out" / "result"
    res.mkdir(parents=True)
    (res / "lifecircle.gpkg").write_bytes(b"previous result")
    (res / "notes.txt").write_text("kept\n", encoding="utf-8")


def _out_file(root: Path) -> None:
    (root / "out").mkdir(parents=True, exist_ok=True)
    (root / "out" / "result.txt").write_text("a file, not a folder\n", encoding="utf-8")


def _user_folder(root: Path) -> None:
    """-o names a folder of the user's own files (a desktop), not a result."""
    desk = root / "out" / "result"
    desk.mkdir(parents=True)
    (desk / "thesis.docx").write_bytes(b"years of work")
    (desk / "photos").mkdir()
    (desk / "photos" / "a.jpg").write_bytes(b"\xff\xd8 jpeg")


def _result_with_notes(root: Path) -> None:
    """A previous result (with its marker) to which the user added a file of their own."""
    from lifecircle.outputs.resultdir import write_marker

    res = root / "out" / "result"
    res.mkdir(parents=True)
    (res / "lifecircle.gpkg").write_bytes(b"previous result")
    write_marker(res)
    (res / "notes.txt").write_text("my notes\n", encoding="utf-8")


def _profile_in(folder: str) -> e.Edit:
    """The project's own profile (a copy of the shipped one) kept in ``in/<folder>``."""
    def edit(d: Path) -> None:
        from lifecircle.project import PROFILES_DIR

        (d / folder).mkdir()
        (d / folder / "my-profile.toml").write_bytes(
            (PROFILES_DIR / "maanshan-2025.toml").read_bytes())
        e.set_key("project.profile", f"{folder}/my-profile.toml")(d)

    return edit


@contextlib.contextmanager
def _lock_held(root: Path) -> Iterator[faults.Fault]:
    with faults.lock_held(root / "out" / "result") as f:
        yield f


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[faults.Fault]:
    with faults.unwritable(root / "out") as f:
        yield f


@contextlib.contextmanager
def _full(root: Path) -> Iterator[faults.Fault]:
    with faults.tiny_disk(root / "out") as f:
        yield f


@contextlib.contextmanager
def _fsize(root: Path) -> Iterator[faults.Fault]:
    with faults.file_size_limit(root / "out") as f:
        yield f


# ---------------------------------------------------------------------------- verifiers
def _read(result: Path, layer: str) -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(result / "lifecircle.gpkg", layer=layer)


def _same_communities(o: Outcome) -> None:
    """The repaired result equals the base result (names, kinds, population, coverage)."""
    assert o.base_result is not None
    got, base = _read(o.out, "communities"), _read(o.base_result, "communities")
    cols = ["cid", "name", "kind", "population", "cov_all"]
    assert got[cols].equals(base[cols]), (got[cols], base[cols])


def _repaired_bowtie(o: Outcome) -> None:
    assert o.base_result is not None
    got, base = _read(o.out, "communities"), _read(o.base_result, "communities")
    assert len(got) == len(base)
    g = got.geometry.iloc[ROW - 1]
    b = base.geometry.iloc[ROW - 1]
    assert g.is_valid
    assert abs(g.area - b.area) / b.area < 0.02, (g.area, b.area)
    assert got["population"].sum() == base["population"].sum()


def _one_facility_less(o: Outcome) -> None:
    assert o.base_result is not None
    got, base = _read(o.out, "facilities"), _read(o.base_result, "facilities")
    assert len(got) == len(base) - 1
    assert set(base["fid"]) - set(got["fid"]) == {base["fid"].iloc[ROW - 1]}


def _one_community_less(o: Outcome) -> None:
    assert o.base_result is not None
    got, base = _read(o.out, "communities"), _read(o.base_result, "communities")
    assert got["cid"].tolist() == [c for i, c in enumerate(base["cid"]) if i != ROW - 1]
    kept = base[base["cid"] != base["cid"].iloc[ROW - 1]].reset_index(drop=True)
    assert np.allclose(got["population"], kept["population"])


NASTY_NAME = '<script>alert("社区")</script>\x07花园'
NASTY_FACILITY = "<img src=x onerror=alert(1)>卫生站"


def _escaped_everywhere(o: Outcome) -> None:
    """The names come through to the GeoPackage unchanged and never as live HTML."""
    comm = _read(o.out, "communities")
    assert NASTY_NAME in comm["name"].tolist()
    # shown as text: the report escapes HTML; the map carries names as JSON with < and >
    # written \u003c/\u003e and puts them into the page with textContent (the browser test
    # checks that nothing runs)
    shown_as = {"report.html": "&lt;script&gt;alert(", "map.html": "\\u003cscript\\u003ealert("}
    for page, escaped in shown_as.items():
        text = (o.out / page).read_text(encoding="utf-8")
        assert "<script>alert(" not in text, page
        assert "<img src=x" not in text, page
        assert escaped in text, page


def _facility_not_snapped(o: Outcome) -> None:
    assert o.base_result is not None
    got = _read(o.out, "facilities")
    far = got[~got["snapped"].astype(bool)]
    base = _read(o.base_result, "facilities")
    assert len(far) == int((~base["snapped"].astype(bool)).sum()) + 1
    assert (far["access_m"] > 1500).any()


def _same_coverage_roughly(o: Outcome) -> None:
    """A reprojected raster gives the same community totals and nearly the same coverage."""
    assert o.base_result is not None
    got, base = _read(o.out, "communities"), _read(o.base_result, "communities")
    assert np.allclose(got["population"], base["population"])
    dem = _read(o.out, "demand")
    per = dem.groupby("cid")["population"].sum()
    assert np.allclose(per.reindex(got["cid"]).to_numpy(), got["population"].to_numpy(),
                       rtol=1e-6)
    assert np.nanmax(np.abs(got["cov_all"] - base["cov_all"])) < 0.1


def _pieces_reported(o: Outcome) -> None:
    assert o.base_result is not None
    got = _read(o.out, "communities")
    base = _read(o.base_result, "communities")
    assert got["cov_all"].sum() < base["cov_all"].sum()


def _profile_text(old: str, new: str) -> e.Edit:
    """The project's own profile (in/std/my-profile.toml) with ``old`` replaced by ``new``."""
    return e.chain(_profile_in("std"), e.replace_text("std/my-profile.toml", old, new))


ESC_NAME = "\x1b[2J\x1b]0;pwned\x07花园社区"
FORMULA_NAME = '=HYPERLINK("http://evil.example/x","点我")'


def _escapes_in_names(folder: Path) -> None:
    """A screen-clearing escape in community and candidate names, a formula in another."""
    comm = e.read_layer(folder, "communities")
    comm.loc[comm.index[ROW - 1], "SQMC"] = ESC_NAME
    comm.loc[comm.index[ROW], "SQMC"] = FORMULA_NAME
    e.write_layer(folder, "communities", comm)
    cand = e.read_layer(folder, "candidates")
    cand["名称"] = ["\x1b[31m" + str(v) for v in cand["名称"]]
    e.write_layer(folder, "candidates", cand)


def _harmless_everywhere(o: Outcome) -> None:
    """No raw escape reaches the terminal, report.md or a CSV; formulas start with '."""
    import csv

    assert "\x1b" not in o.stdout and "\x1b" not in o.stderr
    assert "\\x1b[31m" in o.stdout  # the planned sites' names are shown, escaped
    md = (o.out / "report.md").read_text(encoding="utf-8")
    assert "\x1b" not in md and "\x07" not in md
    for path in o.out.glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        assert "\x1b" not in text, path.name
        for row in csv.reader(text.splitlines()):
            assert not any(c.startswith(("=", "@")) for c in row), (path.name, row)
    rows = (o.out / "coverage_communities.csv").read_text(encoding="utf-8-sig")
    assert "'" + FORMULA_NAME.replace('"', '""') in rows
    comm = _read(o.out, "communities")
    assert ESC_NAME in comm["name"].tolist()  # the GeoPackage keeps the data as it is


def _same_numbers(o: Outcome) -> None:
    """Same communities, population and coverage as the base run (to rounding)."""
    assert o.base_result is not None
    got, base = _read(o.out, "communities"), _read(o.base_result, "communities")
    assert got["cid"].tolist() == base["cid"].tolist()
    assert np.allclose(got["population"], base["population"], rtol=1e-9)
    for c in [c for c in base.columns if c.startswith("cov_")]:
        assert np.allclose(got[c], base[c], rtol=1e-6, atol=1e-9, equal_nan=True), c


def _empty_zip(folder: Path) -> None:
    import zipfile

    zipfile.ZipFile(folder / "empty.zip", "w").close()


# ---------------------------------------------------------------------------- the table
P = "project file"
L = "layer files"
C = "coordinates"
G = "geometry"
A = "attributes"
R = "population raster"
OUT = "output folder"

CASES: tuple[Case, ...] = (
    # ---- project file
    Case("toml_syntax", P, "project.toml: a string without its closing quote",
         e.replace_text("project.toml", 'path = "communities.shp"', 'path = "communities.shp'),
         ("project.toml", "TOML syntax error", "line", "fix:")),
    Case("toml_unknown_key", P, "project.toml: [project] has `nmae` instead of `name`",
         e.replace_text("project.toml", 'name = "马鞍山', 'nmae = "马鞍山'),
         ("project.nmae", "unknown key", "did you mean `name`")),
    Case("toml_duplicate_key", P, "project.toml: `path` given twice in [layers.roads]",
         e.replace_text("project.toml", 'path = "roads.shp"',
                        'path = "roads.shp"\npath = "roads2.shp"'),
         ("project.toml", "TOML syntax error", "line")),
    Case("toml_path_not_string", P, "project.toml: layers.roads.path = 5 (a number)",
         e.set_key("layers.roads.path", 5), ("layers.roads.path", "expected a string")),
    Case("lang_unknown", P, "project.toml: project.lang = \"fr\"",
         e.set_key("project.lang", "fr"), ("project.lang", "'fr'", "en")),
    Case("planner_sites_zero", P, "project.toml: planner.sites = 0",
         e.set_key("planner.sites", 0), ("planner.sites", ">= 1")),
    Case("toml_wrong_type", P, "project.toml: network.max_snap_m = \"500\" (a string)",
         e.set_key("network.max_snap_m", "500"),
         ("network.max_snap_m", "expected a number", "'500'")),
    Case("toml_not_utf8", P, "project.toml saved as GBK",
         lambda d: (d / "project.toml").write_bytes(
             (d / "project.toml").read_text(encoding="utf-8").encode("gbk")),
         ("project.toml", "not UTF-8", "save the project file as UTF-8")),
    Case("project_missing", P, "the project file does not exist", None,
         ("nothere.toml", "not found"), project="in/nothere.toml"),
    Case("project_is_folder", P, "the project path is a folder", None,
         ("is a folder", "project.toml"), project="in"),
    Case("layer_path_missing", P, "layers.roads.path names a file that does not exist",
         e.set_key("layers.roads.path", "roads_2024.shp"),
         ("layers.roads.path", "roads_2024.shp", "does not exist")),
    Case("layer_table_missing", P, "no [layers.roads] table",
         e.del_key("layers.roads"), ("layers.roads", "missing", "[layers.roads]")),
    Case("profile_missing", P, "project.profile names no shipped profile or file",
         e.set_key("project.profile", "maanshan-2099"),
         ("project.profile", "maanshan-2099", "maanshan-2025")),
    Case("profile_mode_no_pedestrian", P, "a copied profile whose walking mode does not "
         "state `pedestrian` (it would silently route walkers on roads closed to them)",
         e.chain(e.write_bytes("old-profile.toml", _OLD_PROFILE),
                 e.set_key("project.profile", "old-profile.toml")),
         ("old-profile.toml", "modes.walk.pedestrian", "missing", "pedestrian = true")),
    Case("working_crs_degrees", P, "working_crs is a geographic CRS (EPSG:4326)",
         e.set_key("project.working_crs", "EPSG:4326"),
         ("project.working_crs", "not a metric projected CRS", "EPSG:4548")),
    Case("working_crs_distorting", P, "working_crs = \"EPSG:3857\" (Web Mercator: distances "
         "about 18 % too long at Ma'anshan)",
         e.set_key("project.working_crs", "EPSG:3857"),
         ("project.working_crs", "distorts distances", "accept_crs_distortion = true")),
    Case("layer_category_unknown", P, "[layers.facilities] category = \"泵站\" (no such category)",
         e.set_key("layers.facilities.category", "泵站"),
         ("layers.facilities.category", "泵站", "lifecircle profile show")),
    Case("source_crs_unknown", P, "layers.facilities.source_crs = \"gcj-03\"",
         e.set_key("layers.facilities.source_crs", "gcj-03"),
         ("layers.facilities.source_crs", "gcj-03", "gcj02")),
    Case("encoding_unknown", P, "layers.communities.encoding = \"gbk2312\"",
         e.set_key("layers.communities.encoding", "gbk2312"),
         ("layers.communities.encoding", "gbk2312", "gb18030")),
    Case("field_missing", P, "fields.population maps to RKS, a field the layer lacks",
         e.set_key("layers.communities.fields.population", "RKS"),
         ("communities.shp", "RKS", "population", "RK")),
    Case("canonical_field_unknown", P, "fields.popluation (misspelt canonical column)",
         e.project_edit(lambda d: d["layers"]["communities"]["fields"].update(
             popluation=d["layers"]["communities"]["fields"].pop("population"))),
         ("fields.popluation", "unknown key", "population")),
    Case("value_target_unknown", P, "values.kind maps 城市 to \"city\" (not urban/rural)",
         e.set_key("layers.communities.values.kind.城市", "city"),
         ("communities.shp", "'city'", "urban")),
    Case("planner_category_unknown", P, "planner.categories = [\"elderly\"]",
         e.set_key("planner.categories", ["elderly"]),
         ("planner.categories", "'elderly'", "elderly_care")),
    Case("number_cell_zero", P, "project.raster_cell_m = 0",
         e.set_key("project.raster_cell_m", 0), ("project.toml", "project.raster_cell_m",
                                                 ">= 1", "got 0")),
    Case("number_snap_nan", P, "network.max_snap_m = nan (TOML allows nan)",
         e.set_key("network.max_snap_m", float("nan")),
         ("project.toml", "network.max_snap_m", "finite", "nan")),
    Case("number_tolerance_huge", P, "network.snap_tolerance_m = 1e308",
         e.set_key("network.snap_tolerance_m", 1e308),
         ("network.snap_tolerance_m", "<= 100", "1e+308")),
    Case("number_time_limit_negative", P, "planner.time_limit_s = -1",
         e.set_key("planner.time_limit_s", -1), ("project.toml", "planner.time_limit_s",
                                                 ">= 0.1", "-1")),
    Case("number_spacing_tiny", P, "planner.candidate_spacing_m = 0.001",
         e.set_key("planner.candidate_spacing_m", 0.001),
         ("planner.candidate_spacing_m", ">= 10", "0.001")),
    Case("number_cell_too_fine", P, "project.raster_cell_m = 1 (over 25 million cells over the "
         "region)", e.set_key("project.raster_cell_m", 1),
         ("project.raster_cell_m", "grid cells", "25,000,000", "at least")),
    Case("profile_minutes_huge", P, "the project's own profile: circles.urban.minutes = 1e6",
         _profile_text("minutes = 15", "minutes = 1e6"),
         ("my-profile.toml", "circles.urban.minutes", "<= 600")),
    Case("profile_speed_nan", P, "the project's own profile: modes.walk.speed_kmh = nan",
         _profile_text("speed_kmh = 4.0", "speed_kmh = nan"),
         ("my-profile.toml", "modes.walk.speed_kmh", "nan")),
    Case("profile_supply_decay_unknown", P, "the project's own profile: [supply] decay = "
         "\"linear\" (E2SFCA knows steps and gaussian)",
         _profile_text('decay = "steps"', 'decay = "linear"'),
         ("my-profile.toml", "supply.decay", "'linear'", "steps, gaussian")),
    Case("profile_default_capacity_negative", P, "the project's own profile: "
         "categories.elderly_care.default_capacity = -30",
         _profile_text("default_capacity = 30 ", "default_capacity = -30 "),
         ("my-profile.toml", "categories.elderly_care.default_capacity", "-30")),
    Case("toml_too_large", P, "project.toml padded to 2 MiB with a comment",
         e.pad_text("project.toml", 2 << 20), ("project.toml", "1,048,576", "limit")),
    Case("project_fifo", P, "the project file is a named pipe (FIFO)", e.fifo("fifo.toml"),
         ("fifo.toml", "named pipe", "not a regular file"), project="in/fifo.toml"),
    Case("project_dev_zero", P, "the project file is /dev/zero", None,
         ("/dev/zero", "character device"), project="/dev/zero"),
    Case("profile_dev_zero", P, "project.profile = \"/dev/zero\"",
         e.set_key("project.profile", "/dev/zero"), ("/dev/zero", "character device")),
    Case("encoding_contradicts", P, "layers.communities.encoding = \"utf-8\" on a GBK file",
         e.set_key("layers.communities.encoding", "utf-8"),
         ("communities.shp", "encoding = 'utf-8'", "the text is gbk", "湖园社区")),
    # ---- layer files
    Case("prj_missing", L, "communities.prj deleted (no CRS)", e.delete("communities.prj"),
         ("communities.shp", "no coordinate system", "EPSG:4548")),
    Case("shp_truncated", L, "communities.shp cut to 60 % of its bytes",
         e.truncate("communities.shp", 0.6), ("communities.shp", "truncated", "header says")),
    Case("dbf_truncated", L, "communities.dbf cut to 60 % of its bytes",
         e.truncate("communities.dbf", 0.6), ("communities.dbf", "truncated")),
    Case("shx_truncated", L, "communities.shx cut to 60 % of its bytes",
         e.truncate("communities.shx", 0.6), ("communities.shx", "truncated")),
    Case("shx_missing", L, "communities.shx deleted", e.delete("communities.shx"),
         ("communities.shp", "communities.shx", "missing")),
    Case("dbf_missing", L, "communities.dbf deleted", e.delete("communities.dbf"),
         ("communities.shp", "communities.dbf", "missing")),
    Case("gpkg_not_gpkg", L, "facilities.gpkg is a text file",
         e.write_bytes("facilities.gpkg", "编号,名称\nF1,养老服务站\n".encode()),
         ("facilities.gpkg", "cannot open as a vector layer")),
    Case("gpkg_empty_file", L, "facilities.gpkg has 0 bytes",
         e.write_bytes("facilities.gpkg", b""), ("facilities.gpkg", "cannot open")),
    Case("gpkg_truncated", L, "facilities.gpkg cut to half its bytes",
         e.truncate("facilities.gpkg", 0.5), ("facilities.gpkg", "malformed")),
    Case("gpkg_two_layers", L, "facilities.gpkg gains a second layer and no layer is named",
         e.chain(_second_gpkg_layer, e.del_key("layers.facilities.layer")),
         ("facilities.gpkg", "2 layers", "layer =")),
    Case("gpkg_layer_missing", L, "layers.facilities.layer = \"facility\" (no such layer)",
         e.set_key("layers.facilities.layer", "facility"),
         ("facilities.gpkg", "'facility'", "facilities")),
    Case("layer_empty", L, "facilities.gpkg holds no features",
         e.layer_edit("facilities", _empty_layer), ("facilities.gpkg", "no features")),
    Case("zip_not_zip", L, "layers.communities.path names a .zip that is not one",
         e.chain(e.write_bytes("communities.zip", b"PK\x03\x04 not really a zip"),
                 e.set_key("layers.communities.path", "communities.zip")),
         ("communities.zip", "not a readable zip archive")),
    Case("layer_fifo", L, "layers.roads.path names a named pipe (FIFO)",
         e.chain(e.fifo("roads_pipe.shp"), e.set_key("layers.roads.path", "roads_pipe.shp")),
         ("layers.roads.path", "roads_pipe.shp", "named pipe")),
    Case("layer_dev_zero", L, "layers.communities.path = \"/dev/zero\"",
         e.set_key("layers.communities.path", "/dev/zero"),
         ("layers.communities.path", "/dev/zero", "character device")),
    Case("prj_fifo", L, "communities.prj is a named pipe (FIFO)", e.fifo("communities.prj"),
         ("communities.prj", "named pipe")),
    Case("dbf_no_fields", L, "communities.dbf holds the records but no field (one problem, "
         "not one per mapped field)", e.dbf_without_fields(),
         ("communities.shp", "no attribute fields", "fields mapped in the project")),
    Case("csv_no_geometry", L, "layers.facilities.path names a CSV table without coordinates",
         e.chain(e.write_bytes("facilities.csv", "编号,名称,类型\nF1,站,养老服务站\n".encode()),
                 e.set_key("layers.facilities.path", "facilities.csv"),
                 e.del_key("layers.facilities.layer")),
         ("facilities.csv", "no coordinate columns", "lon/lat (or `经度`/`纬度`)")),
    Case("inspect_fifo", L, "inspect on a named pipe (FIFO) named like a shapefile",
         e.fifo("pipe.shp"), ("pipe.shp", "named pipe"), command="inspect",
         project="in/pipe.shp", out=""),
    Case("inspect_empty_zip", L, "inspect on an empty zip archive", _empty_zip,
         ("empty.zip", "no readable layers"), command="inspect", project="in/empty.zip",
         out=""),
    Case("inspect_bomb", L, "inspect on the sparse 100,000 x 100,000 GeoTIFF",
         e.raster_bomb(), ("population.tif", "10,000,000,000 cells", "limit"),
         command="inspect", project="in/population.tif", out=""),
    Case("inspect_not_vector", L, "inspect on a text file named .gpkg",
         e.write_bytes("facilities.gpkg", b"not a geopackage\n"),
         ("facilities.gpkg", "cannot open"), command="inspect", project="in/facilities.gpkg",
         out=""),
    # ---- coordinates
    Case("latlon_swapped", C, "facilities.gpkg with latitude and longitude swapped",
         e.map_geometry("facilities", _swap_xy), ("facilities.gpkg", "swapped", "longitude first")),
    Case("degrees_as_metres", C, "roads.shp in degrees while its .prj says EPSG:4548",
         e.layer_edit("roads", _to_degrees_keep_label),
         ("roads.shp", "look like degrees", "wgs84")),
    Case("metres_as_degrees", C, "communities.prj says WGS 84 for metre coordinates",
         e.prj_of(4326), ("communities.shp", "not degrees", "EPSG:4548")),
    Case("layers_far_apart", C, "facilities.gpkg shifted 3 degrees east",
         e.map_geometry("facilities", _shift(3.0)),
         ("facilities.gpkg", "does not overlap", "source_crs")),
    # ---- geometry
    Case("communities_points", G, "communities.shp holds points, not polygons",
         e.layer_edit("communities", _centroids), ("communities.shp", "must be polygons", "Point")),
    Case("roads_points", G, "roads.shp holds points (a road layer of points)",
         e.layer_edit("roads", _centroids), ("roads.shp", "must be lines", "Point")),
    Case("self_intersecting", G, "community row 3 is a bow tie (self-intersecting)",
         e.layer_edit("communities", _bowtie), ("repaired", "row 3"), exit=0,
         verify=_repaired_bowtie),
    Case("zero_area_polygon", G, "community row 3 collapsed to zero area",
         e.layer_edit("communities", _zero_area), ("collapsed and were dropped", "row 3"),
         exit=0, verify=_one_community_less),
    Case("empty_geometry", G, "facility row 3 has no geometry",
         e.set_geometry("facilities", ROW, None), ("empty geometry dropped", "row 3"), exit=0,
         verify=_one_facility_less),
    Case("roads_in_pieces", G, "roads crossing the middle of the region deleted (two pieces)",
         e.layer_edit("roads", _roads_in_pieces), ("pieces",), exit=0, verify=_pieces_reported),
    Case("facility_off_network", G, "a health facility moved 1.5+ km away from every road",
         _facility_off_network, ("farther than 500 m", "not counted"), exit=0,
         verify=_facility_not_snapped),
    Case("roads_unusable", G, "every road is a motorway (no road one may walk on)",
         e.layer_edit("roads", _all_motorway), ("roads.shp", "no road the mode", "road_class")),
    # ---- attributes
    Case("cpg_wrong", A, "GBK names with a communities.cpg saying UTF-8",
         e.write_bytes("communities.cpg", b"UTF-8"), ("communities.cpg", "GBK", "read as GBK"),
         exit=0, verify=_same_communities),
    Case("cpg_unknown", A, "communities.cpg holds an unknown code page",
         e.write_bytes("communities.cpg", b"CP-XYZ"), ("communities.cpg", "unknown code page"),
         exit=0, verify=_same_communities),
    Case("duplicate_ids", A, "community code SQDM of row 5 repeats row 3",
         _duplicate_id("SQDM", ROW, 5), ("communities.shp", "duplicate cid", "rows 3, 5", "SQDM")),
    Case("duplicate_facility_ids", A, "facility code 编号 of row 7 repeats row 3",
         _duplicate_id("编号", ROW, 7), ("facilities.gpkg", "duplicate fid", "rows 3, 7")),
    Case("population_text", A, "population RK of row 3 is 约六千 (text)",
         e.set_value("communities", "RK", ROW, "约六千", as_text=True),
         ("communities.shp", "RK", "non-numeric population", "约六千", "row 3")),
    Case("population_negative", A, "population RK of row 3 is -120",
         e.set_value("communities", "RK", ROW, -120),
         ("communities.shp", "RK", "negative population", "-120", "row 3")),
    Case("population_nan", A, "population RK of row 3 is the text NaN",
         e.set_value("communities", "RK", ROW, "NaN", as_text=True),
         ("communities.shp", "RK", "population", "NaN", "row 3")),
    Case("population_empty_no_raster", A,
         "population RK of row 3 empty, and no population raster to fall back on",
         e.chain(e.set_value("communities", "RK", ROW, None, as_text=True),
                 e.del_key("layers.population")),
         ("communities.shp", "RK", "missing population", "row 3")),
    Case("category_unknown", A, "facility row 3 has type 理发店 (not in the catalogue)",
         e.set_value("facilities", "类型", ROW, "理发店"),
         ("facilities.gpkg", "类型", "unknown category", "理发店", "values.category")),
    Case("kind_unknown", A, "community row 3 has kind 待定 (neither 城市 nor 农村)",
         e.set_value("communities", "LX", ROW, "待定"),
         ("communities.shp", "LX", "unknown kind", "待定", "values.kind")),
    Case("population_infinite", A, "population RK of row 3 is the text inf",
         e.set_value("communities", "RK", ROW, "inf", as_text=True),
         ("communities.shp", "RK", "population", "inf", "row 3")),
    Case("id_empty", A, "community code SQDM of row 3 is empty",
         e.set_value("communities", "SQDM", ROW, None),
         ("communities.shp", "SQDM", "empty cid", "row 3")),
    Case("category_empty", A, "facility type 类型 of row 3 is empty",
         e.set_value("facilities", "类型", ROW, None),
         ("facilities.gpkg", "类型", "empty category", "row 3")),
    Case("html_in_names", A, "names with HTML/script and control characters (full run: map, "
         "report)", e.chain(e.set_value("communities", "SQMC", ROW, NASTY_NAME),
                            e.set_value("facilities", "名称", ROW, NASTY_FACILITY)),
         (), exit=0, command="run", verify=_escaped_everywhere),
    Case("escapes_in_names", A, "terminal escapes (ESC[2J, OSC title) in community and "
         "candidate names, a =HYPERLINK formula as a name (full run)", _escapes_in_names, (),
         exit=0, command="run", verify=_harmless_everywhere),
    Case("roads_cpg_wrong", A, "UTF-8 road names with a roads.cpg saying GBK",
         e.write_bytes("roads.cpg", b"GBK"), ("roads.cpg", "UTF-8"), exit=0,
         verify=_same_communities),
    # ---- population raster
    Case("raster_other_crs", R, "population.tif reprojected to WGS 84 (EPSG:4326)",
         e.reproject_raster(4326), (), exit=0, verify=_same_coverage_roughly),
    Case("raster_wrong_crs", R, "population.tif labelled EPSG:4549 (another zone)",
         e.raster_edit(_raster_wrong_crs), ("population.tif", "does not overlap")),
    Case("raster_all_nodata", R, "every cell of population.tif is nodata",
         e.raster_edit(_raster_nodata), ("population.tif", "every cell is nodata")),
    Case("raster_negative", R, "population.tif has negative cells",
         e.raster_edit(_raster_negative), ("population.tif", "negative")),
    Case("raster_no_crs", R, "population.tif without a coordinate system",
         e.raster_edit(_raster_no_crs), ("population.tif", "no coordinate system")),
    Case("raster_two_bands", R, "population.tif with two bands",
         e.raster_edit(_raster_two_bands), ("population.tif", "2 bands")),
    Case("raster_bomb", R, "population.tif: a 116 KB sparse GeoTIFF declaring 100,000 x "
         "100,000 cells of 0.1 m over the region", e.raster_bomb(),
         ("population.tif", "cells", "limit of 2,000,000,000", "resample")),
    Case("raster_fine_grid", R, "population.tif on a 2 m grid (15.5 million cells, read in "
         "4 strips; summed to the 100 m working cells)", e.refine_raster(50), (), exit=0,
         verify=_same_numbers),
    Case("raster_not_raster", R, "population.tif is a text file",
         e.write_bytes("population.tif", b"not a raster\n"), ("population.tif", "raster")),
    # ---- output folder
    Case("out_is_input_folder", OUT, "-o is the folder holding the inputs", None,
         ("holds the input", "another folder"), out="in"),
    Case("out_exists", OUT, "-o exists and --overwrite is not given", None,
         ("exists", "--overwrite"), prepare=_existing_result),
    Case("out_is_file", OUT, "-o is an existing file", None, ("not a folder",),
         out="out/result.txt", prepare=_out_file),
    Case("out_parent_is_file", OUT, "-o lies under a file", None,
         ("result.txt", "is a file, not a folder"),
         out="out/result.txt/result", prepare=_out_file),
    Case("out_no_permission", OUT, "-o lies in a folder nobody may write, even root",
         None, ("out", "no write permission"), fault=_locked),
    Case("out_disk_full", OUT, "the disk fills up while results are written",
         None, ("out/result", "disk full"), fault=_full),
    Case("out_file_too_large", OUT, "a file-size limit (ulimit -f) stops the writes",
         None, ("out/result/lifecircle.gpkg", "cannot write", "free space"), fault=_fsize),
    Case("out_user_folder_overwrite", OUT, "-o names a folder of the user's own files and "
         "--overwrite is given", None,
         ("out/result", "not a lifecircle result", "--overwrite replaces only", "fix:"),
         args=("--overwrite",), prepare=_user_folder),
    Case("out_result_with_user_file", OUT, "-o is a previous result to which the user added "
         "notes.txt, --overwrite given", None,
         ("out/result", "notes.txt", "lifecircle did not write"),
         args=("--overwrite",), prepare=_result_with_notes),
    Case("out_holds_profile", OUT, "-o is the folder of the project's own profile, "
         "--overwrite given", _profile_in("std"), ("in/std", "holds the input",
                                                  "my-profile.toml"),
         out="in/std", args=("--overwrite",)),
    Case("out_locked", OUT, "another process is writing the same result folder (a second "
         "real process holds its lock)", None,
         ("out/result", "another lifecircle run", "process", "wait for it"), fault=_lock_held),
    Case("init_over_input", OUT, "init -o names an input's .dbf, --overwrite given", None,
         ("communities.dbf", "input files", "never overwritten"), command="init",
         project="in/communities.shp", out="in/communities.dbf", args=("--overwrite",)),
    Case("init_over_user_file", OUT, "init -o names a file init did not write "
         "(README.md), --overwrite given", None,
         ("README.md", "not a project file lifecircle init wrote"), command="init",
         project="in/communities.shp", out="in/README.md", args=("--overwrite",)),
)

BY_ID: dict[str, Case] = {c.id: c for c in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"
