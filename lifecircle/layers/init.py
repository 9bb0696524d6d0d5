"""``lifecircle init``: write a project file from a set of layers by recognising them.

Each layer is inspected (:mod:`lifecircle.layers.inspect`), assigned to the input role it
fits best (geometry type, recognised fields, category values, file name), and its fields
are mapped to the canonical columns. Whatever cannot be recognised is written as a line
starting with ``# TODO:`` so the planner sees exactly what is left to fill in.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from lifecircle.layers import fields as fld
from lifecircle.layers.inspect import ROLE_NAMES, SIDECARS, _Analysed, analyse
from lifecircle.project import DEFAULT_PROFILE, LAYER_KEYS, Profile, load_profile

#: Canonical columns worth a TODO line when not recognised (others are optional).
IMPORTANT: dict[str, tuple[str, ...]] = {
    "communities": ("population", "name", "kind", "cid"),
    "facilities": ("category", "name"),
    "roads": ("road_class",),
    "population": ("population",),
    "candidates": ("name",),
}
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


def _assign(items: Sequence[_Analysed]) -> dict[str, _Analysed]:
    """Give each role the layer that fits it best (greedy on the scores, one layer each)."""
    pairs = []
    for i, a in enumerate(items):
        for role, score in a.report.role_scores.items():
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
    zh = lang != "en"

    def t(a: str, b: str) -> str:
        return a if zh else b

    profile = profile or load_profile()
    out = Path(out)
    items: list[_Analysed] = []
    for p in paths:
        items.extend(a for a in analyse(Path(p), profile=profile) if a.report.driver)
    roles = _assign(items)
    base = out.parent.resolve()
    lines = [
        t("# lifecircle 项目文件，由 `lifecircle init` 根据以下数据生成：",
          "# lifecircle project file, written by `lifecircle init` from:"),
        *(_c(f"#   {Path(p)}") for p in paths if Path(p).suffix.lower() not in SIDECARS),
        t("# 需要补充或确认的行在下方已标出（行首为待办标记），补好后删去该标记。",
          "# Lines needing your attention are marked below; fill them in and remove the "
          "marker."),
        t("# 检查：lifecircle check <本文件>", "# Check it with: lifecircle check <this file>"),
        "",
        "[project]",
        f"name = {_q(_project_name(items, out))}",
        f"profile = {_q(DEFAULT_PROFILE)}",
        f"working_crs = {_q('auto')}" + t("  # 自动选用以数据为中心的横轴墨卡托投影（米）",
                                          "  # a transverse Mercator centred on the data (m)"),
        f"lang = {_q('zh' if zh else 'en')}",
        "",
    ]
    for role in LAYER_KEYS:
        a = roles.get(role)
        zh_name, en_name = ROLE_NAMES[role]
        if a is None:
            if LAYER_KEYS[role]:
                lines += [t(f"# TODO: [layers.{role}]  # 必需：未找到{zh_name}图层",
                            f"# TODO: [layers.{role}]  # required: no {en_name} layer found"),
                          t(f"# TODO: path = \"{zh_name}.shp\"",
                            f"# TODO: path = \"{role}.shp\""), ""]
            elif role == "population":
                lines += [t("# 可选：人口栅格（GeoTIFF）或人口点图层；缺省时按社区人口沿道路均分",
                            "# optional: a population raster (GeoTIFF) or points; without it "
                            "community population is spread along its roads"),
                          "# [layers.population]", "# path = \"population.tif\"", ""]
            continue
        lines += _layer_lines(role, a, base, profile, zh)
    unused = [a for a in items if a not in roles.values()]
    if unused:
        lines.append(t("# 未使用的图层（无法判断用途）：", "# layers not used (role unclear):"))
        for a in unused:
            r = a.report
            lines.append(_c(f"#   {_rel(r.path, base)}" + (f" [{r.layer}]" if r.layer else "")))
    text = "\n".join(lines).rstrip() + "\n"
    out.write_text(text, encoding="utf-8")
    return text


def _project_name(items: Sequence[_Analysed], out: Path) -> str:
    for a in items:
        if a.frame is None:
            continue
        for f in a.report.fields:
            if f.canonical == "district" and f.samples:
                return f.samples[0]
    name = out.resolve().parent.name
    return name or "project"


def _rel(path: Path, base: Path) -> str:
    try:
        rel = os.path.relpath(Path(path).resolve(), base)
    except ValueError:  # another drive on Windows
        rel = str(Path(path).resolve())
    return rel.replace(os.sep, "/")


def _layer_lines(role: str, a: _Analysed, base: Path, profile: Profile, zh: bool) -> list[str]:
    def t(x: str, y: str) -> str:
        return x if zh else y

    r = a.report
    zh_name, en_name = ROLE_NAMES[role]
    lines = [t(f"# {zh_name}", f"# {en_name}"), f"[layers.{role}]",
             f"path = {_q(_rel(r.path, base))}"]
    if r.layer and r.kind == "vector" and r.driver not in ("ESRI Shapefile", "GeoJSON",
                                                           "FlatGeobuf"):
        lines.append(f"layer = {_q(r.layer)}")
    if r.encoding and r.kind == "vector" and r.driver == "ESRI Shapefile":
        how = {"cpg": t("按 .cpg", "from the .cpg"),
               "detected": t("无 .cpg，按字节识别", "no .cpg, detected from the bytes"),
               "corrected": t(".cpg 与内容不符", "the .cpg contradicts the bytes")}.get(
                   r.encoding_source, r.encoding_source)
        sample = f" ({_c(r.encoding_sample)})" if r.encoding_sample else ""
        lines.append(t(f"# 编码：{r.encoding.upper()}（{how}）{sample}；如有乱码请设置 encoding",
                       f"# encoding: {r.encoding.upper()} ({how}){sample}; set encoding if "
                       "names look garbled"))
    # coordinate system
    fname = fld.normalise_label(r.path.name)
    offset = next((sys for sys, words in OFFSET_HINTS.items()
                   if any(w in fname for w in words)), None)
    crs_problem = next((p for p in r.problems if "coordinate" in p or "CRS" in p
                        or "degrees" in p), None)
    if offset is not None:
        lines.append(f"source_crs = {_q(offset)}" + t(
            "  # 根据文件名推断为"
            f"{'高德/腾讯 GCJ-02' if offset == 'gcj02' else '百度 BD-09'}，请确认",
            f"  # guessed from the file name ({offset}); please check"))
    elif r.crs is None:
        hint = ""
        if crs_problem and "fix:" in crs_problem:
            hint = "; " + _c(crs_problem.split("fix:", 1)[1].rsplit("; ", 1)[-1].strip())
        lines.append(t("# TODO: source_crs = \"cgcs2000\"  # 文件没有坐标系（缺 .prj）",
                       "# TODO: source_crs = \"cgcs2000\"  # the file has no CRS (no .prj)")
                     + hint)
    elif r.kind == "raster":
        lines.append(t(f"# 坐标系取自文件：{r.crs}", f"# CRS from the file: {r.crs}"))
    else:
        lines.append(t(f"# 坐标系取自文件：{r.crs}；"
                       "高德/百度坐标请设 source_crs = \"gcj02\"/\"bd09\"",
                       f"# CRS from the file: {r.crs}; for Amap/Baidu data set source_crs = "
                       "\"gcj02\"/\"bd09\""))
        if crs_problem:
            lines.append(f"# TODO: {_c(crs_problem)}")
    if r.kind == "raster":
        lines.append("")
        return lines
    # fields
    mapping = {f.canonical: f for f in r.fields if f.canonical}
    names = [f.name for f in r.fields]
    lines.append(f"[layers.{role}.fields]")
    for canon in fld.FIELD_NAMES[role]:
        if canon in mapping:
            f = mapping[canon]
            sample = _c(", ".join(f.samples))
            lines.append(f"{canon} = {_q(f.name)}" + (f"  # {sample}" if sample else ""))
    for canon in IMPORTANT.get(role, ()):
        if canon in mapping:
            continue
        known = "/".join(fld.FIELD_NAMES[role][canon][1:6])
        closest = _c(", ".join(fld.closest(canon, names)[:8])) or t("（无字段）", "(no fields)")
        what = {"population": t("人口", "residents"), "name": t("名称", "names"),
                "kind": t("城市/农村（缺省时按名称推断：以“村”结尾为农村）",
                          "urban/rural (else inferred from names ending in 村)"),
                "cid": t("唯一编码（缺省时自动编号）", "unique code (else numbered)"),
                "category": t("设施类型", "facility type"),
                "road_class": t("道路等级（缺省时全部按 unclassified）",
                                "road class (else all 'unclassified')")}[canon]
        lines.append(f"# TODO: {canon} = \"\"  # {what}; " + t(f"常见字段名 {known}；现有字段：",
                                                              f"usual names {known}; fields: ")
                     + closest)
    # value tables for values that could not be recognised
    if a.frame is not None:
        lines += _value_lines(role, a, mapping, profile, zh)
    lines.append("")
    return lines


def _value_lines(role: str, a: _Analysed, mapping: dict, profile: Profile,
                 zh: bool) -> list[str]:
    def t(x: str, y: str) -> str:
        return x if zh else y

    assert a.frame is not None
    specs = {"communities": [("kind", fld.KIND_VALUES, fld.kind_contains, "urban|rural")],
             "facilities": [("category", fld.category_table(profile),
                             fld.category_matcher(profile), "|".join(list(profile.categories)[:4])
                             + "|...")],
             "roads": [("road_class", fld.ROAD_VALUES, fld.road_contains,
                        "primary|secondary|tertiary|residential|...")]}.get(role, [])
    lines: list[str] = []
    for canon, table, contains, options in specs:
        if canon not in mapping:
            continue
        res = fld.map_values(a.frame[mapping[canon].name], table, None, contains)
        if not res.unknown:
            continue
        lines.append(f"[layers.{role}.values.{canon}]" + t(
            f"  # 未识别的取值：填写对应的 {options}",
            f"  # values not recognised: give {options}"))
        for val, n in sorted(res.unknown.items(), key=lambda kv: -kv[1]):
            close = fld.closest_labels(val, {k: str(v) for k, v in table.items()})
            near = _c(t("；相近：", "; closest: ") + ", ".join(close)) if close else ""
            lines.append(f"# TODO: {_key(val)} = \"\"  # {n}" + t(" 行", " rows") + near)
    return lines
