"""Chinese and English labels for every user-facing text of the map, report and styles.

Column names of the result layers stay English and stable; these labels are what people
read (legend entries, popup rows, table headers, QGIS field aliases).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lifecircle.profile import Profile

LANGS = ("zh", "en")

#: key -> (Chinese, English). Placeholders use ``str.format`` names.
TEXT: dict[str, tuple[str, str]] = {
    # layer titles
    "layer.communities": ("社区/村", "Communities / villages"),
    "layer.facilities": ("设施", "Facilities"),
    "layer.demand": ("需求点", "Demand points"),
    "layer.roads": ("道路", "Roads"),
    "layer.population": ("人口", "Population"),
    "layer.service_areas": ("服务范围", "Service areas"),
    "layer.gaps": ("服务缺口", "Service gaps"),
    "layer.candidates": ("候选用地", "Candidate sites"),
    "layer.proposed_sites": ("建议新址", "Proposed sites"),
    "layer.summary_district": ("区县汇总", "Summary by district"),
    "layer.summary_township": ("乡镇街道汇总", "Summary by township"),
    "layer.scorecard": ("指标评估表", "Indicator scorecard"),
    "layer.communities_after": ("建议新址实施后的社区覆盖率",
                                "Community coverage with the proposed sites"),
    "layer.facilities_of": ("设施：{category}", "Facilities: {category}"),
    "layer.service_area_of": ("服务范围：{category}", "Service area: {category}"),
    "layer.coverage": ("社区覆盖率", "Community coverage"),
    "layer.basemap": ("OpenStreetMap 底图", "OpenStreetMap"),
    "layer.nobasemap": ("无底图", "No base map"),
    "layer.traveltime": ("出行时间栅格", "Travel-time rasters"),
    "layer.traveltime_of": ("出行时间：{category}", "Travel time: {category}"),
    "layer.tables": ("属性表", "Attribute tables"),
    "band.traveltime": ("到最近{category}的出行时间（分钟）",
                        "travel time to the nearest {category} (minutes)"),
    "layer.service_area_sel": ("所选服务的服务范围", "Service area of the chosen service"),
    "layer.labels": ("社区名称", "Community names"),
    # legend
    "legend.title": ("图例", "Legend"),
    "legend.coverage": ("全部必需服务覆盖率", "Share covered for all required services"),
    "legend.nodata": ("无数据", "no data"),
    "legend.facilities": ("设施类别", "Facility categories"),
    "legend.proposed": ("建议新址（按序号排名）", "Proposed site (ranked)"),
    "legend.gap": ("服务缺口", "Service gap"),
    "legend.service_area": ("服务范围（按类别着色）", "Service area (coloured by category)"),
    "legend.candidate": ("候选用地", "Candidate site"),
    "legend.covered": ("已覆盖", "covered"),
    "legend.road_major": ("主要道路", "major road"),
    "legend.road_minor": ("次要道路", "minor road"),
    "legend.coverage_of": ("覆盖率：{category}", "Share covered: {category}"),
    "legend.after": ("（建议新址实施后）", " (with the proposed sites)"),
    "legend.facilities_one": ("现状设施", "Existing facility"),
    "legend.service_area_of": ("服务范围（{limit}）", "Service area ({limit})"),
    "legend.limit": ("{circle} {minutes} 分钟", "{circle}: {minutes} min"),
    "legend.cluster": ("聚合的设施（数字为个数，点击放大）",
                       "Grouped facilities (count; click to zoom in)"),
    "legend.gap_one": ("该服务的缺口", "Gaps of this service"),
    "legend.not_covered": ("未覆盖", "not covered"),
    # coverage classes
    "cov.c0": ("低于 50%", "below 50%"),
    "cov.c1": ("50%–80%", "50%–80%"),
    "cov.c2": ("80%–95%", "80%–95%"),
    "cov.c3": ("95%–99.9%", "95%–99.9%"),
    "cov.c4": ("100%", "100%"),
    # values
    "kind.urban": ("城市社区", "urban community"),
    "kind.rural": ("农村社区", "rural community"),
    "status.existing": ("现状", "existing"),
    "status.planned": ("规划", "planned"),
    "score.pass": ("达标", "pass"),
    "score.fail": ("未达标", "fail"),
    "score.no data": ("无数据", "no data"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "none": ("无", "none"),
    "unreachable": ("不可达", "unreachable"),
    "minutes": ("{value} 分钟", "{value} min"),
    "people": ("{value} 人", "{value} people"),
    # popups
    "popup.coverage": ("各类服务覆盖率", "Coverage per service"),
    "popup.missing": ("无人可达的服务", "Services no resident reaches"),
    "popup.partial": ("未覆盖全部居民的服务", "Services not reaching every resident"),
    "popup.rank": ("第 {rank} 位建议新址", "Proposed site no. {rank}"),
    # map
    "map.title": ("社区生活圈服务评估", "Community life-circle assessment"),
    "map.fullscreen": ("全屏", "Full screen"),
    "map.exit_fullscreen": ("退出全屏", "Exit full screen"),
    "map.service": ("服务", "Service"),
    "map.all_services": ("全部必需服务", "All required services"),
    "map.with_sites": ("显示建议新址实施后的覆盖率", "Show coverage with the proposed sites"),
    "map.search": ("查找社区/村名称", "Find a community by name"),
    "map.gain_people": ("{n} 处建议新址新增覆盖 {value} 人。", "{n} proposed sites newly cover "
                        "{value} people."),
    "map.gain_all": ("全部必需服务覆盖率 {before} → {after}。",
                     " Covered for all required services: {before} → {after}."),
    # report
    "report.title": ("社区生活圈评估报告", "Community life-circle report"),
    "report.synthetic": (
        "注意：本报告使用的是合成演示数据，不代表任何真实地区的实际情况。",
        "Note: this report uses synthetic demo data; it describes no real place."),
    "report.run": ("运行信息", "Run"),
    "report.overview": ("概况", "Overview"),
    "report.n_communities": ("社区/村数量", "Communities / villages"),
    "report.population": ("人口", "Population"),
    "report.cov_all_urban": ("城市社区全部服务覆盖率", "Urban: covered for all required services"),
    "report.cov_all_rural": ("农村社区全部服务覆盖率", "Rural: covered for all required services"),
    "report.scorecard": ("表1 指标评估（2025 年目标）", "Table 1 indicators (2025 targets)"),
    "report.scorecard_note": (
        "“无数据”表示输入数据不足以计算该指标，不作估计。",
        "\"no data\" means the input data cannot measure the indicator; nothing is guessed."),
    "report.charts": ("图表", "Charts"),
    "report.chart_coverage": ("各类服务的人口覆盖率（按人口加权）",
                              "Population covered per service (population-weighted)"),
    "report.chart_times": ("出行时间分布：{circle}", "Travel-time distribution: {circle}"),
    "report.chart_times_note": (
        "箱体为 25%–75% 人口分位，竖线为中位数，须线为 10%–90%；虚线为生活圈时限。",
        "Box: 25th-75th population percentile; bar: median; whiskers: 10th-90th; "
        "dashed line: the circle's time limit."),
    "report.no_demand": ("没有需求点数据，无法绘制出行时间分布。",
                         "No demand points: no travel-time distribution."),
    "report.coverage_district": ("各区县覆盖率", "Coverage by district"),
    "report.coverage_township": ("各乡镇街道覆盖率", "Coverage by township"),
    "report.coverage_communities": ("各社区/村覆盖率", "Coverage by community"),
    "report.proposed": ("建议新址", "Proposed sites"),
    "report.no_proposed": ("没有建议新址（未运行选址或无需新址）。",
                           "No proposed sites (planner not run or nothing to add)."),
    "report.plan": ("选址模型", "Location model"),
    "report.profile": ("采用的标准配置", "Standards profile used"),
    "report.profile_file": ("配置文件", "Profile file"),
    "report.circles": ("生活圈", "Circles"),
    "report.modes": ("出行方式", "Travel modes"),
    "report.categories": ("服务类别", "Service categories"),
    "report.inputs": ("输入数据", "Input data"),
    "report.no_inputs": ("未提供输入数据信息。", "No input information given."),
    "report.warnings": ("数据警告", "Data warnings"),
    "report.no_warnings": ("没有数据警告。", "No data warnings."),
    "report.files": ("CSV 表格", "CSV tables"),
    "report.source": ("来源", "Source"),
    "report.required_by": ("要求的生活圈", "Required by"),
    "report.not_required": ("不要求（仅用于指标或规划）", "none (indicators or planning only)"),
    "report.key": ("项目", "Item"),
    "report.value": ("值", "Value"),
    "report.speed": ("速度 (km/h)", "Speed (km/h)"),
    "report.forbidden": ("禁行道路等级", "Forbidden road classes"),
    "report.limit": ("时限 (分钟)", "Limit (min)"),
    "report.mode": ("出行方式", "Mode"),
    "report.generated": ("生成于 {time}", "Generated {time}"),
    "report.summary": ("摘要", "Summary"),
    "report.map_overview": ("全域社区覆盖率（全部必需服务）、服务缺口与建议新址",
                            "Coverage of every community (all required services), gaps and "
                            "proposed sites"),
    "report.no_scorecard": ("未计算表1指标。", "Table 1 was not computed."),
    "report.sc.no": ("序号", "No."),
    "report.sc.name": ("指标", "Indicator"),
    "report.sc.target": ("目标", "Target"),
    "report.sc.value": ("现状", "Current"),
    "report.sc.status": ("评价", "Status"),
    "report.sc.note": ("说明", "Note"),
    "report.sc.source": ("依据", "Basis"),
    "report.sc_footnote": (
        "“依据”对应标准配置文件 {file} 中的条目（表1 第 N 项即 [indicators.N]）；"
        "各社区的逐项结果见 scorecard_communities.csv。",
        "\"Basis\" refers to entries of the profile file {file} (Table 1 item N is "
        "[indicators.N]); per-community results are in scorecard_communities.csv."),
    "report.src_table1": ("表1 第 {n} 项", "Table 1, item {n}"),
    "report.src_space": ("社区服务用房面积标准", "service floor-area standard"),
    "report.src_profile": ("标准配置", "standards profile"),
    "report.charts_md": ("图表见 report.html。", "Charts: see report.html."),
    "report.district": ("{name}", "{name}"),
    "report.district_line": ("{n} 个社区/村，人口 {pop}；全部必需服务覆盖率 {share}。",
                             "{n} communities, population {pop}; covered for all required "
                             "services: {share}."),
    "report.district_worst": ("覆盖率最低的服务：{items}。",
                              " Least covered services: {items}."),
    "report.appendix_communities": ("附录：各社区/村覆盖率", "Appendix: coverage by community"),
    "report.appendix_note": (
        "按区县分组；颜色与地图相同。全部数据另见 coverage_communities.csv。",
        "Grouped by district; colours as on the map. All values are also in "
        "coverage_communities.csv."),
    "summary.region": ("评估范围共 {n} 个社区/村，常住人口 {pop} 人。",
                       "The area has {n} communities with {pop} residents."),
    "summary.circle": (
        "{kind}（{minutes} 分钟生活圈）：{n} 个有居民的社区中 {full} 个的全部居民"
        "都能在时限内到达全部必需服务；按人口计全部必需服务覆盖率 {share}。",
        "{kind} ({minutes}-minute circle): in {full} of {n} inhabited communities every "
        "resident reaches every required service in time; population covered for all "
        "required services: {share}."),
    "summary.gaps": ("主要缺口（未覆盖人口最多的服务）：{items}。",
                     "Main gaps (services leaving the most residents uncovered): {items}."),
    "summary.gap_item": ("{name} {people} 人（{n} 个社区）", "{name}: {people} people in {n} "
                         "communities"),
    "summary.no_gaps": ("所有必需服务均覆盖全部居民。", "Every required service reaches every "
                        "resident."),
    "summary.sites": ("{n} 处建议新址新增覆盖 {people} 人", "{n} proposed sites newly cover "
                      "{people} people"),
    "summary.sites_change": ("，覆盖率 {items}", "; coverage {items}"),
    "summary.sites_all": ("；全部必需服务覆盖率 {before} → {after}。",
                          "; covered for all required services {before} → {after}."),
    "summary.table1": ("表1 的 {n} 项全域指标中 {passed} 项达标、{failed} 项未达标、"
                       "{nodata} 项无数据。",
                       "Of Table 1's {n} region-wide indicators {passed} pass, {failed} fail "
                       "and {nodata} have no data."),
    "unit.个": ("个", ""),
    "unit.人": ("人", "people"),
    "unit.m²": ("m²", "m²"),
    "plan.model.mclp": ("最大覆盖模型", "maximal covering"),
    "plan.model.cmclp": ("带容量的最大覆盖模型", "capacitated maximal covering"),
    "plan.model.setcover": ("集合覆盖模型（最少新址）", "set covering (fewest sites)"),
    "plan.model.pmedian": ("P 中位模型（总出行时间最短）", "p-median (least total travel time)"),
    "plan.status.optimal": ("最优解", "optimal"),
    "plan.status.time_limit": ("达到时间上限时的可行解", "feasible at the time limit"),
    "plan.status.greedy": ("贪心算法解", "greedy solution"),
    "plan.solver.highs": ("HiGHS 整数规划", "HiGHS MILP"),
    "plan.solver.greedy": ("贪心算法", "greedy"),
    "plan.solver.trivial": ("无需求解", "nothing to solve"),
    "plan.gap_unknown": ("未知（无下界）", "unknown (no bound)"),
    "road.motorway": ("高速公路", "motorway"), "road.trunk": ("快速路", "trunk road"),
    "road.primary": ("主干路", "primary road"), "road.secondary": ("次干路", "secondary road"),
    "road.tertiary": ("支路", "tertiary road"), "road.residential": ("居住区道路", "residential"),
    "road.service": ("内部道路", "service road"),
    "road.unclassified": ("其他道路", "unclassified"), "road.track": ("机耕路", "track"),
    "road.path": ("步行小路", "path"),
}

#: Column labels (aliases) of the result layers; ``cov_<key>``/``t_<key>`` are built.
FIELDS: dict[str, tuple[str, str]] = {
    "cid": ("社区编号", "community id"),
    "did": ("需求点编号", "demand point id"),
    "fid": ("设施编号", "facility id"),
    "cand_id": ("候选编号", "candidate id"),
    "name": ("名称", "name"),
    "kind": ("类型", "type"),
    "district": ("区县", "district"),
    "township": ("乡镇街道", "township"),
    "population": ("人口", "population"),
    "households": ("户数", "households"),
    "circle_min": ("生活圈时限(分钟)", "circle limit (min)"),
    "mode": ("出行方式", "travel mode"),
    "cov_all": ("全部服务覆盖率", "covered for all services"),
    "missing": ("无人可达的服务", "services no resident reaches"),
    "n_missing": ("无人可达的服务数", "services no resident reaches (count)"),
    "worst_min": ("最远服务时间(分钟)", "longest time to a service (min)"),
    "category": ("类别", "category"),
    "category_name": ("类别名称", "category name"),
    "status": ("状态", "status"),
    "snapped": ("已接入路网", "snapped to road"),
    "access_m": ("接入距离(米)", "access distance (m)"),
    "covered_all": ("全部服务可达", "reaches all services"),
    "circle": ("生活圈", "circle"),
    "minutes": ("时间(分钟)", "minutes"),
    "n_points": ("需求点数", "demand points"),
    "priority": ("优先级", "priority"),
    "is_idle_asset": ("闲置公共资产", "idle public asset"),
    "source": ("来源", "source"),
    "rank": ("排名", "rank"),
    "categories": ("服务类别", "services"),
    "new_population": ("新覆盖人口", "newly covered population"),
    "communities": ("社区数", "communities"),
    "nearest_road_m": ("距最近道路(米)", "distance to road (m)"),
    "road_class": ("道路等级", "road class"),
    "indicator": ("指标编号", "indicator"),
    "target": ("目标值", "target"),
    "value": ("现状值", "value"),
    "unit": ("单位", "unit"),
    "scope": ("范围", "scope"),
    "note": ("说明", "note"),
    "year": ("目标年份", "target year"),
    "x": ("X 坐标(米)", "x (m)"),
    "y": ("Y 坐标(米)", "y (m)"),
    "lon": ("经度", "longitude"),
    "lat": ("纬度", "latitude"),
}

#: Column labels that differ by layer.
LAYER_FIELDS: dict[tuple[str, str], tuple[str, str]] = {
    ("proposed_sites", "communities"): ("受益社区", "communities that gain"),
    ("service_areas", "minutes"): ("时限(分钟)", "time limit (min)"),
    ("gaps", "population"): ("未覆盖人口", "population not covered"),
    ("gaps", "households"): ("未覆盖户数", "households not covered"),
}


#: Scorecard notes (accessibility.scorecard writes them in English): Chinese renderings.
#: Placeholders in ``{}`` take the numbers and names of the note.
SCORECARD_NOTES: tuple[tuple[str, str], ...] = (
    (r"inside the community or reached within its circle", "社区内设置或在生活圈时限内可达"),
    (r"coverage not computed: facilities inside the community only",
     "未计算可达性：仅统计社区内设施"),
    (r"(\d+) communit(?:y|ies) without data left out", "{0} 个无数据的社区未计入"),
    (r"(\d+) communities without township left out", "{0} 个无乡镇街道信息的社区未计入"),
    (r"(\d+) of (\d+) townships", "{1} 个乡镇街道中 {0} 个达标"),
    (r"without: (.*)", "未达标：{0}"),
    (r"no community with data", "没有社区有数据"),
    (r"no community with both floor area and households", "没有同时具有面积和户数的社区"),
    (r"(\d+) facilities outside every community not counted",
     "{0} 处位于所有社区之外的设施未计入"),
    (r"facilities only", "仅按设施统计"),
    (r"attribute only", "仅按属性统计"),
    (r"no data for this community", "本社区无数据"),
    (r"`(\w+)` unknown for this community", "本社区缺少 {0} 数据"),
    (r"no `(\w+)` facility in the facilities layer", "设施图层中没有 {0} 类设施"),
    (r"no `(\w+)` column in the communities layer", "社区图层没有 {0} 字段"),
    (r"no `(\w+)` of the communities", "社区缺少 {0} 信息"),
    (r"the profile entry names no `field`", "标准配置条目未指定字段"),
    (r"no urban communities", "没有城市社区"),
    (r"no rural communities", "没有农村社区"),
)


def scorecard_note(note: str, lang: str = "zh") -> str:
    """A scorecard note in ``lang``: parts joined by ``; `` translated one by one (a part
    with no rendering is kept as written)."""
    import re

    if lang != "zh" or not note:
        return note
    out = []
    for part in note.split("; "):
        for pattern, zh in SCORECARD_NOTES:
            m = re.fullmatch(pattern, part.strip())
            if m:
                out.append(zh.format(*m.groups()))
                break
        else:
            out.append(part)
    return "；".join(out)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise ``ValueError`` naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'zh' or 'en'")
    return lang


def t(key: str, lang: str = "zh", **values: Any) -> str:
    """Label ``key`` in ``lang``, formatted with ``values`` (plain text, not escaped).

    Unknown keys return the key itself so a missing label shows rather than crashes.
    """
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**values) if values else text


def category_name(key: str, profile: Profile, lang: str = "zh") -> str:
    """Display name of a category key from the profile catalogue (the key when unknown)."""
    cats: Mapping[str, Any] = getattr(profile, "categories", {}) or {}
    cat = cats.get(key)
    return cat.name(lang) if cat is not None else str(key)


def field_label(column: str, profile: Profile | None = None, lang: str = "zh",
                layer: str | None = None) -> str:
    """Human label of a result-layer column (``cov_<key>`` and ``t_<key>`` included).

    Parameters
    ----------
    column
        Column name of a result layer.
    profile
        The standards profile (category names for ``cov_``/``t_`` columns).
    lang
        ``zh`` or ``en``.
    layer
        Result layer name, for columns whose meaning depends on the layer.
    """
    pair = LAYER_FIELDS.get((layer or "", column)) or FIELDS.get(column)
    if pair is not None:
        return pair[0] if lang == "zh" else pair[1]
    if column.startswith("cov_"):
        name = category_name(column[4:], profile, lang)
        return f"覆盖率：{name}" if lang == "zh" else f"coverage: {name}"
    if column.startswith("t_"):
        name = category_name(column[2:], profile, lang)
        return f"时间(分钟)：{name}" if lang == "zh" else f"minutes to {name}"
    return column


def value_label(column: str, value: Any, lang: str = "zh") -> str | None:
    """Translated label of a coded value (kind, status, ...), or None when not coded."""
    if column == "kind" and value in ("urban", "rural"):
        return t(f"kind.{value}", lang)
    if column == "status" and value in ("existing", "planned"):
        return t(f"status.{value}", lang)
    if column == "status" and value in ("pass", "fail", "no data"):
        return t(f"score.{value}", lang)
    return None
