"""Standards profile: circles, travel modes, the category catalogue and indicator targets.

A profile is a TOML file; ``maanshan-2025`` ships as the default. :class:`Circle` is the one
home of the rule "a demand point is covered" (:meth:`Circle.covers`) and of the circle's
straight reach in metres (:meth:`Circle.reach_m`); :class:`Mode` says what a travel mode
obeys (pedestrian access, posted speeds, one-way), never its name.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifecircle import i18n
from lifecircle._toml import (
    ContentCache,
    content_key,
    parse_toml,
    range_problem,
    read_toml_bytes,
    type_pair,
)
from lifecircle._toml import is_type as _is_type
from lifecircle.errors import Problem, ProjectError, notice, raise_problems

PROFILES_DIR = Path(__file__).parent / "data" / "profiles"
DEFAULT_PROFILE = "maanshan-2025"

ROAD_CLASSES = (
    "motorway", "trunk", "primary", "secondary", "tertiary", "residential", "service",
    "unclassified", "track", "path",
)

#: Keys of a ``[modes.<key>]`` table.
MODE_KEYS = ("name_zh", "name_en", "speed_kmh", "forbidden_classes", "oneway",
             "class_speeds_kmh", "pedestrian", "posted_speeds")

#: Behaviour flags every ``[modes.<key>]`` table must state, with the fix shown when one is
#: missing: a profile copied before the flags existed would otherwise silently route walkers
#: like cars on roads closed to pedestrians (``walk`` false).
#: Flags every mode must state (the fix of a missing one: `err.prf.flag_<name>.fix`).
MODE_FLAGS = ("pedestrian", "oneway", "posted_speeds")

#: Communities columns a target group's count may come from.
GROUP_FIELDS = ("elderly", "children")

#: Slack when comparing a travel time with a circle's minutes (float noise of the engine).
TIME_EPS_MIN = 1e-9
#: Travel times are searched up to this many times a circle's minutes: times somewhat
#: beyond the circle are still reported (worst-served places, p-median costs, rasters).
SEARCH_FACTOR = 2.0


def covered(minutes: ArrayLike, limit_min: ArrayLike) -> NDArray[np.bool_]:
    """The covered rule: a travel time within the circle's minutes (``t <= limit + eps``).

    Parameters
    ----------
    minutes
        Travel times in minutes (``inf``/NaN = unreachable, never covered).
    limit_min
        The circle's minutes (a scalar, or one per time; broadcast).
    """
    t = np.asarray(minutes, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return t <= np.asarray(limit_min, dtype=np.float64) + TIME_EPS_MIN


def covered_limit_s(limit_min: ArrayLike) -> NDArray[np.float64]:
    """The largest travel time in seconds that :func:`covered` accepts for ``limit_min``."""
    return (np.asarray(limit_min, dtype=np.float64) + TIME_EPS_MIN) * 60.0


# ---------------------------------------------------------------------------- classes
@dataclass(frozen=True)
class Mode:
    """A travel mode and what it obeys, as the profile says (never from its name).

    Attributes
    ----------
    key, name_zh, name_en
        Profile key and display names.
    speed_kmh
        Speed on every allowed road class unless ``class_speeds_kmh`` says otherwise.
    forbidden_classes
        Road classes the mode may not use.
    oneway
        Obeys the roads' ``oneway`` column (motor traffic).
    class_speeds_kmh
        Speed per road class, overriding ``speed_kmh``.
    pedestrian
        Obeys the roads' ``walk`` column: a road with ``walk`` false is closed to it.
    posted_speeds
        Takes a road's ``speed_kmh`` column, where given, instead of the class speed.
    """

    key: str
    name_zh: str
    name_en: str
    speed_kmh: float
    forbidden_classes: frozenset[str] = frozenset()
    oneway: bool = False
    class_speeds_kmh: Mapping[str, float] = field(default_factory=dict)
    pedestrian: bool = False
    posted_speeds: bool = False

    def name(self, lang: str = "zh") -> str:
        """Display name in ``lang`` (``zh`` or ``en``)."""
        return i18n.choose((self.name_zh, self.name_en), lang)

    def speed_mps(self, road_class: str) -> float:
        """Speed in metres per second on a road of ``road_class`` (0 where forbidden)."""
        if road_class in self.forbidden_classes:
            return 0.0
        return float(self.class_speeds_kmh.get(road_class, self.speed_kmh)) / 3.6


@dataclass(frozen=True)
class Circle:
    """A service circle: a travel-time limit by one mode (urban 15 min walk, ...).

    The single home of "covered" (:meth:`covers`), of the circle's reach in metres
    (:meth:`reach_m`) and of how far travel times are searched (:attr:`search_s`).
    """

    key: str
    name_zh: str
    name_en: str
    minutes: float
    mode: str
    rings: tuple[float, ...] = ()

    def covers(self, minutes: ArrayLike) -> NDArray[np.bool_]:
        """True where a travel time (minutes; ``inf``/NaN unreachable) is within the circle."""
        return covered(minutes, self.minutes)

    @property
    def limit_s(self) -> float:
        """The largest travel time in seconds the circle covers (the minutes + slack)."""
        return float(covered_limit_s(self.minutes))

    @property
    def search_s(self) -> float:
        """How far travel times are searched for this circle: ``SEARCH_FACTOR`` x minutes."""
        return SEARCH_FACTOR * self.minutes * 60.0

    def reach_m(self, mode: Mode) -> float:
        """Straight reach of the circle: the mode's speed x the circle's minutes, metres."""
        return mode.speed_kmh / 3.6 * self.minutes * 60.0

    def name(self, lang: str = "zh") -> str:
        """Display name in ``lang`` (``zh`` or ``en``)."""
        return i18n.choose((self.name_zh, self.name_en), lang)


@dataclass(frozen=True)
class Category:
    """A service category of the catalogue, with the circles that require it."""

    key: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...] = ()
    circles: tuple[str, ...] = ()
    #: target group the category serves first (a key of ``Profile.groups``), or None
    group: str | None = None
    #: the category's own level within its circles (GB 50180's 5/10-minute facilities),
    #: minutes; None = the circle's minutes
    minutes: float | None = None
    #: distance decay of its E2SFCA supply analysis (a key of :data:`DECAYS`); None = the
    #: profile's ``[supply] decay``
    decay: str | None = None
    #: capacity a new facility of the category is assumed to have when a proposed site
    #: has none (in the units of ``capacity``: residents, or the category's group);
    #: None = unknown
    default_capacity: float | None = None

    def name(self, lang: str = "zh") -> str:
        """Display name in ``lang`` (``zh`` or ``en``)."""
        return i18n.choose((self.name_zh, self.name_en), lang)


@dataclass(frozen=True)
class Indicator:
    """One indicator of the plan's Table 1 and how the data can measure it."""

    key: str
    name_zh: str
    name_en: str
    target: float
    unit: str
    method: str
    field: str | None = None
    category: str | None = None
    kind: str | None = None
    #: year the target is due (Table 1: 2025; the county-level 社区客厅 target: 2023)
    year: int | None = None

    def name(self, lang: str = "zh") -> str:
        """Display name in ``lang`` (``zh`` or ``en``)."""
        return i18n.choose((self.name_zh, self.name_en), lang)


@dataclass(frozen=True)
class Group:
    """A target group the plan serves first (the elderly, children): its count per
    community and the mode it travels by in each circle."""

    key: str
    name_zh: str
    name_en: str
    #: canonical communities column with the group's residents (``elderly``, ``children``)
    field: str
    #: circle key -> mode key; circles not named use the circle's own mode
    modes: Mapping[str, str] = field(default_factory=dict)

    def name(self, lang: str = "zh") -> str:
        """Display name in ``lang`` (``zh`` or ``en``)."""
        return i18n.choose((self.name_zh, self.name_en), lang)


#: E2SFCA distance decays a profile may name (``[supply] decay``, a category's ``decay``):
#: ``steps``: the limit in equal zones with ``zone_weights`` (Luo and Qi 2009);
#: ``gaussian``: ``exp(-t^2 / (2 sigma^2))`` with ``sigma = sigma_share x limit`` (Dai 2010).
DECAYS = ("steps", "gaussian")
#: Luo and Qi's (2009) zone weights: 0-10, 10-20, 20-30 minutes -> 1.00, 0.68, 0.22.
LUO_QI_WEIGHTS = (1.0, 0.68, 0.22)


@dataclass(frozen=True)
class Supply:
    """How the supply analysis weighs travel time (``[supply]`` of the profile).

    Every category gets the classic two-step floating catchment (2SFCA, Luo and Wang 2003:
    weight 1 within its limit) and its enhanced form (E2SFCA) with the decay named here or
    by the category.

    The default is Luo and Qi's (2009) E2SFCA: the category's limit (its circle's minutes,
    or its own GB 50180 level) split into three equal travel-time zones weighted 1.00,
    0.68 and 0.22. Luo and Qi's zones were 0-10, 10-20 and 20-30 minutes, exactly the
    rural 30-minute circle's rings; for the urban 15-minute walk the zones are 5, 10 and
    15 minutes, GB 50180-2018's own three life-circle levels, so the step follows the
    standard's idea that the nearest level's services are the ones used most. Zones
    scale with the limit, so a 5-minute-level category is weighed within its own
    5 minutes. ``gaussian`` (the Gaussian 2SFCA of Dai 2010, also offered by PySAL
    ``access``) is the smooth alternative, ``sigma = sigma_share x limit``.

    References: Luo, W., Wang, F. (2003) Environment and Planning B 30(6): 865-884;
    Luo, W., Qi, Y. (2009) Health & Place 15(4): 1100-1107; Dai, D. (2010) Health & Place
    16(5): 1038-1052.
    """

    decay: str = "steps"
    zone_weights: tuple[float, ...] = LUO_QI_WEIGHTS
    sigma_share: float = 0.5

    def rule(self, decay: str, limit: float) -> tuple[str | dict[float, float], float | None]:
        """``(decay, sigma)`` for :func:`lifecircle.accessibility.supply.weights` at a limit
        of ``limit`` minutes: the zone steps ``{k/n x limit: weight}`` or ``"gaussian"``
        with its sigma in minutes."""
        if decay == "gaussian":
            return "gaussian", self.sigma_share * float(limit)
        n = len(self.zone_weights)
        return {float(limit) * (k + 1) / n: float(w)
                for k, w in enumerate(self.zone_weights)}, None


@dataclass(frozen=True)
class Profile:
    """A standards profile: circles, modes, categories, space standards, indicators."""

    key: str
    name_zh: str
    name_en: str
    path: Path
    circles: Mapping[str, Circle]
    modes: Mapping[str, Mode]
    categories: Mapping[str, Category]
    indicators: Mapping[str, Indicator]
    space: Mapping[str, float]
    groups: Mapping[str, Group] = field(default_factory=dict)
    supply: Supply = field(default_factory=Supply)

    def name(self, lang: str = "zh") -> str:
        """Display name in ``lang`` (``zh`` or ``en``)."""
        return i18n.choose((self.name_zh, self.name_en), lang)

    def decay_of(self, category: str) -> str:
        """The E2SFCA decay of ``category`` (its own ``decay``, else ``[supply] decay``)."""
        cat = self.categories.get(category)
        own = cat.decay if cat is not None else None
        return own if own is not None else self.supply.decay

    def decay_rule(self, circle: str, category: str
                   ) -> tuple[str | dict[float, float], float | None]:
        """``(decay, sigma)`` of the E2SFCA analysis of ``category`` in ``circle``, at the
        category's limit there (:meth:`limit`); see :meth:`Supply.rule`."""
        return self.supply.rule(self.decay_of(category), self.limit(circle, category))

    def limit(self, circle: str, category: str) -> float:
        """Minutes within which ``category`` counts as reached in ``circle``: the
        category's own level when it has one below the circle's, else the circle's."""
        own = self.categories[category].minutes if category in self.categories else None
        full = self.circles[circle].minutes
        return float(min(own, full)) if own is not None else float(full)

    def reach_m(self, circle: str) -> float:
        """Straight reach in metres of the circle ``circle`` (its mode's speed x minutes)."""
        c = self.circles[circle]
        return c.reach_m(self.modes[c.mode])

    def required(self, circle: str) -> list[str]:
        """Category keys the circle ``circle`` requires, in catalogue order."""
        return [k for k, c in self.categories.items() if circle in c.circles]

    def category_hint(self, key: object) -> str | None:
        """None for a catalogue key; else how to fix it (the closest key, or all keys)."""
        if isinstance(key, str) and key in self.categories:
            return None
        from lifecircle.errors import Note

        close = difflib.get_close_matches(str(key), list(self.categories), n=1)
        keys = i18n.items(self.categories)
        if close:
            return Note("hint.category_close", close=repr(close[0]), keys=keys)
        return Note("hint.category", keys=keys)

    def category_lookup(self) -> dict[str, str]:
        """Map every key, Chinese and English name and alias (normalised) to its key."""
        table: dict[str, str] = {}
        for key, cat in self.categories.items():
            for label in (key, cat.name_zh, cat.name_en, *cat.aliases):
                table[normalise_label(label)] = key
        return table

    def match_category(self, value: object) -> str | None:
        """Category key for a source value, or None when nothing matches."""
        if value is None:
            return None
        return self.category_lookup().get(normalise_label(str(value)))


def normalise_label(text: str) -> str:
    """Lower-case, strip spaces and full-width forms so labels compare loosely."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).lower().split())



#: Upper bounds of the profile's speeds and minutes (a 200 km/h "walk" or a 10-hour
#: circle is a typing error).
MAX_SPEED_KMH = 200.0
MAX_MINUTES = 600.0
_SPEED = ("速度（千米/小时）", "a speed in km/h")
_MINUTES = ("分钟数", "a number of minutes")
_CAPACITY = ("服务规模（人数）", "a capacity in residents served")
_SHARE = ("时限的倍数", "a multiple of the limit")


# ---------------------------------------------------------------------------- loading
def load_profile(name_or_path: str | Path = DEFAULT_PROFILE, *,
                 base: Path | None = None) -> Profile:
    """Load a standards profile by shipped name or by path.

    Parameters
    ----------
    name_or_path
        ``maanshan-2025`` (shipped) or a path to a TOML profile.
    base
        Folder a relative profile path is resolved against.

    Raises
    ------
    ProjectError
        Listing every problem of the profile at once.
    """
    text = str(name_or_path)
    shipped = PROFILES_DIR / f"{text}.toml"
    if not text.endswith(".toml") and shipped.exists():
        path = shipped
    else:
        path = Path(text)
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.exists():
            names = sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))
            raise notice(ProjectError, "err.prf.not_found", name=repr(text),
                         names=i18n.items(names))
    raw = read_toml_bytes(path, "profile")
    return _PROFILES.get((path, content_key(raw)),
                         lambda: _profile_from_dict(parse_toml(raw, path, "profile"), path))


#: Checked profiles by (path as given, content): the file is read on every load, parsed and
#: checked once per content (a planner's notebook or the CLI loading the shipped profile
#: again pays ~10 ms less each time); every load gets its own copy.
_PROFILES = ContentCache()


def _profile_from_dict(data: Mapping[str, Any], path: Path) -> Profile:
    problems: list[Problem] = []
    w = f"{path.name}: "

    def get(table: Mapping[str, Any], key: str, t: Any, where: str, default: Any = None,
            required: bool = True) -> Any:
        if key not in table:
            if required:
                problems.append(Problem.of(f"{w}{where}.{key}", "err.prf.missing", key=key,
                                           type=type_pair(t)))
            return default
        value = table[key]
        if not _is_type(value, t):
            problems.append(Problem.of(f"{w}{where}.{key}", "err.prf.type", type=type_pair(t),
                                       value=repr(value)))
            return default
        return value

    def table(value: Any, where: str) -> Mapping[str, Any]:
        if isinstance(value, dict):
            return value
        problems.append(Problem.of(f"{w}{where}", "err.prj.table", value=repr(value),
                                   table=where))
        return {}

    def number(tbl: Mapping[str, Any], key: str, where: str, default: float,
               required: bool = True, positive: bool = True,
               high: float | None = None, what: tuple[str, str] | None = None) -> float:
        value = get(tbl, key, (int, float), where, None, required)
        if value is None:
            return default
        if high is not None and what is not None:
            p = range_problem(f"{w}{where}.{key}", value, 0.0, high, True, what)
            if p is not None:
                problems.append(p)
                return default
        if not math.isfinite(value) or (positive and value <= 0):
            problems.append(Problem.of(f"{w}{where}.{key}",
                                       "err.prf.positive" if positive else "err.prf.finite",
                                       value=value))
            return default
        return float(value)

    def strings(tbl: Mapping[str, Any], key: str, where: str) -> list[str]:
        value = get(tbl, key, list, where, [], False)
        bad = [v for v in value if not isinstance(v, str)]
        if bad:
            problems.append(Problem.of(f"{w}{where}.{key}", "err.prf.strings",
                                       value=repr(bad[0])))
        return [v for v in value if isinstance(v, str)]

    head = table(data.get("profile", {}), "profile")
    modes: dict[str, Mode] = {}
    for key, m in table(data.get("modes", {}), "modes").items():
        where = f"modes.{key}"
        m = table(m, where)
        for k in m:
            if k not in MODE_KEYS:
                close = difflib.get_close_matches(k, MODE_KEYS, n=1)
                problems.append(
                    Problem.of(f"{w}{where}.{k}", "err.prj.unknown_key", close=close[0])
                    if close else Problem.of(f"{w}{where}.{k}", "err.prj.unknown_key_list",
                                             known=i18n.items(MODE_KEYS)))
        flags: dict[str, bool] = {}
        for flag in MODE_FLAGS:
            if flag not in m:
                problems.append(Problem.of(f"{w}{where}.{flag}", f"err.prf.flag_{flag}"))
            flags[flag] = bool(get(m, flag, bool, where, False, False))
        speeds = get(m, "class_speeds_kmh", dict, where, {}, required=False)
        forbidden = strings(m, "forbidden_classes", where)
        for cls in [*forbidden, *speeds]:
            if cls not in ROAD_CLASSES:
                problems.append(Problem.of(f"{w}{where}", "err.prf.road_class",
                                           value=repr(cls), known=i18n.items(ROAD_CLASSES)))
        class_speeds = {k: number(speeds, k, f"{where}.class_speeds_kmh", 1.0,
                                  high=MAX_SPEED_KMH, what=_SPEED) for k in speeds}
        speed = number(m, "speed_kmh", where, 4.0, high=MAX_SPEED_KMH, what=_SPEED)
        modes[key] = Mode(key, get(m, "name_zh", str, where, key, False),
                          get(m, "name_en", str, where, key, False), speed,
                          frozenset(forbidden), flags["oneway"], class_speeds,
                          pedestrian=flags["pedestrian"], posted_speeds=flags["posted_speeds"])
    circles: dict[str, Circle] = {}
    for key, c in table(data.get("circles", {}), "circles").items():
        where = f"circles.{key}"
        c = table(c, where)
        mode = get(c, "mode", str, where, "walk")
        if mode not in modes:
            problems.append(Problem.of(f"{w}{where}.mode", "err.prf.mode", value=repr(mode),
                                       known=i18n.items(modes)))
        minutes = number(c, "minutes", where, 15.0, high=MAX_MINUTES, what=_MINUTES)
        rings = get(c, "rings", list, where, [], False)
        ring_values = {str(i): r for i, r in enumerate(rings)}
        circles[key] = Circle(key, get(c, "name_zh", str, where, key, False),
                              get(c, "name_en", str, where, key, False), minutes, mode,
                              tuple(number(ring_values, i, f"{where}.rings", 1.0,
                                           high=MAX_MINUTES, what=_MINUTES)
                                    for i in ring_values))
    if not circles:  # a profile defines the circles its communities need, at least one
        problems.append(Problem.of(f"{w}circles", "err.prf.no_circles"))
    categories: dict[str, Category] = {}
    for key, c in table(data.get("categories", {}), "categories").items():
        where = f"categories.{key}"
        c = table(c, where)
        cc = tuple(strings(c, "circles", where))
        for ck in cc:
            if ck not in circles:
                problems.append(Problem.of(f"{w}{where}.circles", "err.prf.circle",
                                           value=repr(ck), known=i18n.items(circles)))
        group = get(c, "group", str, where, None, False)
        level = (number(c, "minutes", where, 15.0, high=MAX_MINUTES, what=_MINUTES)
                 if "minutes" in c else None)
        decay = get(c, "decay", str, where, None, False)
        if decay is not None and decay not in DECAYS:
            problems.append(Problem.of(f"{w}{where}.decay", "err.prf.decay", value=repr(decay),
                                       known=i18n.items(DECAYS)))
            decay = None
        dcap = (number(c, "default_capacity", where, 0.0, positive=False, high=1e9,
                       what=_CAPACITY) if "default_capacity" in c else None)
        categories[key] = Category(key, get(c, "name_zh", str, where, key),
                                   get(c, "name_en", str, where, key, False),
                                   tuple(strings(c, "aliases", where)), cc, group, level,
                                   decay, dcap)
    groups: dict[str, Group] = {}
    for key, g in table(data.get("groups", {}), "groups").items():
        where = f"groups.{key}"
        g = table(g, where)
        gfield = get(g, "field", str, where, key)
        if gfield not in GROUP_FIELDS:
            problems.append(Problem.of(f"{w}{where}.field", "err.prf.group_field",
                                       value=repr(gfield), known=i18n.items(GROUP_FIELDS)))
        gmodes = get(g, "modes", dict, where, {}, False)
        for ck, mk in gmodes.items():
            if ck not in circles:
                problems.append(Problem.of(f"{w}{where}.modes", "err.prf.circle",
                                           value=repr(ck), known=i18n.items(circles)))
            if not isinstance(mk, str) or mk not in modes:
                problems.append(Problem.of(f"{w}{where}.modes.{ck}", "err.prf.mode",
                                           value=repr(mk), known=i18n.items(modes)))
        groups[key] = Group(key, get(g, "name_zh", str, where, key, False),
                            get(g, "name_en", str, where, key, False), gfield,
                            {k: v for k, v in gmodes.items() if isinstance(v, str)})
    for key, cat in categories.items():
        if cat.group is not None and cat.group not in groups:
            problems.append(Problem.of(f"{w}categories.{key}.group", "err.prf.group",
                                       value=repr(cat.group), group=cat.group,
                                       known=i18n.items(groups or ["-"])))
    default_year = get(head, "target_year", int, "profile", None, False)
    indicators: dict[str, Indicator] = {}
    for key, i in table(data.get("indicators", {}), "indicators").items():
        where = f"indicators.{key}"
        i = table(i, where)
        indicators[key] = Indicator(
            key, get(i, "name_zh", str, where, key), get(i, "name_en", str, where, key, False),
            number(i, "target", where, 0.0, positive=False),
            get(i, "unit", str, where, "", False),
            get(i, "method", str, where, ""), get(i, "field", str, where, None, False),
            get(i, "category", str, where, None, False), get(i, "kind", str, where, None, False),
            get(i, "year", int, where, default_year, False))
    supply = _supply_from(table(data.get("supply", {}), "supply"), w, problems, get, number)
    space_raw = table(data.get("space", {}), "space")
    space = {k: number(space_raw, k, "space", 0.0, positive=False) for k in space_raw}
    for k, v in space.items():
        if v < 0:
            problems.append(Problem.of(f"{w}space.{k}", "err.prf.space", value=f"{v:g}"))
    raise_problems(problems, ProjectError, what=f"profile {path}")
    return Profile(str(head.get("key", path.stem)), str(head.get("name_zh", path.stem)),
                   str(head.get("name_en", path.stem)), path, circles, modes, categories,
                   indicators, space, groups, supply)


#: Keys of the ``[supply]`` table.
SUPPLY_KEYS = ("decay", "zone_weights", "sigma_share")


def _supply_from(tbl: Mapping[str, Any], w: str, problems: list[Problem], get: Any,
                 number: Any) -> Supply:
    """The ``[supply]`` table (every key optional: :class:`Supply`'s defaults)."""
    for k in tbl:
        if k not in SUPPLY_KEYS:
            problems.append(Problem.of(f"{w}supply.{k}", "err.prj.unknown_key_list",
                                       known=i18n.items(SUPPLY_KEYS)))
    base = Supply()
    decay = get(tbl, "decay", str, "supply", base.decay, False)
    if decay not in DECAYS:
        problems.append(Problem.of(f"{w}supply.decay", "err.prf.decay", value=repr(decay),
                                   known=i18n.items(DECAYS)))
        decay = base.decay
    zw = get(tbl, "zone_weights", list, "supply", list(base.zone_weights), False)
    ok = (len(zw) > 0 and all(_is_type(v, (int, float)) and math.isfinite(v) and 0 <= v <= 1
                              for v in zw)
          and all(a >= b for a, b in itertools.pairwise(zw)))
    if not ok:
        problems.append(Problem.of(f"{w}supply.zone_weights", "err.prf.zone_weights",
                                   value=repr(zw)))
        zw = list(base.zone_weights)
    share = number(tbl, "sigma_share", "supply", base.sigma_share, required=False, high=10.0,
                   what=_SHARE)
    return Supply(decay, tuple(float(v) for v in zw), share)

