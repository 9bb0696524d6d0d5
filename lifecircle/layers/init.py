"""``lifecircle init``: write a project file from a set of layers by recognising them.

Each layer is inspected (:mod:`lifecircle.layers.inspect`), assigned to the input role it
fits best (geometry type, recognised fields, category values, file name), and its fields
are mapped to the canonical columns. Whatever cannot be recognised is written as a line
starting with ``# TODO:`` so the planner sees exactly what is left to fill in.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from lifecircle.geo.crs import MAX_DISTORTION, distortion, transformer
from lifecircle.geo.offsets import OffsetFit, fit_to_roads
from lifecircle.i18n import TEXT, check_lang, choose, listed
from lifecircle.i18n import t as _t
from lifecircle.layers import fields as fld
from lifecircle.layers.inspect import ROLE_NAMES, SIDECARS, _Analysed, analyse, encoding_how
from lifecircle.project import LAYER_KEYS, PROFILES_DIR, Profile, load_profile
from lifecircle.schemas import SCHEMAS, Column

#: Layers of points that may carry a Chinese map offset (GCJ-02/BD-09).
POINT_LAYERS = tuple(k for k, s in SCHEMAS.items() if s.geometry == "point")
#: File-name words that give away an offset coordinate system.
OFFSET_HINTS = {"gcj02": ("gcj", "gaode", "amap", "高德", "火星", "腾讯", "tencent"),
                "bd09": ("bd09", "baidu", "百度")}


def _q(text: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML)."""
    return json.dumps(str(text), ensure_ascii=False)


def _c(text: str) -> str:
    """Text safe inside a TOML comment (no line breaks or control characters)."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(text))


def _key(text: str) -> str:
    """A TOML key: bare when possible, quoted otherwise."""
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else _q(text)


def value_signals(frame: pd.DataFrame, geometry: str | None, profile: Profile
                  ) -> dict[str, float]:
    """What the values of a layer's first 500 rows say about its role
    (:data:`lifecircle.schemas.Signal`, without ``sample_categories``).

    Parameters
    ----------
    frame
        The layer's attribute table (no geometry column).
    geometry
        Its geometry family.
    profile
        Gives the facility types recognised in text fields.
    """
    head = frame.iloc[:500]
    table = fld.category_table(profile)
    texts = [c for c in head.columns if head[c].dtype == object or str(head[c].dtype) == "str"
             or pd.api.types.is_string_dtype(head[c])]
    cat_share = idle_share = 0.0
    for c in texts:
        vals = [fld.norm(v) for v in head[c].tolist() if not fld.is_blank(v)]
        if not vals:
            continue
        hits = sum(1 for v in vals if v in table or fld.contains_one(v, table))
        cat_share = max(cat_share, hits / len(vals))
        idle = sum(1 for v in vals if any(w in v for w in fld.IDLE_WORDS))
        idle_share = max(idle_share, idle / len(vals))
    counts = geometry == "point" and cat_share < 0.2 and idle_share < 0.2 and any(
        pd.api.types.is_numeric_dtype(head[c]) and (head[c].dropna() >= 0).all()
        and head[c].notna().any() for c in head.columns)
    return {"categories": cat_share, "idle": idle_share, "counts": float(counts),
            "counts_no_text": float(counts and not texts)}


def _value_scores(a: _Analysed, profile: Profile) -> dict[str, float]:
    """Role scores from the values of a point or polygon layer, not only its field names:
    ``inspect``'s scores plus each role's weighted value signals
    (:attr:`lifecircle.schemas.Guess.signals`, :func:`value_signals`)."""
    r = a.report
    scores = dict(r.role_scores)
    if a.frame is None or r.geometry_family not in ("point", "polygon"):
        return scores
    signals = value_signals(a.frame.drop(columns=[a.frame.geometry.name]),
                            r.geometry_family, profile)
    for role in scores:
        scores[role] += sum(w * signals[s] for s, w in SCHEMAS[role].guess.signals
                            if s in signals)
    return scores


def _assign(items: Sequence[_Analysed], profile: Profile) -> dict[str, _Analysed]:
    """Give each role the layer that fits it best (greedy on the scores, one layer each)."""
    pairs = []
    for i, a in enumerate(items):
        for role, score in _value_scores(a, profile).items():
            pairs.append((score, -i, role, i))
    pairs.sort(reverse=True)
    taken_roles: set[str] = set()
    taken: set[int] = set()
    out: dict[str, _Analysed] = {}
    for _score, _neg, role, i in pairs:
        if role in taken_roles or i in taken:
            continue
        out[role] = items[i]
        taken_roles.add(role)
        taken.add(i)
    return out


def _crs_from_neighbours(a: _Analysed, problem: str,
                         around: tuple[float, float, float, float] | None) -> str | None:
    """The EPSG code (named in the missing-CRS hint, or Web Mercator) that puts a layer
    without a CRS where the other layers are, or None."""
    if around is None or a.frame is None or a.frame.empty:
        return None
    b = a.frame.total_bounds
    if not np.all(np.isfinite(b)):
        return None
    codes = list(dict.fromkeys([*re.findall(r"EPSG:\d+", problem), "EPSG:3857"]))
    codes = [c for c in codes if not re.fullmatch(r"EPSG:(4326|4490)", c)]
    fits = []
    for code in codes:
        try:
            ll = transformer(code, "EPSG:4326").transform_bounds(*b)
        except Exception:  # a code that cannot hold these numbers
            continue
        if not np.all(np.isfinite(ll)):
            continue
        # within the other layers' extent, grown by half its size (at least ~5 km)
        gx = max(0.05, 0.5 * (around[2] - around[0]))
        gy = max(0.05, 0.5 * (around[3] - around[1]))
        if around[0] - gx <= ll[0] and ll[2] <= around[2] + gx and \
                around[1] - gy <= ll[1] and ll[3] <= around[3] + gy:
            fits.append(code)
    return fits[0] if len(fits) == 1 else None


def _role_doubt(role: str, a: _Analysed, profile: Profile, lang: str) -> str:
    """Why the layer given ``role`` might be another input, or "" when it clearly fits.

    A layer that fits another role about as well (score within 1) or better (that role
    went to a layer fitting it even better) is a guess the planner should check.
    """
    scores = _value_scores(a, profile)
    mine = scores.get(role, 0.0)
    rivals = {k: v for k, v in scores.items() if k != role and v >= mine - 1.0}
    if not rivals:
        return ""
    other = max(rivals, key=lambda k: rivals[k])
    layer = a.report.layer
    name = a.report.path.name + (f" [{layer}]" if layer and layer != a.report.path.stem
                                 else "")
    return _t("init.doubt_role", lang, file=name, name=choose(ROLE_NAMES[role], lang),
              other=choose(ROLE_NAMES[other], lang))


def _lonlat(frame: gpd.GeoDataFrame | None) -> gpd.GeoSeries | None:
    if frame is None or frame.crs is None or frame.empty:
        return None
    try:
        return frame.geometry.to_crs("EPSG:4326")
    except Exception:  # a CRS that does not fit the coordinates: no comparison
        return None


def _offsets(roles: Mapping[str, _Analysed]) -> dict[str, OffsetFit]:
    """For point layers in degrees: how they fit the roads as WGS 84, GCJ-02 and BD-09."""
    road = roles.get("roads")
    roads_ll = _lonlat(road.frame) if road is not None else None
    if roads_ll is None:
        return {}
    out: dict[str, OffsetFit] = {}
    for role in POINT_LAYERS:
        a = roles.get(role)
        if a is None or a.frame is None or a.frame.crs is None \
                or not a.frame.crs.is_geographic:
            continue
        pts = _lonlat(a.frame)
        if pts is None:
            continue
        pts = pts.representative_point()
        fit = fit_to_roads(np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]),
                           roads_ll.values)
        if fit is not None:
            out[role] = fit
    return out


def _working_crs(items: Sequence[_Analysed], lang: str) -> tuple[str, str]:
    """``auto``, or the data's own projected CRS when every projected layer shares it and it
    measures distances at the data to 0.1 % (results then match the planner's GIS)."""
    from pyproj import CRS

    codes: set[str] = set()
    bounds: list[tuple[float, float, float, float]] = []
    for a in items:
        r = a.report
        if r.bounds_lonlat:
            bounds.append(r.bounds_lonlat)
        if r.crs and r.crs.startswith("EPSG:"):
            code = r.crs.split(" ", 1)[0]
            with contextlib.suppress(Exception):
                if CRS.from_user_input(code).is_projected:
                    codes.add(code)
    auto = ("auto", _t("init.crs_auto", lang))
    if len(codes) != 1 or not bounds:
        return auto
    b = np.array(bounds)
    ext = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    code = codes.pop()
    err = distortion(CRS.from_user_input(code), ext)
    if err > MAX_DISTORTION / 5:
        return auto
    return code, _t("init.crs_own", lang, err=f"{err:.2%}")


def _project_name(items: Sequence[_Analysed], out: Path, lang: str) -> str:
    """The district (or districts: ``雨山区、花山区、和县``) the communities lie in."""
    for a in items:
        if a.frame is None or a.report.role != "communities":
            continue
        for f in a.report.fields:
            if f.canonical != "district":
                continue
            counts = a.frame[f.name].map(lambda v: "" if fld.is_blank(v) else str(v).strip())
            counts = counts[counts != ""].value_counts()
            names = list(counts.index)
            if len(names) == 1:
                return names[0]
            if 1 < len(names) <= 3:
                return listed(names, lang)
            if names:
                return _t("init.project_districts", lang, names=listed(names[:2], lang),
                          n=len(names))
    name = out.resolve().parent.name
    return name or "project"


def init_project(paths: Sequence[Path], out: Path, lang: str = "zh", *,
                 profile: Profile | None = None) -> str:
    """Write a project file for the layers in ``paths`` and return its text.

    Parameters
    ----------
    paths
        Data files (or folders of them): Shapefiles, zipped Shapefiles, GeoPackages,
        GeoJSON, FlatGeobuf, rasters.
    out
        The project file to write (its folder is the base of the relative paths).
    lang
        Language of the comments and of the project (``zh`` or ``en``).
    profile
        Profile used to recognise category values (default: the shipped one).

    Returns
    -------
    str
        The TOML text written; every line needing the user's attention starts with
        ``# TODO:``.
    """
    lang = check_lang(lang)

    def t(key: str, **values: object) -> str:
        return _t(key, lang, **values)

    profile = profile or load_profile()
    out = Path(out)
    items: list[_Analysed] = []
    for p in paths:
        items.extend(a for a in analyse(Path(p), profile=profile, lang=lang)
                     if a.report.driver)
    roles = _assign(items, profile)
    role_doubt = {role: _role_doubt(role, a, profile, lang) for role, a in roles.items()}
    known = [a.report.bounds_lonlat for a in items if a.report.bounds_lonlat]
    around = (min(b[0] for b in known), min(b[1] for b in known), max(b[2] for b in known),
              max(b[3] for b in known)) if known else None
    base = out.parent.resolve()
    offsets = _offsets(roles)
    working, working_note = _working_crs(items, lang)
    lines = [
        t("init.header"),
        *(_c(f"#   {Path(p)}") for p in paths if Path(p).suffix.lower() not in SIDECARS),
        t("init.attention"),
        t("init.check"),
        "",
        "[project]",
        f"name = {_q(_project_name(items, out, lang))}",
        f"profile = {_q(_profile_ref(profile, base))}",
        f"working_crs = {_q(working)}  # {_c(working_note)}",
        f"lang = {_q(lang)}",
        "",
    ]
    for role in LAYER_KEYS:
        a = roles.get(role)
        name = choose(ROLE_NAMES[role], lang)
        if a is None:
            if LAYER_KEYS[role]:
                lines += [t("init.missing_layer", role=role, name=name),
                          t("init.missing_path", file=choose((name, role), lang)), ""]
            elif "raster" in SCHEMAS[role].accepts:
                lines += [t(f"init.optional_{role}"),
                          f"# [layers.{role}]", f"# path = \"{role}.tif\"", ""]
            continue
        pop = roles.get("population")
        if role_doubt.get(role):
            lines.append(f"# TODO: {_c(role_doubt[role])}")
        lines += _layer_lines(role, a, base, profile, lang, offsets.get(role), around=around,
                              has_points=pop is not None and pop.report.kind == "vector")
    unused = [a for a in items if a not in roles.values()]
    if unused:
        lines.append(t("init.unused"))
        for a in unused:
            r = a.report
            lines.append(_c(f"#   {_rel(r.path, base)}" + (f" [{r.layer}]" if r.layer else "")))
    text = "\n".join(lines).rstrip() + "\n"
    check_out(out, paths, overwrite=True)  # never over a file init did not write
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return text


def _profile_ref(profile: Profile, base: Path) -> str:
    """The shipped name of ``profile``, or its path relative to the project file."""
    shipped = PROFILES_DIR / f"{profile.key}.toml"
    if shipped.exists() and Path(profile.path).resolve() == shipped.resolve():
        return profile.key
    if Path(profile.path).resolve().parent == PROFILES_DIR.resolve():
        return Path(profile.path).stem
    return _rel(Path(profile.path), base)


#: The first line of every project file ``init`` writes (zh and en); only such a file is
#: ever replaced by ``init -o ... --overwrite``.
INIT_HEADERS = ("# lifecircle 项目文件，由 `lifecircle init`",
                "# lifecircle project file, written by `lifecircle init`")


def written_by_init(path: Path) -> bool:
    """True when ``path`` is a regular file whose first line is an ``init`` header."""
    import stat

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > 1 << 20:
            return False
        with open(path, "rb") as fh:
            first = fh.readline(512).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    return first.startswith(INIT_HEADERS)


def check_out(out: Path, paths: Sequence[Path], *, overwrite: bool) -> None:
    """Refuse an ``init -o`` target that would destroy an input or a file init did not write.

    Raises
    ------
    OutputError
        ``out`` is one of the inputs (or a part of an input shapefile), exists and is not a
        project file written by ``init`` (even with ``overwrite``), or exists and
        ``overwrite`` is not given.
    """
    from lifecircle.errors import OutputError, notice

    out = Path(out)
    target = out.resolve()
    for p in paths:
        src = Path(p).resolve()
        same_shapefile = (src.suffix.lower() == ".shp" and target.parent == src.parent
                          and target.stem == src.stem)
        if target == src or same_shapefile:
            raise notice(OutputError, "err.init_is_input", out=out)
    if not (out.exists() or out.is_symlink()):
        return
    if not written_by_init(out) or out.is_symlink():
        raise notice(OutputError, "err.init_not_ours", out=out)
    if not overwrite:
        raise notice(OutputError, "err.init_exists", out=out)


def _rel(path: Path, base: Path) -> str:
    try:
        rel = os.path.relpath(Path(path).resolve(), base)
    except ValueError:  # another drive on Windows
        rel = str(Path(path).resolve())
    return rel.replace(os.sep, "/")


def _layer_lines(role: str, a: _Analysed, base: Path, profile: Profile, lang: str,
                 fit: OffsetFit | None = None, has_points: bool = False,
                 around: tuple[float, float, float, float] | None = None) -> list[str]:
    def t(key: str, **values: object) -> str:
        return _t(key, lang, **values)

    r = a.report
    schema = SCHEMAS[role]
    lines = [f"# {choose(ROLE_NAMES[role], lang)}", f"[layers.{role}]",
             f"path = {_q(_rel(r.path, base))}"]
    if r.layer and r.kind == "vector" and r.driver not in ("ESRI Shapefile", "GeoJSON",
                                                           "FlatGeobuf"):
        lines.append(f"layer = {_q(r.layer)}")
    if r.encoding and r.kind == "vector" and r.driver == "ESRI Shapefile":
        how = encoding_how(r.encoding_source, lang)
        sample = f" ({_c(r.encoding_sample)})" if r.encoding_sample else ""
        lines.append(t("init.encoding", encoding=r.encoding.upper(), how=how, sample=sample))
    # coordinate system
    fname = fld.normalise_label(r.path.name)
    named = next((sys for sys, words in OFFSET_HINTS.items()
                  if any(w in fname for w in words)), None)
    crs_problem = r.crs_problems[0] if r.crs_problems else None
    guess, sure = fit.guess() if fit is not None else (None, False)
    if guess is not None and fit is not None:
        p90 = fit.p90_m
        why = t("init.offset_why", given=f"{p90['wgs84']:.0f}", read=f"{p90[guess]:.0f}",
                system=guess, offset=t(f"init.offset.{guess}"))
        todo = "" if sure else t("init.please_check")
        lines.append(f"{todo}source_crs = {_q(guess)}  # {_c(why)}")
    elif named is not None:
        lines.append(f"source_crs = {_q(named)}" + t("init.from_name",
                                                       offset=t(f"init.offset.{named}")))
    elif r.crs is None:
        hint = ""
        if crs_problem is not None and crs_problem.fix:
            fix = crs_problem.fix_text(lang)
            sep = _t("sep.clause", lang)
            hint = sep + _c(fix.split(sep.strip())[-1].strip())
        code = _crs_from_neighbours(a, str(crs_problem or ""), around)
        if code is not None:
            lines.append(f"source_crs = {_q(code)}  # " + t("init.no_crs_fits", code=code))
        else:
            lines.append(t("init.no_crs") + hint)
    elif r.kind == "raster":
        lines.append(t("init.crs_from_file", crs=r.crs))
    else:
        checked = ""
        if fit is not None:
            checked = t("init.no_offset", d=f"{fit.p90_m['wgs84']:.0f}")
        elif "4326" in r.crs or "4490" in r.crs:
            checked = t("init.same_datum")
        lines.append(t("init.crs_from_file", crs=r.crs) + _c(checked))
        if crs_problem is not None:
            lines.append(f"# TODO: {_c(crs_problem.render(lang))}")
    if r.kind == "raster":
        lines.append("")
        return lines
    # fields
    mapping = {f.canonical: f for f in r.fields if f.canonical}
    names = [f.name for f in r.fields]
    id_canon = schema.id_column
    if id_canon and id_canon not in mapping:  # the loader refused a constant id field
        by_name = fld.match_fields(names, role).mapping.get(id_canon)
        found = next((f for f in r.fields if f.name == by_name), None)
        if found is not None:
            mapping[id_canon] = found
    lines.append(f"[layers.{role}.fields]")
    for col in schema.columns:
        canon = col.name
        if canon not in mapping:
            continue
        f = mapping[canon]
        sample = _c(listed(f.samples, lang))
        doubt = _doubt(role, canon, a.frame[f.name], profile, lang) if a.frame is not None \
            else None
        if doubt is not None and canon == id_canon:
            # one value in every row is certainly no id; repeats may be a data error
            todo = "" if _is_constant(a.frame[f.name]) else "TODO: "
            lines.append(f"{canon} = \"auto\"  # {todo}"
                         + t("init.id_auto", field=f.name, doubt=doubt))
            mapping.pop(canon)
            continue
        note = f"  # {sample}" if sample else ""
        if doubt is not None:
            note = f"  # TODO: {_c(doubt)}" + t("init.please_confirm") \
                + (f" ({sample})" if sample else "")
        lines.append(f"{canon} = {_q(f.name)}{note}")
    for canon in schema.todo:
        col = schema.column(canon)
        if canon in mapping or (canon == id_canon and any(
                line.startswith(f"{canon} = ") for line in lines)):
            continue
        if col.rule == "or_points" and has_points:
            lines.append(t(f"init.{canon}_points"))
            continue
        if canon == id_canon:
            lines.append(t("init.id_numbered", column=canon))
            continue
        if canon == "name":  # optional: ids stand in
            lines.append(t("init.name_ids"))
            continue
        known = "/".join(fld.FIELD_NAMES[role][canon][1:6])
        closest = _c(listed(fld.closest(canon, names)[:8], lang)) or t("load.no_fields")
        what_key = f"init.what.{canon}"
        what = t(what_key) if what_key in TEXT else canon
        lines.append(t("init.todo_field", column=canon, what=what, known=known,
                       fields=closest))
    # value tables for values that could not be recognised
    if a.frame is not None:
        lines += _value_lines(role, a, mapping, profile, lang)
    lines.append("")
    return lines


#: Value tables ``init`` writes ``[layers.x.values.<column>]`` TODO lines for.
VALUE_TODO = ("kind", "category", "road_class")


def _value_lines(role: str, a: _Analysed, mapping: dict, profile: Profile,
                 lang: str) -> list[str]:
    assert a.frame is not None
    lines: list[str] = []
    for col in SCHEMAS[role].columns:
        if col.values not in VALUE_TODO or col.name not in mapping:
            continue
        vt = fld.value_table(col.values, profile)
        res = fld.map_values(a.frame[mapping[col.name].name], vt.table, None, vt.contains)
        if not res.unknown:
            continue
        lines.append(f"[layers.{role}.values.{col.name}]"
                     + _t("init.values_header", lang, options=vt.options))
        for val, n in sorted(res.unknown.items(), key=lambda kv: -kv[1]):
            close = fld.closest_labels(val, {k: str(v) for k, v in vt.table.items()})
            near = _c(_t("init.closest", lang, labels=listed(close, lang))) if close else ""
            lines.append(_t("init.value_todo", lang, value=_key(val), n=n, near=near))
    return lines


def _column_of(role: str, canon: str) -> Column | None:
    try:
        return SCHEMAS[role].column(canon)
    except KeyError:
        return None


def _is_constant(series: pd.Series) -> bool:
    vals = series[~series.map(fld.is_blank)].map(fld.norm)
    return len(series) > 1 and vals.nunique() <= 1


def _doubt(role: str, canon: str, series: pd.Series, profile: Profile, lang: str
           ) -> str | None:
    """Why the values of a field recognised by its name do not fit the column, or None.

    Numbers must parse as numbers, yes/no fields must hold yes/no values, coded fields
    (the columns with a value table in the layer schema: urban/rural, road class, status,
    facility type ...) must mostly map, and an id must be unique and not one value repeated.
    """
    def t(key: str, **values: object) -> str:
        return _t(key, lang, **values)

    vals = series[~series.map(fld.is_blank)]
    if vals.empty:
        return t("init.doubt.empty")
    col = _column_of(role, canon)
    if col is None:
        return None
    if col.type == "id":
        text = vals.map(fld.norm)
        if len(series) > 1 and text.nunique() == 1:
            return t("init.doubt.constant", value=vals.iloc[0])
        dup = text[text.duplicated(keep=False)]
        if len(dup) or len(vals) < len(series):
            return t("init.doubt.repeats", value=dup.iloc[0]) if len(dup) \
                else t("init.doubt.blanks")
        return None
    if col.type in ("number", "integer"):
        _, bad = fld.to_number(vals)
        if bad.mean() > 0.05:
            return t("init.doubt.numbers", value=vals[bad].iloc[0])
        return None
    if col.values:
        vt = fld.value_table(col.values, profile)
        res = fld.map_values(vals, vt.table, None, vt.contains)
        unknown = sum(res.unknown.values())
        limit = 0.5 if col.values in ("category", "road_class") else 0.0
        if unknown > limit * len(vals):
            first = next(iter(res.unknown))
            return t("init.doubt.values", n=unknown, column=canon, value=first)
    return None
