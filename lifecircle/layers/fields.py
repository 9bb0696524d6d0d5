"""Recognising source fields and values and mapping them to the canonical columns.

A project file may name the source field of each canonical column (``[layers.x.fields]``)
and map source values (``[layers.x.values.<column>]``). Whatever it does not name is
recognised here from the field names Chinese GIS data commonly uses (名称/MC, 人口/RK/CZRK,
户数/HS, 街道/JDMC ...), compared case-insensitively after NFKC normalisation, and values
(城市/农村, 主干路/次干路, category names and aliases of the profile ...) likewise.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lifecircle.project import ROAD_CLASSES, Profile, normalise_label
from lifecircle.schemas import SCHEMAS

#: Source field names recognised per layer and canonical column, in order of preference
#: (from the layer schemas, :mod:`lifecircle.schemas`).
FIELD_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    k: s.field_names for k, s in SCHEMAS.items()}

#: Columns a layer cannot do without (others are filled with defaults).
REQUIRED: dict[str, tuple[str, ...]] = {k: s.required_columns for k, s in SCHEMAS.items()}

KIND_VALUES: dict[str, str] = {
    **dict.fromkeys(("urban", "u", "城市", "城镇", "城", "镇", "社区", "城市社区", "城镇社区",
                     "居委会", "居民委员会", "城中村", "街道"), "urban"),
    **dict.fromkeys(("rural", "r", "农村", "乡村", "村", "农村社区", "村委会",
                     "村民委员会", "行政村", "乡"), "rural"),
}

#: Source road classes (Chinese classes, OSM ``highway`` values) -> canonical classes.
ROAD_VALUES: dict[str, str] = {
    **{c: c for c in ROAD_CLASSES},
    "motorway_link": "motorway", "trunk_link": "trunk", "primary_link": "primary",
    "secondary_link": "secondary", "tertiary_link": "tertiary", "living_street": "residential",
    "road": "unclassified", "busway": "service", "escape": "service", "footway": "path",
    "pedestrian": "path", "steps": "path", "cycleway": "path", "bridleway": "path",
    "corridor": "path", "sidewalk": "path", "crossing": "path",
    "高速公路": "motorway", "高速": "motorway", "城市快速路": "motorway", "快速路": "motorway",
    "国道": "trunk", "一级公路": "primary", "主干路": "primary", "主干道": "primary",
    "城市主干路": "primary", "省道": "primary", "二级公路": "secondary", "次干路": "secondary",
    "次干道": "secondary", "城市次干路": "secondary", "县道": "secondary",
    "三级公路": "tertiary", "支路": "tertiary", "城市支路": "tertiary", "乡道": "tertiary",
    "四级公路": "unclassified", "村道": "unclassified", "专用公路": "service",
    "等外公路": "track", "街巷": "residential", "巷道": "residential", "小区路": "residential",
    "小区道路": "residential", "居住区道路": "residential", "内部道路": "service",
    "服务道路": "service", "机耕路": "track", "机耕道": "track", "田间道": "track",
    "林道": "track", "步行道": "path", "步行街": "path", "人行道": "path", "绿道": "path",
    "游步道": "path", "小路": "path", "小径": "path", "乡间小路": "path",
}

#: OSM ``highway`` values that are not roads to travel on (dropped with a warning).
NOT_ROADS = frozenset({"proposed", "construction", "abandoned", "platform", "bus_stop",
                       "raceway", "elevator", "razed", "disused", "rest_area", "services",
                       "emergency_bay", "bus_guideway"})

STATUS_VALUES: dict[str, str] = {
    **dict.fromkeys(("existing", "现状", "现有", "已建", "建成", "已建成", "在用", "运营",
                     "使用", "现状保留", "保留", "正常"), "existing"),
    **dict.fromkeys(("planned", "proposed", "规划", "拟建", "在建", "新建", "规划新建", "计划",
                     "待建"), "planned"),
}

BOOL_VALUES: dict[str, bool] = {
    **dict.fromkeys(("1", "true", "t", "yes", "y", "是", "有", "√", "已建", "已设", "已配备",
                     "已设置", "设有", "-1"), True),
    **dict.fromkeys(("0", "false", "f", "no", "n", "否", "无", "×", "未建", "没有", "未设",
                     "未设置"), False),
}

#: One-way values; ``reverse`` means one-way against the digitised direction (OSM ``-1``).
ONEWAY_VALUES: dict[str, str] = {
    **dict.fromkeys(("1", "true", "t", "yes", "y", "是", "单行", "单向", "ft", "forward"),
                    "forward"),
    **dict.fromkeys(("-1", "tf", "reverse", "backward"), "reverse"),
    **dict.fromkeys(("0", "false", "f", "no", "n", "否", "双行", "双向", "b", "both", "",
                     "reversible", "alternating"), "no"),
}

#: Words in a candidate's kind or name marking an idle public asset (the plan's 第三节).
IDLE_WORDS = ("闲置", "空置", "宾馆", "酒店", "招待所", "培训中心", "办公用房", "办公楼",
              "福利", "idle")


def norm(value: object) -> str:
    """Normalised text of a source value (integers in floats lose their ``.0``)."""
    if isinstance(value, float | np.floating) and math.isfinite(value) \
            and float(value).is_integer():
        value = int(value)
    elif isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return normalise_label(str(value))


def is_blank(value: object) -> bool:
    """True for None, NaN, NA and blank strings."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return isinstance(value, str) and not value.strip()


# ---------------------------------------------------------------------------- field names
@dataclass
class FieldMatch:
    """Canonical column -> source field, and what went wrong with explicit mappings."""

    mapping: dict[str, str] = field(default_factory=dict)
    explicit: set[str] = field(default_factory=set)
    auto: set[str] = field(default_factory=set)  # ids to number (``"auto"``)
    missing: list[tuple[str, str, list[str]]] = field(default_factory=list)  # canon, src, closest


def closest(name: str, options: Sequence[str]) -> list[str]:
    """``options`` ordered by similarity to ``name``, closest first."""
    if not options:
        return []
    return difflib.get_close_matches(name, list(options), n=len(options), cutoff=0.0)


def match_fields(columns: Sequence[str], layer_key: str,
                 explicit: Mapping[str, str] | None = None) -> FieldMatch:
    """Map canonical columns to source fields.

    Explicit mappings come first; a mapped field that does not exist is matched
    case-insensitively, and otherwise recorded in ``missing`` with the fields that do exist
    (closest first). Remaining canonical columns are recognised from :data:`FIELD_NAMES`.

    Parameters
    ----------
    columns
        Source field names (without the geometry column).
    layer_key
        ``communities``, ``facilities``, ``roads``, ``population`` or ``candidates``.
    explicit
        ``LayerSpec.fields`` (canonical -> source).
    """
    result = FieldMatch()
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(normalise_label(c), c)
    used: set[str] = set()
    for canon, src in (explicit or {}).items():
        if src.strip().lower() == "auto" and src not in columns:
            result.auto.add(canon)
            continue
        col = src if src in columns else by_norm.get(normalise_label(src))
        if col is None:
            result.missing.append((canon, src, closest(src, columns)))
            continue
        result.mapping[canon] = col
        result.explicit.add(canon)
        used.add(col)
    schema = SCHEMAS.get(layer_key)
    for canon, names in (schema.field_names if schema else {}).items():
        if canon in result.mapping or canon in (explicit or {}):
            continue
        for name in names:
            col = by_norm.get(normalise_label(name)) or _truncated(name, by_norm)
            if col is not None and col not in used:
                result.mapping[canon] = col
                used.add(col)
                break
    return result


_JUNK_TAIL = re.compile(r"[^\u3400-\u9fffA-Za-z]*")


def _truncated(name: str, by_norm: Mapping[str, str]) -> str | None:
    """A field whose name is a Chinese ``name`` plus junk (``人口?``, ``人口_1``).

    DBF field names hold 10 bytes, so Chinese names get cut, sometimes mid-character, and
    GDAL leaves a replacement character or a suffix; more Chinese or Latin letters after
    the name (``人口密度``) mean another field and do not match.
    """
    key = normalise_label(name)
    if key.isascii() or len(key) < 2:
        return None
    for norm_col, col in by_norm.items():
        if norm_col != key and norm_col.startswith(key) \
                and _JUNK_TAIL.fullmatch(norm_col[len(key):]):
            return col
    return None


# ---------------------------------------------------------------------------- values
@dataclass
class Mapped:
    """Result of mapping a column's values: the mapped series and what did not map."""

    values: pd.Series
    unknown: dict[str, int] = field(default_factory=dict)  # raw value -> rows
    blank: int = 0


def map_values(series: pd.Series, table: Mapping[str, object],
               overrides: Mapping[str, object] | None = None,
               contains: Callable[[str], object | None] | None = None) -> Mapped:
    """Map a column's values through ``overrides``, ``table`` and ``contains``.

    Each distinct value is looked up once (normalised): first in ``overrides`` (the project
    file's ``values`` table), then in ``table``, then by ``contains`` (substring rules).
    Blank values map to None and are counted; values nothing matches map to None and are
    listed in ``unknown`` with their row counts.
    """
    over = {norm(k): v for k, v in (overrides or {}).items()}
    lookup = {norm(k): v for k, v in table.items()}
    cache: dict[object, object] = {}
    unknown: dict[str, int] = {}
    blank = 0
    out: list[object] = []
    for raw in series.tolist():
        if is_blank(raw):
            blank += 1
            out.append(None)
            continue
        try:
            hit = cache[raw]
        except (KeyError, TypeError):
            key = norm(raw)
            hit = over.get(key, lookup.get(key))
            if hit is None and contains is not None:
                hit = contains(key)
            with contextlib.suppress(TypeError):
                cache[raw] = hit
        if hit is None:
            label = str(raw).strip()
            unknown[label] = unknown.get(label, 0) + 1
        out.append(hit)
    return Mapped(pd.Series(out, index=series.index, dtype=object), unknown, blank)


def contains_one(key: str, labels: Mapping[str, str]) -> str | None:
    """The single target whose label occurs in ``key`` (ignoring labels inside longer ones).

    ``"马鞍山市花山区xx社区卫生服务站"`` contains ``社区卫生服务站`` and ``卫生服务站``, both
    ``health``: the answer is ``health``. A value holding labels of two targets is ambiguous
    and gives None.
    """
    found = [(lab, tgt) for lab, tgt in labels.items() if len(lab) >= 2 and lab in key]
    if not found:
        return None
    longest = [(lab, tgt) for lab, tgt in found
               if not any(lab != other and lab in other for other, _ in found)]
    targets = {tgt for _, tgt in longest}
    return targets.pop() if len(targets) == 1 else None


def kind_contains(key: str) -> str | None:
    """Urban/rural from words inside a value (农村社区 -> rural, 城市社区 -> urban)."""
    if re.fullmatch(r"[12]\d\d", key):  # national urban-rural classification code
        return "urban" if key[0] == "1" else "rural"
    for words_r, words_u in ((("农村", "乡村", "村委", "行政村", "rural"),
                              ("城市", "城镇", "居委", "街道", "urban")),
                             (("村",), ("社区", "城"))):
        r = any(w in key for w in words_r)
        u = any(w in key for w in words_u)
        if r != u:
            return "rural" if r else "urban"
    return None


def road_contains(key: str) -> str | None:
    """Canonical road class from a longer Chinese class name (``城市主干路`` -> primary)."""
    chinese = {k: v for k, v in ROAD_VALUES.items() if not k.isascii()}
    extra = {"主干": "primary", "次干": "secondary", "快速": "motorway", "高速": "motorway",
             "步行": "path", "小区": "residential"}
    return contains_one(key, {**extra, **chinese})


def category_matcher(profile: Profile) -> Callable[[str], str | None]:
    """Substring matcher over the profile's category names and aliases."""
    labels = profile.category_lookup()
    return lambda key: contains_one(key, labels)


def category_table(profile: Profile) -> dict[str, str]:
    """Every category key, name and alias (normalised) -> key."""
    return profile.category_lookup()


@dataclass(frozen=True)
class ValueTable:
    """A table source values of a coded column are mapped through.

    Attributes
    ----------
    table
        Normalisable source value -> canonical value.
    contains
        Substring rule for values the table does not hold, or None.
    options
        What a planner may write in ``[layers.x.values.<column>]`` (``urban|rural``).
    """

    table: Mapping[str, object]
    contains: Callable[[str], object | None] | None
    options: str


def value_table(name: str, profile: Profile | None = None) -> ValueTable:
    """The value table called ``name`` in a layer schema (:data:`lifecircle.schemas.ValueTable`).

    ``category`` is the profile's categories (names and aliases); the others are fixed.
    """
    if name == "category":
        if profile is None:
            raise ValueError("the category table needs a profile")
        return ValueTable(category_table(profile), category_matcher(profile),
                          "|".join(list(profile.categories)[:4]) + "|...")
    tables: dict[str, ValueTable] = {
        "kind": ValueTable(KIND_VALUES, kind_contains, "urban|rural"),
        "road_class": ValueTable(ROAD_VALUES, road_contains,
                                 "primary|secondary|tertiary|residential|..."),
        "status": ValueTable(STATUS_VALUES, None, "existing|planned"),
        "oneway": ValueTable(ONEWAY_VALUES, None, "yes|no|-1"),
        "bool": ValueTable(BOOL_VALUES, None, "yes|no"),
    }
    return tables[name]


def closest_labels(value: str, table: Mapping[str, str], n: int = 2) -> list[str]:
    """Closest known labels to an unknown value, as ``label (target)``."""
    key = norm(value)
    labels = list(table)
    hits = difflib.get_close_matches(key, labels, n=n, cutoff=0.3)
    if not hits:
        scored = sorted(labels, key=lambda lab: -len(set(lab) & set(key)))
        hits = [lab for lab in scored[:n] if set(lab) & set(key)]
    return [f"{h} ({table[h]})" if h != table[h] else h for h in hits]


def to_number(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers, accepting full-width digits and thousands separators.

    Returns
    -------
    values, bad
        Float values (NaN for blank, unparsable or infinite), and a mask of the rows whose
        non-blank value is not a finite number.
    """
    if pd.api.types.is_bool_dtype(series):
        vals = series.astype(float)
        return vals, pd.Series(False, index=series.index)
    if pd.api.types.is_numeric_dtype(series):
        vals = pd.to_numeric(series, errors="coerce").astype(float)
        infinite = pd.Series(np.isinf(vals.to_numpy()), index=series.index)
        return vals.mask(infinite), infinite
    text = series.map(lambda v: None if is_blank(v) else
                      normalise_label(str(v)).replace(",", "").replace("_", ""))
    vals = pd.to_numeric(text, errors="coerce").astype(float)
    vals = vals.mask(np.isinf(vals.to_numpy()))  # "inf", "1e999": not a usable number
    bad = text.notna() & vals.isna()
    return vals, bad


def infer_kind_from_name(name: str) -> str:
    """``rural`` for names of villages (ending in 村, 村委会, 村民委员会), else ``urban``."""
    text = normalise_label(name)
    return "rural" if re.search(r"(村|村委会|村民委员会)$", text) else "urban"


# ---------------------------------------------------------------------------- layer roles
ROLE_HINTS: dict[str, tuple[str, ...]] = {k: s.hints for k, s in SCHEMAS.items()}


def guess_roles(geometry: str | None, columns: Sequence[str], filename: str,
                profile: Profile | None = None, samples: Mapping[str, Sequence[str]] | None
                = None) -> dict[str, float]:
    """Score how well a layer fits each input role (higher is better, 0 = cannot be).

    1, plus each recognised field (2 for a required column, 0.5 for another), plus what the
    role's :class:`lifecircle.schemas.Guess` gives the geometry, an unrecognised layer and
    the sampled category values, plus 2 for a file-name hint.

    Parameters
    ----------
    geometry
        Geometry family: ``point``, ``line``, ``polygon``, ``raster`` or None.
    columns
        Source fields.
    filename
        The file (and layer) name, whose words hint at the role.
    profile
        Used to recognise category values in ``samples``.
    samples
        A few values per field.
    """
    scores: dict[str, float] = {}
    name = normalise_label(filename)
    sample_hits: float | None = None
    for role, schema in SCHEMAS.items():
        if geometry not in schema.accepts:
            continue
        guess = schema.guess
        score = 1.0 + dict(guess.geometry).get(geometry, 0.0)  # type: ignore[arg-type]
        matched = match_fields(columns, role).mapping
        for canon in matched:
            score += 2.0 if canon in REQUIRED.get(role, ()) else 0.5
        if geometry != "raster" and not matched:
            score += guess.unmatched
        weight = dict(guess.signals).get("sample_categories", 0.0)
        if weight and profile is not None and samples:
            if sample_hits is None:
                table = category_table(profile)
                sample_hits = min(3, sum(1 for vals in samples.values() for v in vals
                                         if norm(v) in table or contains_one(norm(v), table)))
            score += weight * sample_hits / 3.0
        for hint in ROLE_HINTS[role]:
            if re.search(rf"(^|[^a-z]){re.escape(hint)}", name) if hint.isascii() else hint in name:
                score += 2.0
                break
        scores[role] = score
    return scores
