"""Project file (TOML) and standards profile: load, validate, defaults.

A project file names the input layers, their paths and field mappings, the source
coordinate system of each layer, the working CRS and the standards profile. Every problem
in a project file is collected and reported at once, each with its key path and the fix.

Example
-------
.. code-block:: toml

    [project]
    name = "马鞍山市"
    profile = "maanshan-2025"
    working_crs = "auto"

    [layers.communities]
    path = "communities.shp"
    [layers.communities.fields]
    name = "SQMC"
    population = "RK"
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lifecircle import i18n
from lifecircle._toml import is_type as _is_type
from lifecircle._toml import range_problem, type_pair
from lifecircle._toml import read_toml as _read_toml
from lifecircle.errors import Problem, ProjectError, raise_problems

# The standards profile lives in lifecircle.profile; these names stay importable from here.
from lifecircle.profile import (  # noqa: F401
    DEFAULT_PROFILE,
    PROFILES_DIR,
    ROAD_CLASSES,
    Category,
    Circle,
    Group,
    Indicator,
    Mode,
    Profile,
    load_profile,
    normalise_label,
)
from lifecircle.schemas import SCHEMAS

#: Layer keys a project file may name, and whether each is required.
LAYER_KEYS: dict[str, bool] = {k: s.required for k, s in SCHEMAS.items()}

#: Canonical columns per layer (DESIGN.md, "Inputs"; :mod:`lifecircle.schemas`).
CANONICAL_FIELDS: dict[str, tuple[str, ...]] = {k: s.order for k, s in SCHEMAS.items()}
#: Id columns that may be mapped to ``"auto"`` (numbered ids, no source field).
ID_FIELDS = {k: s.id_column for k, s in SCHEMAS.items() if s.id_column}

#: Source coordinate systems accepted by name, besides ``EPSG:<code>``.
SOURCE_SYSTEMS = ("wgs84", "cgcs2000", "gcj02", "bd09")


# ---------------------------------------------------------------------------- project
@dataclass(frozen=True)
class LayerSpec:
    """One input layer named in the project file."""

    key: str
    path: Path
    layer: str | None = None
    source_crs: str | None = None
    encoding: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: one category (key, Chinese name or alias) for every feature of a facilities layer
    category: str | None = None


@dataclass(frozen=True)
class NetworkOptions:
    """How the road graph is built and points are snapped to it."""

    max_snap_m: float = 500.0
    snap_tolerance_m: float = 1.0
    node_crossings: bool = False


@dataclass(frozen=True)
class PlannerOptions:
    """Defaults of the site planner for ``lifecircle run``."""

    categories: tuple[str, ...] = ("elderly_care",)
    model: str = "mclp"
    sites: int | None = 5
    full_coverage: bool = False
    time_limit_s: float = 60.0
    #: spacing of generated candidates; None = a quarter of each circle's reach
    candidate_spacing_m: float | None = None
    #: also generate candidates along the roads near uncovered demand; None = only when
    #: there is no candidates layer
    generate_candidates: bool | None = None
    #: residents one new site can serve (capacitated covering); None = unlimited
    capacity: float | None = None
    #: what counts against the capacity: ``population`` or ``elderly``
    load: str = "population"

    def override(self, *, categories: Sequence[str] | None = None, model: str | None = None,
                 sites: int | None = None, full_coverage: bool = False,
                 time_limit_s: float | None = None, generate: bool | None = None,
                 capacity: float | None = None, load: str | None = None) -> PlannerOptions:
        """These options with the given ones (command-line flags) in place; None keeps a value.

        ``full_coverage`` (or ``model="setcover"``) without ``sites`` drops the number of
        sites: set covering decides how many it needs.
        """
        full = full_coverage or self.full_coverage
        chosen = model or ("setcover" if full else self.model)
        n_sites = sites if sites is not None else (None if chosen == "setcover" else self.sites)
        return replace(
            self, categories=tuple(categories) if categories else self.categories,
            model=chosen, sites=n_sites, full_coverage=full,
            time_limit_s=self.time_limit_s if time_limit_s is None else float(time_limit_s),
            generate_candidates=self.generate_candidates if generate is None else generate,
            capacity=self.capacity if capacity is None else float(capacity),
            load=load or self.load)

    def problems(self, profile: Profile, where: Callable[[str], str] = "planner.{}".format
                 ) -> list[Problem]:
        """Every problem of these options against ``profile`` (empty when valid).

        ``where`` names an option in a message (``planner.categories`` in a project file,
        ``--category`` on the command line).
        """
        found: list[Problem] = []
        if not self.categories:
            found.append(Problem.of(where("categories"), "err.prj.no_category"))
        for c in dict.fromkeys(self.categories):
            hint = profile.category_hint(c)
            if hint is not None:
                found.append(Problem.of(where("categories"), "err.prj.unknown_category",
                                        value=c, hint=hint))
        if len(set(self.categories)) != len(self.categories):
            found.append(Problem.of(where("categories"), "err.prj.twice",
                                    values=list(self.categories)))
        if self.model not in MODELS:
            found.append(Problem.of(where("model"), "err.prj.unknown_model", value=self.model,
                                    known=i18n.items(MODELS)))
        if self.load not in ("population", "elderly"):
            found.append(Problem.of(where("load"), "err.prj.unknown_load", value=self.load))
        if self.capacity is not None and not self.capacity > 0:
            found.append(Problem.of(where("capacity"), "err.prj.capacity", value=self.capacity))
        if self.sites is not None and self.sites < 1:
            found.append(Problem.of(where("sites"), "err.prj.sites", value=self.sites))
        if self.model in ("mclp", "pmedian") and self.sites is None:
            found.append(Problem.of(where("sites"), "err.prj.sites_needed", model=self.model))
        if not self.time_limit_s > 0:
            found.append(Problem.of(where("time_limit_s"), "err.prj.time_limit",
                                    value=self.time_limit_s))
        return found


@dataclass(frozen=True)
class Project:
    """A loaded, validated project."""

    path: Path | None
    name: str
    profile: Profile
    layers: Mapping[str, LayerSpec]
    working_crs: str = "auto"
    lang: str = "zh"
    network: NetworkOptions = NetworkOptions()
    planner: PlannerOptions = PlannerOptions()
    raster_cell_m: float = 100.0
    #: layers given in memory (:meth:`from_layers`): layer key -> GeoDataFrame, read
    #: instead of the file of the same key
    frames: Mapping[str, Any] = field(default_factory=dict)
    #: keep a working CRS that distorts distances by more than 0.5 % (warned in every output)
    accept_crs_distortion: bool = False

    @property
    def root(self) -> Path:
        """Folder relative paths in the project file are resolved against."""
        return self.path.parent if self.path else Path.cwd()

    @classmethod
    def from_layers(cls, *, communities: Any, facilities: Any, roads: Any,
                    population: Any = None, candidates: Any = None,
                    profile: str | Path | Profile = DEFAULT_PROFILE,
                    working_crs: str | int = "auto", name: str = "project",
                    lang: str = "zh", network: NetworkOptions | None = None,
                    planner: PlannerOptions | None = None,
                    raster_cell_m: float = 100.0) -> Project:
        """A project whose layers are GeoDataFrames in memory (a notebook, osmnx roads).

        The frames carry the canonical columns (docs/contracts.md; the names ``init``
        recognises are accepted too, such as osmnx's ``highway`` and ``maxspeed``) and
        their CRS; they are validated, converted and reprojected exactly as files are.

        Parameters
        ----------
        communities, facilities, roads
            GeoDataFrames with canonical columns and a CRS.
        population
            A GeoTIFF path, a GeoDataFrame of points with ``population``, or None (each
            community's population spread along its roads).
        candidates
            A GeoDataFrame of candidate sites, or None.
        profile
            A shipped profile name, a profile TOML path, or a loaded :class:`Profile`.
        working_crs
            ``"auto"`` (a local metric CRS) or a projected CRS such as ``"EPSG:4548"``.
        name, lang, network, planner, raster_cell_m
            As in a project file's ``[project]``, ``[network]`` and ``[planner]``.

        Returns
        -------
        Project

        Raises
        ------
        ProjectError
            Unknown profile, a population that is neither a path nor a GeoDataFrame, a
            planner option that does not fit the profile.
        """
        prof = profile if isinstance(profile, Profile) else load_profile(profile)
        problems: list[Problem] = []
        given = {"communities": communities, "facilities": facilities, "roads": roads,
                 "population": population, "candidates": candidates}
        specs: dict[str, LayerSpec] = {}
        frames: dict[str, Any] = {}
        for key, value in given.items():
            if value is None:
                if LAYER_KEYS[key]:
                    problems.append(Problem.of(key, "err.api.layer_missing", key=key))
                continue
            if key == "population" and isinstance(value, (str, Path)):
                path = Path(value)
                if not path.exists():
                    problems.append(Problem.of("population", "err.api.raster_missing",
                                               path=str(path)))
                specs[key] = LayerSpec(key, path)
                continue
            if not hasattr(value, "geometry") or not hasattr(value, "crs"):
                problems.append(Problem.of(key, "err.api.not_frame",
                                           type=type(value).__name__))
                continue
            specs[key] = LayerSpec(key, Path(f"<{key}>"))
            frames[key] = value
        opts = planner or PlannerOptions()
        problems.extend(opts.problems(prof))
        if lang not in ("zh", "en"):
            problems.append(Problem.of("lang", "err.prj.lang", value=repr(lang)))
        raise_problems(problems, ProjectError, what="Project.from_layers")
        working = f"EPSG:{working_crs}" if isinstance(working_crs, int) else str(working_crs)
        return cls(None, name, prof, specs, working, lang, network or NetworkOptions(), opts,
                   float(raster_cell_m), frames)


# ---------------------------------------------------------------------------- schema
_PROJECT_SCHEMA: dict[str, Any] = {
    "project": {"name": str, "profile": str, "working_crs": (str, int), "lang": str,
                "raster_cell_m": (int, float), "accept_crs_distortion": bool},
    "layers": dict,
    "network": {"max_snap_m": (int, float), "snap_tolerance_m": (int, float),
                "node_crossings": bool},
    "planner": {"categories": list, "model": str, "sites": int, "full_coverage": bool,
                "time_limit_s": (int, float), "candidate_spacing_m": (int, float),
                "generate_candidates": bool, "capacity": (int, float), "load": str},
}
_LAYER_SCHEMA: dict[str, Any] = {
    "path": str, "layer": str, "source_crs": (str, int), "encoding": str,
    "fields": dict, "values": dict, "category": str,
}
MODELS = ("mclp", "setcover", "pmedian")


def _keypath(where: str) -> str:
    """The key path of a problem location, without the ``file: `` prefix."""
    return where.rsplit(": ", 1)[-1]


def _unknown(key: str, known: list[str], where: str) -> Problem:
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return Problem.of(f"{where}{key}", "err.prj.unknown_key", close=close[0])
    return Problem.of(f"{where}{key}", "err.prj.unknown_key_list", known=i18n.items(known))


def _check_table(data: Mapping[str, Any], schema: Mapping[str, Any], where: str,
                 problems: list[Problem]) -> None:
    for key, value in data.items():
        if key not in schema:
            problems.append(_unknown(key, list(schema), where))
            continue
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                problems.append(Problem.of(f"{where}{key}", "err.prj.table", value=repr(value),
                                           table=f"{_keypath(where)}{key}"))
            else:
                _check_table(value, expected, f"{where}{key}.", problems)
        elif not _is_type(value, expected):
            problems.append(Problem.of(f"{where}{key}", "err.prj.type",
                                       type=type_pair(expected), value=repr(value),
                                       key=f"{_keypath(where)}{key}"))


#: Allowed range of every number of a project file: key -> (low, high, low bound open,
#: what the number is (zh, en)). Checked at load, before anything is read.
NUMBER_RANGES: dict[str, tuple[float, float, bool, tuple[str, str]]] = {
    "project.raster_cell_m": (1.0, 10_000.0, False,
                              ("出行时间栅格的像元大小（米）",
                               "the cell size of the travel-time rasters in metres")),
    "network.max_snap_m": (0.0, 100_000.0, False,
                           ("点到道路的最大接入距离（米）",
                            "the largest distance from a point to its road in metres")),
    "network.snap_tolerance_m": (0.0, 100.0, False,
                                 ("道路端点之间要闭合的缝隙（米，通常 0-5）",
                                  "the gap between road ends to close, in metres (usually "
                                  "0-5)")),
    "planner.time_limit_s": (0.1, 604_800.0, False,
                             ("求解时限（秒）", "the solver time limit in seconds")),
    "planner.candidate_spacing_m": (10.0, 100_000.0, False,
                                    ("生成候选用地的间距（米）",
                                     "the spacing of generated candidate sites in metres")),
    "planner.capacity": (0.0, 1e9, True,
                         ("一处新设施可服务的居民数", "the residents one new site can serve")),
    "planner.sites": (1, 100_000, False, ("新址数量", "the number of new sites")),
}


def _check_numbers(data: Mapping[str, Any], where0: str, problems: list[Problem]) -> set[str]:
    """Every number of the project file finite and in :data:`NUMBER_RANGES`.

    Returns the dotted keys found out of range (left out of the options built, so each
    problem is reported once).
    """
    bad: set[str] = set()
    for dotted, (lo, hi, lo_open, what) in NUMBER_RANGES.items():
        table, key = dotted.split(".")
        section = data.get(table)
        if not isinstance(section, dict) or key not in section:
            continue
        value = section[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue  # a wrong type is reported by the schema check
        p = range_problem(f"{where0}{dotted}", value, lo, hi, lo_open, what)
        if p is not None:
            problems.append(p)
            bad.add(dotted)
    return bad


def check_extent(project: Project, bounds: Any) -> None:
    """Check the project's sizes against the region's extent (metres, working CRS).

    ``raster_cell_m`` and ``candidate_spacing_m`` must not make a grid of more than
    :data:`lifecircle.limits.MAX_GRID_CELLS` cells over the communities' bounding box.

    Raises
    ------
    ProjectError
        Naming the project file, the key, the grid size and the smallest value allowed.
    """
    from lifecircle.limits import MAX_GRID_CELLS

    minx, miny, maxx, maxy = (float(v) for v in bounds)
    width, height = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    if not (math.isfinite(width) and math.isfinite(height)):
        return
    where0 = f"{project.path}: " if project.path else ""
    problems = []
    for key, value in (("project.raster_cell_m", project.raster_cell_m),
                       ("planner.candidate_spacing_m", project.planner.candidate_spacing_m)):
        if value is None:  # a default that follows the circle's reach
            continue
        cells = math.ceil(width / value) * math.ceil(height / value)
        if cells > MAX_GRID_CELLS:
            least = math.ceil(math.sqrt(width * height / MAX_GRID_CELLS))
            problems.append(Problem.of(f"{where0}{key}", "err.grid_too_large", value=f"{value:g}",
                                       width=f"{width:,.0f}", height=f"{height:,.0f}",
                                       cells=f"{cells:,}", limit=f"{MAX_GRID_CELLS:,}",
                                       least=least))
    raise_problems(problems, ProjectError, what=str(project.path or project.name))


def parse_source_crs(value: str | int) -> str:
    """Normalise a source coordinate system name; raise ValueError if unknown."""
    if isinstance(value, int):
        return f"EPSG:{value}"
    text = value.strip().lower().replace("-", "").replace("_", "")
    if text in SOURCE_SYSTEMS:
        return text
    if text.startswith("epsg:") and text[5:].isdigit():
        return f"EPSG:{text[5:]}"
    if text.isdigit():
        return f"EPSG:{text}"
    raise ValueError(value)



def load(path: str | Path) -> Project:
    """Load and validate a project file.

    Parameters
    ----------
    path
        The project TOML file. Relative layer paths are resolved against its folder.

    Returns
    -------
    Project

    Raises
    ------
    ProjectError
        Listing every problem in the file at once, each with its key path and the fix.
    """
    path = Path(path)
    data = _read_toml(path, "project file")
    return from_dict(data, path)


def from_dict(data: Mapping[str, Any], path: Path | None = None) -> Project:
    """Build a :class:`Project` from parsed TOML (see :func:`load`)."""
    problems: list[Problem] = []
    where0 = f"{path}: " if path else ""
    root = path.parent if path else Path.cwd()
    _check_table(data, _PROJECT_SCHEMA, where0, problems)
    head = data.get("project", {}) if isinstance(data.get("project"), dict) else {}

    profile: Profile | None = None
    profile_name = head.get("profile", DEFAULT_PROFILE)
    if isinstance(profile_name, str):
        try:
            profile = load_profile(profile_name, base=root)
        except ProjectError as e:
            problems.append(Problem.of(f"{where0}project.profile", "err.nested", text=e))

    working = head.get("working_crs", "auto")
    if isinstance(working, int):
        working = f"EPSG:{working}"
    if isinstance(working, str) and working.strip().lower() in ("auto", "utm"):
        working = working.strip().lower()
    elif isinstance(working, str):
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            crs = CRS.from_user_input(working)
            if not crs.is_projected:
                problems.append(Problem.of(f"{where0}project.working_crs",
                                           "err.prj.crs_degrees", value=working))
        except CRSError:
            problems.append(Problem.of(f"{where0}project.working_crs", "err.prj.crs_unknown",
                                       value=repr(working)))
    lang = head.get("lang", "zh")
    if lang not in ("zh", "en"):
        problems.append(Problem.of(f"{where0}project.lang", "err.prj.lang", value=repr(lang)))

    layers: dict[str, LayerSpec] = {}
    raw_layers = data.get("layers", {})
    if not isinstance(raw_layers, dict):
        raw_layers = {}
    for key, required in LAYER_KEYS.items():
        if required and key not in raw_layers:
            problems.append(Problem.of(f"{where0}layers.{key}", "err.prj.layer_missing",
                                       key=key))
    for key, spec in raw_layers.items():
        where = f"{where0}layers.{key}."
        if key not in LAYER_KEYS:
            problems.append(_unknown(key, list(LAYER_KEYS), f"{where0}layers."))
            continue
        if isinstance(spec, str):
            spec = {"path": spec}
        if not isinstance(spec, dict):
            problems.append(Problem.of(where[:-1], "err.prj.layer_table", value=repr(spec),
                                       key=key))
            continue
        _check_table(spec, _LAYER_SCHEMA, where, problems)
        p = spec.get("path")
        lpath = Path()
        if p is None:
            problems.append(Problem.of(f"{where}path", "err.prj.path_missing"))
        elif isinstance(p, str):
            from lifecircle.limits import file_kind

            lpath = Path(p) if Path(p).is_absolute() else root / p
            if not lpath.exists():
                problems.append(Problem.of(f"{where}path", "err.prj.path_absent", path=lpath))
            elif file_kind(lpath) is not None:
                problems.append(Problem.of(f"{where}path", "err.layer_not_regular",
                                           path=lpath, kind=file_kind(lpath)))
        source = spec.get("source_crs")
        if source is not None and isinstance(source, (str, int)):
            try:
                source = parse_source_crs(source)
            except ValueError:
                problems.append(Problem.of(f"{where}source_crs", "err.prj.source_crs",
                                           value=repr(source),
                                           known=i18n.items(SOURCE_SYSTEMS)))
                source = None
        fields = spec.get("fields", {}) if isinstance(spec.get("fields"), dict) else {}
        known = CANONICAL_FIELDS[key]
        for canon, src in fields.items():
            if canon not in known:
                problems.append(_unknown(canon, list(known), f"{where}fields."))
            elif not isinstance(src, str):
                problems.append(Problem.of(f"{where}fields.{canon}", "err.prj.field_name",
                                           value=repr(src), canon=canon))
            elif src.strip().lower() == "auto" and canon != ID_FIELDS.get(key):
                problems.append(Problem.of(
                    f"{where}fields.{canon}", "err.prj.auto_ids", canon=canon,
                    ids=f" (fields.{ID_FIELDS[key]})" if key in ID_FIELDS else ""))
        category = spec.get("category")
        if isinstance(category, str):
            if key != "facilities":
                problems.append(Problem.of(f"{where}category", "err.prj.category_layer",
                                           key=key))
            elif profile is not None and profile.match_category(category) is None:
                close = difflib.get_close_matches(category, [
                    *profile.categories, *(c.name_zh for c in profile.categories.values())], n=1)
                problems.append(Problem.of(
                    f"{where}category",
                    "err.prj.category_close" if close else "err.prj.category_unknown",
                    value=repr(category), close=repr(close[0]) if close else ""))
            elif "category" in fields:
                problems.append(Problem.of(f"{where}category", "err.prj.category_both"))
        values = spec.get("values", {}) if isinstance(spec.get("values"), dict) else {}
        encoding = spec.get("encoding")
        if isinstance(encoding, str) and encoding.lower() != "auto":
            import codecs

            try:
                codecs.lookup(encoding)
            except LookupError:
                problems.append(Problem.of(f"{where}encoding", "err.prj.encoding",
                                           value=repr(encoding)))
        layers[key] = LayerSpec(
            key, lpath, spec.get("layer") if isinstance(spec.get("layer"), str) else None,
            source if isinstance(source, str) else None,
            encoding if isinstance(encoding, str) and encoding.lower() != "auto" else None,
            {k: v for k, v in fields.items() if isinstance(v, str)},
            {k: dict(v) for k, v in values.items() if isinstance(v, dict)},
            profile.match_category(category) if isinstance(category, str)
            and profile is not None else None)

    bad = _check_numbers(data, where0, problems)
    net_raw = data.get("network", {}) if isinstance(data.get("network"), dict) else {}
    network = NetworkOptions(**{k: v for k, v in net_raw.items()
                                if k in NetworkOptions.__dataclass_fields__
                                and _is_type(v, _PROJECT_SCHEMA["network"][k])
                                and f"network.{k}" not in bad})
    plan_raw = data.get("planner", {}) if isinstance(data.get("planner"), dict) else {}
    plan_kw = {k: v for k, v in plan_raw.items()
               if k in PlannerOptions.__dataclass_fields__
               and _is_type(v, _PROJECT_SCHEMA["planner"][k]) and f"planner.{k}" not in bad}
    if "categories" in plan_kw:
        plan_kw["categories"] = tuple(plan_kw["categories"])
        if profile is not None:  # Chinese names and aliases name a category too
            plan_kw["categories"] = tuple(profile.match_category(c) or c
                                          for c in plan_kw["categories"])
    if "categories" not in plan_kw and profile is not None and profile.categories and \
            not set(PlannerOptions.categories) <= set(profile.categories):
        # a profile of its own: plan its first category unless the file says otherwise
        plan_kw["categories"] = (next(iter(profile.categories)),)
    planner = PlannerOptions(**plan_kw)
    if profile is not None:
        problems.extend(planner.problems(profile, f"{where0}planner.{{}}".format))
    raster_cell = head.get("raster_cell_m", 100.0)
    raise_problems(problems, ProjectError, what=str(path) if path else "project")
    assert profile is not None
    return Project(path, str(head.get("name", path.stem if path else "project")), profile,
                   layers, str(working), str(lang), network, planner, float(raster_cell),
                   accept_crs_distortion=head.get("accept_crs_distortion") is True)
