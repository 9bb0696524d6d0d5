"""Fuzzing the readers and the project-file loader with hypothesis.

Random bytes as ``.shp``/``.shx``/``.dbf``/``.gpkg``/``.tif``/``.zip``/``.toml``, real files
with random bytes spliced in, random TOML documents built from the known keys, and random
attribute values (HTML, control characters, numbers as text, huge numbers) written through
GDAL into real files are loaded through ``lifecircle.project.load`` and
``lifecircle.layers.load``. Only a :class:`~lifecircle.errors.LifecircleError` (with a
one-line head naming what is wrong) or a clean success may come out, never another
exception, and every example must finish within a hard time limit (a hang fails the test).

Examples are few and small so the whole module stays well under a minute; set
``LIFECIRCLE_FUZZ_EXAMPLES`` (e.g. 500) for a longer, randomised local run.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import shutil
import signal
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
from corpus.edits import toml_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from lifecircle import layers
from lifecircle import project as prj
from lifecircle.errors import LifecircleError

EXAMPLES = int(os.environ.get("LIFECIRCLE_FUZZ_EXAMPLES", "0"))
HARD_LIMIT_S = 30.0


def fuzz_settings(n: int) -> settings:
    """Few examples by default (deterministic); many, randomised, when asked for.

    No hypothesis deadline: on a loaded machine a slow example is not a failure (and a
    deadline miss makes hypothesis re-run the example to confirm it); a hang is still
    caught by :func:`hard_limit` around every load."""
    return settings(max_examples=EXAMPLES or n, derandomize=not EXAMPLES,
                    deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Hang(BaseException):
    """An example ran past the hard time limit (BaseException: no library swallows it)."""


@contextlib.contextmanager
def hard_limit(seconds: float = HARD_LIMIT_S) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread when the block runs longer than ``seconds``."""
    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"no result after {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def expect_clean(fn: Any, *args: Any) -> Any:
    """Call ``fn``: a result or a LifecircleError with a message, nothing else."""
    with hard_limit():
        try:
            return fn(*args)
        except LifecircleError as e:
            head = str(e).splitlines()[0] if str(e) else ""
            assert head.strip(), f"{type(e).__name__} without a message"
            return e


# ---------------------------------------------------------------------------- tiny project
CRS = "EPSG:4548"
X0, Y0 = 643000.0, 3505000.0


def _communities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"SQDM": ["C1", "C2"], "SQMC": ["金家庄社区", "采石村"], "LX": ["城市", "农村"],
         "RK": [1200, 800]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
        crs=CRS)


def _facilities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"BH": ["F1", "F2", "F3"], "MC": ["卫生站", "养老站", "超市"],
         "LX": ["社区卫生服务站", "养老服务站", "便利店"]},
        geometry=[Point(X0 + 500, Y0 + 510), Point(X0 + 1500, Y0 + 490), Point(X0 + 990, Y0 + 500)],
        crs=CRS)


def _roads() -> gpd.GeoDataFrame:
    lines = [LineString([(X0, Y0 + 500), (X0 + 2000, Y0 + 500)])]
    lines += [LineString([(X0 + x, Y0), (X0 + x, Y0 + 1000)]) for x in (250, 750, 1250, 1750)]
    return gpd.GeoDataFrame({"DJ": ["主干路", "支路", "支路", "村道", "村道"]}, geometry=lines,
                            crs=CRS)


PROJECT: dict[str, Any] = {
    "project": {"name": "fuzz", "working_crs": CRS},
    "layers": {
        "communities": {"path": "communities.shp",
                        "fields": {"cid": "SQDM", "name": "SQMC", "kind": "LX",
                                   "population": "RK"},
                        "values": {"kind": {"城市": "urban", "农村": "rural"}}},
        "facilities": {"path": "facilities.gpkg", "layer": "facilities",
                       "fields": {"fid": "BH", "name": "MC", "category": "LX"}},
        "roads": {"path": "roads.zip", "fields": {"road_class": "DJ"},
                  "values": {"road_class": {"主干路": "primary", "支路": "tertiary",
                                            "村道": "unclassified"}}},
        "population": {"path": "population.tif"},
    },
}


def write_tiny(folder: Path) -> Path:
    """A valid four-layer project (GBK shapefile, GeoPackage, zipped shapefile, GeoTIFF)."""
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / "communities.shp"
    pyogrio.write_dataframe(_communities(), shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink()
    pyogrio.write_dataframe(_facilities(), folder / "facilities.gpkg", layer="facilities")
    tmp = folder / "_roads"
    tmp.mkdir()
    pyogrio.write_dataframe(_roads(), tmp / "roads.shp", encoding="UTF-8")
    with zipfile.ZipFile(folder / "roads.zip", "w") as zf:
        for p in sorted(tmp.iterdir()):
            zf.write(p, p.name)
    shutil.rmtree(tmp)
    pop = np.full((10, 20), 5.0, dtype="float32")
    with rasterio.open(folder / "population.tif", "w", driver="GTiff", width=20, height=10,
                       count=1, dtype="float32", crs=CRS, nodata=-1.0,
                       transform=from_origin(X0, Y0 + 1000, 100.0, 100.0)) as ds:
        ds.write(pop, 1)
    path = folder / "project.toml"
    path.write_text(toml_text(PROJECT), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the valid tiny project (never modified; examples work on copies)."""
    folder = tmp_path_factory.mktemp("fuzz") / "tiny"
    write_tiny(folder)
    return folder


@contextlib.contextmanager
def copy_of(tiny: Path) -> Iterator[Path]:
    """A fresh copy of the tiny project for one example."""
    work = Path(tempfile.mkdtemp(prefix="ex-", dir=tiny.parent))
    try:
        shutil.copytree(tiny, work / "p")
        yield work / "p"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def load_all(path: Path) -> Any:
    """project.load then layers.load, as the pipeline does."""
    return layers.load(prj.load(path))


def test_tiny_project_loads(tiny: Path) -> None:
    """The control: every fuzzed file replaces a part of a project that loads."""
    loaded = load_all(tiny / "project.toml")
    assert len(loaded.communities) == 2 and len(loaded.facilities) == 3
    assert len(loaded.roads) == 5 and loaded.population_raster is not None
    assert loaded.communities["name"].tolist() == ["金家庄社区", "采石村"]


# ---------------------------------------------------------------------------- random bytes
FILES = ["communities.shp", "communities.shx", "communities.dbf", "facilities.gpkg",
         "population.tif", "roads.zip", "project.toml"]
SIDECARS = ["communities.prj", "communities.cpg"]


@fuzz_settings(50)
@given(name=st.sampled_from(FILES), data=st.binary(max_size=4096))
def test_random_bytes_as_input_file(tiny: Path, name: str, data: bytes) -> None:
    with copy_of(tiny) as folder:
        (folder / name).write_bytes(data)
        out = expect_clean(load_all, folder / "project.toml")
        assert isinstance(out, LifecircleError), "random bytes were accepted"


@fuzz_settings(20)
@given(name=st.sampled_from(SIDECARS), data=st.binary(max_size=512))
def test_random_bytes_as_prj_or_cpg(tiny: Path, name: str, data: bytes) -> None:
    """A garbled .prj or .cpg: an error naming the layer, or a load that still makes sense."""
    with copy_of(tiny) as folder:
        (folder / name).write_bytes(data)
        out = expect_clean(load_all, folder / "project.toml")
        if not isinstance(out, LifecircleError):
            assert out.communities["name"].tolist() == ["金家庄社区", "采石村"]


@fuzz_settings(60)
@given(name=st.sampled_from(FILES), data=st.data())
def test_real_file_with_random_damage(tiny: Path, name: str, data: st.DataObject) -> None:
    """A real file cut short, or with random bytes written over part of it."""
    with copy_of(tiny) as folder:
        path = folder / name
        raw = bytearray(path.read_bytes())
        if data.draw(st.booleans(), label="truncate"):
            raw = raw[: data.draw(st.integers(0, max(0, len(raw) - 1)), label="keep")]
        else:
            for _ in range(data.draw(st.integers(1, 4), label="patches")):
                at = data.draw(st.integers(0, max(0, len(raw) - 1)), label="at")
                patch = data.draw(st.binary(min_size=1, max_size=64), label="patch")
                raw[at:at + len(patch)] = patch
        path.write_bytes(bytes(raw))
        expect_clean(load_all, folder / "project.toml")


# ---------------------------------------------------------------------------- random TOML
def _text(max_size: int = 20) -> st.SearchStrategy[str]:
    return st.text(st.characters(blacklist_categories=("Cs",)), max_size=max_size)


SCALARS = st.one_of(
    _text(), st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.sampled_from(["auto", "EPSG:4548", "gcj02", "bd09", "wgs84", "utf-8",
                                    "maanshan-2025", "elderly_care", "mclp", "zh", "en",
                                    "communities.shp", "facilities.gpkg", "roads.zip",
                                    "population.tif", "project.toml", "", ".", "/"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_text(8), inner, max_size=3)), max_leaves=6)

KNOWN = {
    "project": ["name", "profile", "working_crs", "lang", "raster_cell_m"],
    "network": ["max_snap_m", "snap_tolerance_m", "node_crossings"],
    "planner": ["categories", "model", "sites", "full_coverage", "time_limit_s",
                "candidate_spacing_m"],
}
LAYER_KEYS = ["path", "layer", "source_crs", "encoding", "fields", "values"]


def _table(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.one_of(st.sampled_from(keys), _text(8)), VALUES, max_size=4)


def _layer() -> st.SearchStrategy[Any]:
    spec = st.dictionaries(st.sampled_from(LAYER_KEYS), VALUES, max_size=4)
    return st.one_of(spec, VALUES)


TOML_DOCS = st.fixed_dictionaries({}, optional={
    "project": st.one_of(_table(KNOWN["project"]), VALUES),
    "layers": st.one_of(st.dictionaries(
        st.one_of(st.sampled_from(["communities", "facilities", "roads", "population",
                                   "candidates"]), _text(8)), _layer(), max_size=5), VALUES),
    "network": st.one_of(_table(KNOWN["network"]), VALUES),
    "planner": st.one_of(_table(KNOWN["planner"]), VALUES),
    "extra": VALUES,
})


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


@fuzz_settings(150)
@given(doc=TOML_DOCS, on_valid=st.booleans())
def test_random_project_documents(tiny: Path, doc: dict[str, Any], on_valid: bool) -> None:
    """Random documents of the known keys, alone or merged over the valid project."""
    with copy_of(tiny) as folder:
        data = _merge(PROJECT, doc) if on_valid else doc
        (folder / "project.toml").write_text(toml_text(data), encoding="utf-8")
        out = expect_clean(prj.load, folder / "project.toml")
        if isinstance(out, prj.Project):
            expect_clean(layers.load, out)


PROFILE_KEYS = {
    "modes": ["speed_kmh", "name_zh", "name_en", "forbidden_classes", "oneway",
              "class_speeds_kmh", "pedestrian", "posted_speeds"],
    "circles": ["minutes", "mode", "name_zh", "name_en", "rings"],
    "categories": ["name_zh", "name_en", "aliases", "circles"],
    "indicators": ["name_zh", "name_en", "target", "unit", "method", "field", "category",
                   "kind"],
}


def _profile_section(keys: list[str]) -> st.SearchStrategy[Any]:
    entry = st.one_of(st.dictionaries(st.sampled_from(keys), VALUES, max_size=4), VALUES)
    return st.one_of(st.dictionaries(st.one_of(st.sampled_from(["walk", "ebike", "urban",
                                                                "rural", "health"]), _text(6)),
                                     entry, max_size=3), VALUES)


PROFILE_DOCS = st.fixed_dictionaries({}, optional={
    "profile": VALUES, "space": VALUES,
    **{k: _profile_section(v) for k, v in PROFILE_KEYS.items()}})


@functools.cache
def _shipped_profile() -> dict[str, Any]:
    """The shipped profile's document, parsed once (:func:`_merge` never changes its input)."""
    import tomllib

    return tomllib.loads((prj.PROFILES_DIR / f"{prj.DEFAULT_PROFILE}.toml")
                         .read_text(encoding="utf-8"))


@fuzz_settings(150)
@given(doc=PROFILE_DOCS, on_shipped=st.booleans())
def test_random_profile_documents(tiny: Path, doc: dict[str, Any], on_shipped: bool) -> None:
    """A project whose profile is a random document (alone or over the shipped profile)."""
    with copy_of(tiny) as folder:
        data = _merge(_shipped_profile(), doc) if on_shipped else doc
        (folder / "profile.toml").write_text(toml_text(data), encoding="utf-8")
        proj = _merge(PROJECT, {"project": {"profile": "profile.toml"}})
        (folder / "project.toml").write_text(toml_text(proj), encoding="utf-8")
        expect_clean(prj.load, folder / "project.toml")


# ---------------------------------------------------------------------------- attributes
NASTY = st.one_of(
    _text(30),
    st.sampled_from(["<script>alert(1)</script>", "<b>养老</b>", "&amp;&lt;", "\"'`",
                     "\x01\x02\x1b[31m", "\t\r\n", "\u202e反向", "１２３", "1,200", "1e999",
                     "-0", "nan", "NULL", "  ", "社区卫生服务站", "城市", "农村", "C1", "F1"]),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def _no_nul(s: str) -> str:
    return s.replace("\x00", "")  # GDAL strings end at NUL: it cannot be stored


@fuzz_settings(40)
@given(names=st.lists(NASTY, min_size=2, max_size=2),
       kinds=st.lists(NASTY, min_size=2, max_size=2),
       pops=st.lists(NASTY, min_size=2, max_size=2),
       cats=st.lists(NASTY, min_size=3, max_size=3),
       ids=st.lists(NASTY, min_size=3, max_size=3),
       shapefile=st.booleans())
def test_random_attribute_values(tiny: Path, names: list[str], kinds: list[str],
                                 pops: list[str], cats: list[str], ids: list[str],
                                 shapefile: bool) -> None:
    """Random text in the mapped fields of real layers written by GDAL: a GeoPackage, or a
    UTF-8 shapefile without .cpg (so the encoding is detected from the random bytes)."""
    with copy_of(tiny) as folder:
        comm = _communities()
        comm["SQMC"] = [_no_nul(v) for v in names]
        comm["LX"] = [_no_nul(v) for v in kinds]
        comm["RK"] = [_no_nul(v) for v in pops]
        fac = _facilities()
        fac["LX"] = [_no_nul(v) for v in cats]
        fac["BH"] = [_no_nul(v) for v in ids]
        if shapefile:
            for old in folder.glob("communities.*"):
                old.unlink()
            pyogrio.write_dataframe(comm, folder / "communities.shp", encoding="UTF-8")
            (folder / "communities.cpg").unlink()
            comm_path = "communities.shp"
        else:
            pyogrio.write_dataframe(comm, folder / "communities.gpkg", layer="communities")
            comm_path = "communities.gpkg"
        pyogrio.write_dataframe(fac, folder / "facilities.gpkg", layer="facilities")
        proj = _merge(PROJECT, {"layers": {"communities": {"path": comm_path}}})
        (folder / "project.toml").write_text(toml_text(proj), encoding="utf-8")
        out = expect_clean(load_all, folder / "project.toml")
        if isinstance(out, LifecircleError):
            return
        # accepted: the text came through unchanged (trimmed) and numbers are finite
        assert out.communities["name"].tolist() == [v.strip() for v in comm["SQMC"]]
        pop = out.communities["population"].to_numpy(dtype=float)
        assert all(math.isfinite(p) and p >= 0 for p in pop if not math.isnan(p))
