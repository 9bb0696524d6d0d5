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
    "layer.over_capacity": ("超负荷设施", "Facilities over capacity"),
    "layer.proposed_capacity": ("建议新址的服务规模", "Capacity of the proposed sites"),
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
    # labels of per-category columns (i18n.field_label)
    "field.sup_": ("每千人供给(2SFCA)：{name}", "supply per 1,000 (2SFCA): {name}"),
    "field.esup_": ("每千人供给(E2SFCA)：{name}", "supply per 1,000 (E2SFCA): {name}"),
    "field.gcov_": ("重点人群覆盖率：{name}", "target-group coverage: {name}"),
    "field.d_cov_": ("覆盖率变化：{name}", "change in coverage: {name}"),
    "field.cov_": ("覆盖率：{name}", "coverage: {name}"),
    "field.t_": ("时间(分钟)：{name}", "minutes to {name}"),
    "layer.traveltime_of": ("出行时间：{category}", "Travel time: {category}"),
    "layer.tables": ("属性表", "Attribute tables"),
    "layer.notices": ("注意事项", "Notices"),
    "style.default": ("lifecircle 默认样式", "lifecircle default style"),
    "notice.crs_distortion": (
        "工作坐标系 {crs} 在数据范围内使距离失真 {err}：所有距离、出行时间和覆盖率都有同样大小的"
        "偏差（因 accept_crs_distortion = true 而保留）；修正：working_crs = \"auto\"",
        "the working coordinate system {crs} distorts distances at the data by {err}: every "
        "distance, travel time and coverage figure is off by as much (kept because "
        "accept_crs_distortion = true); fix: working_crs = \"auto\""),
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
    "legend.over_capacity": ("超负荷设施（负荷超过服务规模）",
                             "Facility over capacity (load above its capacity)"),
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
    # coverage classes (outputs.styles: a share on an edge is in the class above it)
    "cov.c0": ("低于 50%", "below 50%"),
    "cov.c1": ("50%–79.9%", "50%–79.9%"),
    "cov.c2": ("80%–94.9%", "80%–94.9%"),
    "cov.c3": ("95%–99.9%", "95%–99.9%"),
    "cov.c4": ("100%", "100%"),
    # values
    "kind.urban": ("城市社区", "urban community"),
    "kind.rural": ("农村社区", "rural community"),
    "status.existing": ("现状", "existing"),
    "status.planned": ("规划", "planned"),
    "score.pass": ("达标", "pass"),
    # scorecard notes (why a number is partial or missing)
    "score.note.join": ("{a}；{b}", "{a}; {b}"),
    "score.note.inside_or_reached": ("社区内设置或在生活圈时限内可达",
                                     "inside the community or reached within its circle"),
    "score.note.inside_only": ("未计算可达性：仅统计社区内设施",
                               "coverage not computed: facilities inside the community only"),
    "score.note.excluded_one": ("{n} 个无数据的社区未计入", "{n} community without data left out"),
    "score.note.excluded": ("{n} 个无数据的社区未计入", "{n} communities without data left out"),
    "score.note.no_township": ("{n} 个无乡镇街道信息的社区未计入",
                               "{n} communities without township left out"),
    "score.note.no_district": ("{n} 个无区县信息的社区未计入",
                               "{n} communities without district left out"),
    "score.note.townships": ("{total} 个乡镇街道中 {n} 个达标", "{n} of {total} townships"),
    "score.note.districts": ("{total} 个区县中 {n} 个达标", "{n} of {total} districts/counties"),
    "score.note.without": ("未达标：{names}", "without: {names}"),
    "score.note.no_community_data": ("没有社区有数据", "no community with data"),
    "score.note.no_area_households": ("没有同时具有面积和户数的社区",
                                      "no community with both floor area and households"),
    "score.note.partial_area": ("{n} 个社区的部分设施面积未知",
                                "{n} communities with some facility floor areas unknown"),
    "score.note.outside": ("{n} 处位于所有社区之外的设施未计入",
                           "{n} facilities outside every community not counted"),
    "score.note.facilities_only": ("仅按设施统计", "facilities only"),
    "score.note.attribute_only": ("仅按属性统计", "attribute only"),
    "score.note.no_data_here": ("本社区无数据", "no data for this community"),
    "score.note.unknown_here": ("本社区缺少 {field} 数据", "`{field}` unknown for this community"),
    "score.note.unknown_pop_here": ("本社区缺少 {field} 或人口数据",
                                    "`{field}` or population unknown for this community"),
    "score.note.no_facility": ("设施图层中没有 {cat} 类设施",
                               "no `{cat}` facility in the facilities layer"),
    "score.note.no_column": ("社区图层没有 {field} 字段",
                             "no `{field}` column in the communities layer"),
    "score.note.empty_column": ("社区图层的 {field} 字段为空",
                                "`{field}` is empty in the communities layer"),
    "score.note.no_of_communities": ("社区缺少 {field} 信息", "no `{field}` of the communities"),
    "score.note.no_field": ("标准配置条目未指定字段", "the profile entry names no `field`"),
    "score.note.no_urban": ("没有城市社区", "no urban communities"),
    "score.note.no_urban_rural": ("没有城市居民或没有农村居民", "no urban or no rural residents"),
    "score.note.no_rural": ("没有农村社区", "no rural communities"),
    "score.note.no_communities": ("没有社区", "no communities"),
    "score.note.no_space_area": (
        "社区图层的 facility_area_m2 字段为空，且没有已知的 community_center 设施面积",
        "`facility_area_m2` is empty and no community_center floor area is known"),
    "score.note.unknown_method": ("未知的计算方法 {method}", "unknown method {method}"),
    "score.space.urban_m2_per_100_households": (
        "城市社区服务用房每百户{v:g}m²达标率",
        "urban communities with {v:g} m² per 100 households"),
    "score.space.rural_renovated_m2": ("农村社区服务用房{v:g}m²(改造)达标率",
                                       "rural communities with {v:g} m² (renovated)"),
    "score.space.rural_new_build_m2": ("农村社区服务用房{v:g}m²(新建)达标率",
                                       "rural communities with {v:g} m² (new build)"),
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
    "map.zoom_in": ("放大", "Zoom in"),
    "map.zoom_out": ("缩小", "Zoom out"),
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
    # report tables: run info, inputs, plan summary (rows, table titles, columns)
    "report.runinfo.project": ("项目", "project"),
    "report.runinfo.project_file": ("项目文件", "project file"),
    "report.runinfo.profile": ("标准配置", "profile"),
    "report.runinfo.working_crs": ("工作坐标系", "working CRS"),
    "report.runinfo.started": ("开始时间", "started"),
    "report.runinfo.seconds": ("用时(秒)", "duration (s)"),
    "report.runinfo.version": ("lifecircle 版本", "lifecircle version"),
    "report.runinfo.synthetic": ("合成演示数据", "synthetic demo data"),
    "report.runinfo.lang": ("语言", "language"),
    "report.runinfo.command": ("命令", "command"),
    "report.input.key": ("图层", "layer"),
    "report.input.layer_key": ("图层", "layer"),
    "report.input.path": ("路径", "path"),
    "report.input.layer": ("数据层", "source layer"),
    "report.input.driver": ("格式", "format"),
    "report.input.encoding": ("编码", "encoding"),
    "report.input.source_crs": ("源坐标系", "source CRS"),
    "report.input.rows_read": ("读取行数", "rows read"),
    "report.input.rows_dropped": ("剔除行数", "rows dropped"),
    "report.input.rows_repaired": ("修复行数", "rows repaired"),
    "report.input.crs": ("坐标系", "CRS"),
    "report.input.encoding_source": ("编码来源", "encoding from"),
    "report.input.rows_converted": ("转为点的行数", "rows converted to points"),
    "report.input.fields": ("字段对应", "fields used"),
    "report.input.bounds_lonlat": ("经纬度范围", "extent (lon/lat)"),
    "report.input.raster": ("栅格", "raster"),
    "report.planinfo.model": ("模型", "model"),
    "report.planinfo.categories": ("服务类别", "categories"),
    "report.planinfo.sites": ("新址数量", "sites"),
    "report.planinfo.status": ("求解状态", "status"),
    "report.planinfo.objective": ("目标函数值", "objective"),
    "report.planinfo.gap": ("最优性差距", "optimality gap"),
    "report.planinfo.seconds": ("求解用时(秒)", "solve time (s)"),
    "report.planinfo.solver": ("求解器", "solver"),
    "report.planinfo.new_population": ("新覆盖人口", "newly covered population"),
    "report.planinfo.unreachable_population": ("任何候选都无法覆盖的人口",
                                               "population no candidate reaches"),
    "report.plancol.category": ("服务类别", "category"),
    "report.plancol.population": ("人口", "population"),
    "report.plancol.covered_before": ("规划前覆盖人口", "covered before"),
    "report.plancol.share_before": ("规划前覆盖率", "share before"),
    "report.plancol.covered_after": ("规划后覆盖人口", "covered after"),
    "report.plancol.share_after": ("规划后覆盖率", "share after"),
    "report.plancol.new_population": ("新覆盖人口", "newly covered"),
    "report.plancol.reason": ("原因", "reason"),
    "report.plancol.points": ("需求点数", "demand points"),
    "report.plantable.coverage": ("规划前后覆盖", "coverage before and after"),
    "report.plantable.unreached": ("任何候选都无法覆盖的人口", "residents no candidate reaches"),
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
    "report.within_min": ("{pct} ≤ {m:g}分", "{pct} ≤ {m:g} min"),
    "report.head_within_min": ("≤ {m:g} 分", "≤ {m:g} min"),
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
    # command line: progress lines and the run summary
    "progress.layers": ("读取并校验图层", "reading and validating layers"),
    "progress.networks": ("构建道路网络：{modes}", "building road networks: {modes}"),
    "progress.demand": ("生成需求点", "placing demand"),
    "progress.times": ("计算出行时间", "travel times"),
    "progress.coverage": ("统计覆盖率与评分", "coverage and scorecard"),
    "progress.assess": ("供需、重点人群、均衡与情景", "supply, target groups, equity, scenarios"),
    "progress.plan": ("选址规划（{model}）：{names}", "site planning ({model}): {names}"),
    "progress.areas": ("绘制服务范围", "drawing service areas"),
    "progress.rasters": ("写出出行时间栅格", "writing travel-time rasters"),
    "progress.gpkg": ("写出 GeoPackage", "writing the GeoPackage"),
    "progress.map": ("生成网页地图", "building the web map"),
    "progress.report": ("生成报告", "writing the report"),
    "progress.partitions": ("分区计算出行时间：{n} 个分区（按{by}）",
                            "travel times by partition: {n} partitions (by {by})"),
    "progress.partition_sets": ("分区计算候选点覆盖集：{n} 个分区",
                                "candidate coverage sets by partition: {n} partitions"),
    "cli.error": ("错误：", "error: "),
    "cli.internal": ("内部错误：", "internal error: "),
    "cli.internal_text": ("{kind}：{text}（用 --verbose 查看详情并报告此问题）",
                          "{kind}: {text} (rerun with --verbose and report it)"),
    "cli.os_error": ("{where}：{reason}；修正：检查路径、权限和磁盘空间",
                     "{where}: {reason}; fix: check the path, permissions and free disk space"),
    "cli.os_error_any": ("{reason}；修正：检查路径、权限和磁盘空间",
                         "{reason}; fix: check the path, permissions and free disk space"),
    "cli.interrupted": ("已中断：未写入任何结果，原有结果保持不变。",
                        "interrupted: nothing written, any previous result left intact."),
    "cli.no_path": ("{path} 不存在", "{path} does not exist"),
    "cli.exists": ("{out} 已存在；修正：加 --overwrite 以替换", "{out} exists; fix: add "
                   "--overwrite to replace it"),
    "cli.init_written": ("已写入 {out}（{n} 处 TODO 待填写）",
                         "wrote {out} ({n} TODO items to fill in)"),
    "cli.profile_counts": ("（{circles} 个生活圈，{categories} 类服务）",
                           "({circles} circles, {categories} categories)"),
    "cli.profile_circles": ("生活圈：", "circles:"),
    "cli.profile_circle": ("分钟，{mode}{speed}", "min by {mode}{speed}"),
    "cli.profile_modes": ("出行方式：", "modes:"),
    "cli.profile_banned": ("禁行：{classes}", "not on: {classes}"),
    "cli.profile_categories": (
        "服务类别（键、名称、别名 — 图层和 --category 中均可使用；所需生活圈）：",
        "categories (key, names, aliases — any of them works in a layer and with --category; "
        "circles requiring it):"),
    "cli.profile_written": ("已写入 {out}；在项目文件中设 profile = \"{out}\"",
                            "wrote {out}; set profile = \"{out}\" in the project file"),
    "cli.compare_district": ("{district}：全部服务覆盖率变化 {change} 个百分点",
                             "{district}: covered for all services {change} points"),
    "run.headline": ("{project}：{n} 个社区/村，人口 {pop}",
                     "{project}: {n} communities/villages, population {pop}"),
    "run.cov_all": ("全部必需服务均可达的人口比例：城市 {urban}，农村 {rural}",
                    "population reaching every required service: urban {urban}, rural {rural}"),
    "run.col.category": ("服务类别", "category"),
    "run.col.urban": ("城市覆盖率", "urban covered"),
    "run.col.rural": ("农村覆盖率", "rural covered"),
    "run.col.urban_uncovered": ("城市未覆盖人口", "urban uncovered"),
    "run.col.rural_uncovered": ("农村未覆盖人口", "rural uncovered"),
    "run.sites": ("建议新址：", "proposed sites:"),
    "run.site": ("新址 {rank}：{name}{idle}，新覆盖 {pop} 人",
                 "site {rank}: {name}{idle}, newly covers {pop} residents"),
    "run.idle": ("（闲置资产）", " (idle public asset)"),
    "run.warnings": ("数据警告 {n} 条：", "{n} data warnings:"),
    "run.more_warnings": ("…… 另有 {n} 条（见报告）", "... {n} more (see the report)"),
    "run.written": ("结果已写入 {out}", "results written to {out}"),
    "run.map": ("网页地图：{uri}", "map: {uri}"),
    "run.report": ("评估报告：{uri}", "report: {uri}"),
    "run.took": ("用时 {s} 秒", "took {s} s"),
    # data warnings (errors.Note): what was found, where, and what to do
    "warn.demand_far": (
        "{circle}：{n} 个需求点距离道路超过 {m} 米（人口 {pop}），视为不可达",
        "{circle}: {n} demand points are farther than {m} m from any road (population "
        "{pop}); counted as unreachable"),
    "warn.pieces": (
        "{circle}：{mode}道路网络分为 {pieces} 块，{pop} 人住在与主网络不相连的 {n} 块上，"
        "只能到达本块内的设施；修正：连接断开的道路（路口缝隙可调 network.snap_tolerance_m）",
        "{circle}: the {mode} road network is in {pieces} pieces; {pop} residents live on "
        "{n} piece(s) cut off from the largest one and reach only facilities on their piece; "
        "fix: join the roads (gaps at junctions: network.snap_tolerance_m)"),
    "warn.demand.empty_raster": (
        "{n} 个社区内没有有人口的栅格像元：人口放在一个代表点上（{cids}）",
        "{n} communities with no populated raster cell inside: population placed on one "
        "representative point ({cids})"),
    "warn.demand.empty_points": (
        "{n} 个社区内没有需求点：人口放在一个代表点上（{cids}）",
        "{n} communities with no demand point inside: population placed on one "
        "representative point ({cids})"),
    "warn.demand.empty_frontage": (
        "{n} 个社区内没有道路：人口放在一个代表点上（{cids}）",
        "{n} communities with no road inside: population placed on one representative point "
        "({cids})"),
    "warn.demand.negative": ("人口栅格 {name}：{n} 个负值像元已忽略",
                             "population raster {name}: {n} cells with negative values were "
                             "ignored"),
    "warn.demand.overlap_cells": ("社区相互重叠：{n} 个栅格像元位于多个社区内，归入第一个社区",
                                  "communities overlap: {n} raster cells lie in more than one "
                                  "community and were given to the first"),
    "warn.demand.raster_used": (
        "{n} 个社区在社区图层中没有人口：采用栅格人口（{cids}）",
        "{n} communities have no population in the community layer: the raster's population "
        "was used for them ({cids})"),
    "warn.demand.points_nan": ("人口点：{n} 个没有人口的点已忽略",
                               "population points: {n} points without a population were "
                               "ignored"),
    "warn.demand.points_no_geometry": ("人口点：{n} 行没有几何，已忽略",
                                       "population points: {n} rows without geometry were "
                                       "ignored"),
    "warn.demand.overlap_points": ("社区相互重叠：{n} 个人口点位于多个社区内，归入第一个社区",
                                   "communities overlap: {n} population points lie in more "
                                   "than one community and were given to the first"),
    "warn.demand.outside": ("人口点：{n} 个点（{pop} 人）不在任何社区内",
                            "population points: {pop} people in {n} points lie outside every "
                            "community"),
    "warn.demand.rescaled": ("人口点在 {n} 个相差超过 {tol} 的社区中已按社区总人口缩放",
                             "population points rescaled to the community totals in {n} "
                             "communities that differed by more than {tol}"),
    "warn.demand.differ": (
        "人口点与社区图层人口在 {n} 个社区中相差超过 {tol}（人口点 {points}，图层 {layer}；"
        "相差最大：{cid} {got} 对 {want}）；人口点按原样保留",
        "population points differ from the community layer's population by more than {tol} "
        "in {n} communities (points {points} vs layer {layer}; largest: {cid} {got} vs "
        "{want}); the points were kept as given"),
    "warn.demand.no_population": ("{n} 个没有人口的社区不生成需求点（{cids}）",
                                  "{n} communities without population get no demand points "
                                  "({cids})"),
    "warn.demand.no_roads": ("没有人口栅格或人口点，也没有道路：每个社区的人口放在一个代表点上",
                             "no population raster or points and no roads: each community's "
                             "population placed on one representative point"),
    "warn.cov.no_times": ("没有 {categories} 的出行时间：视为不可达（没有这些类别的设施？）",
                          "no travel times for {categories}: treated as unreachable (no "
                          "facilities of these categories?)"),
    "warn.cov.no_row": ("出行时间：{n} 个需求点没有数据行，视为不可达",
                        "travel times: {n} demand points have no row: treated as "
                        "unreachable"),
    "warn.plan.no_candidates": (
        "没有候选点，无法提出新增点位（请提供候选用地图层或生成候选点）",
        "no candidate sites, nothing to propose (give a candidates layer or generate "
        "candidates)"),
    "warn.plan.off_road": ("{n} 个候选点距离道路超过 {m:g} 米，未参与选址 ({ids})",
                           "{n} candidates are farther than {m:g} m from a road and were left "
                           "out ({ids})"),
    "warn.plan.setcover_capacity": ("集合覆盖模型不考虑设施容量",
                                    "set covering ignores site capacities"),
    "warn.plan.few_candidates": ("候选点只有 {n} 个，少于 {sites} 个新增点位",
                                 "only {n} candidates for {sites} new sites"),
    "warn.plan.time_limit": ("求解达到时间上限 {s:g} 秒，最优性差距 {gap:.2%}",
                             "the solver stopped at the {s:g} s time limit with an optimality "
                             "gap of {gap:.2%}"),
    "warn.plan.greedy": ("求解在 {s:g} 秒内未得到可行解，采用贪心算法结果（非最优）",
                         "no solver solution within {s:g} s: the greedy solution is used (not "
                         "proven optimal)"),
    "warn.plan.spacing_widened": (
        "生成候选点的间距由 {first:g} 米放宽到 {wide:g} 米，以保持候选点不超过 {room} 个",
        "generated candidate spacing widened from {first:g} m to {wide:g} m to keep at most "
        "{room} candidates"),
    "warn.plan.none_generated": (
        "没有生成候选点：{pop:,.0f} 名未覆盖居民；候选点沿路每 {step:g} 米一个，"
        "距未覆盖居民 {near:g} 米内（圈层直线可达 {reach:g} 米的一半）；{cause}；解决：{fix}",
        "no candidate sites generated: {pop:,.0f} uncovered residents; candidates are placed "
        "every {step:g} m along roads within {near:g} m of them (half the circle's straight "
        "reach of {reach:g} m); {cause}; fix: {fix}"),
    "warn.plan.none_near_sites": ("沿路 {n} 个位置都在已有{what}设施 {m:g} 米以内",
                                  "all {n} road positions lie within {m:g} m of an existing "
                                  "{what} site"),
    "warn.plan.none_no_road": ("未覆盖人口 {near:g} 米内没有可用道路",
                               "no usable road lies within {near:g} m of the uncovered "
                               "residents"),
    "warn.facility_far": (
        "设施 {fid}（{name}）距离{mode}可用的道路超过 {m} 米，未计入",
        "facility {fid} ({name}) is farther than {m} m from a road usable by {mode}; not "
        "counted"),
    "unit.个": ("个", ""),
    "unit.m2_per_100_households": ("m²/100户", "m²/100 households"),
    # separators: a list (、), clauses (；), a label and its text (：), a list in a CSV cell
    "sep.list": ("、", ", "),
    "sep.clause": ("；", "; "),
    "sep.colon": ("：", ": "),
    "sep.cell": ("、", "; "),
    "sep.alt": ("／", " / "),
    "where.field": ("{where}，字段 {field}", "{where}, field {field}"),
    "where.part": ("{where}，{part}", "{where}, {part}"),
    "toml.at": ("第 {line} 行第 {col} 列：{reason}", "line {line}, column {col}: {reason}"),
    "html.lang": ("zh-CN", "en"),
    "sep.more": ("（另 {n} 个）", " (+{n} more)"),
    "sep.rows": ("第 {rows} 行", "rows {rows}"),
    "sep.row": ("第 {rows} 行", "row {rows}"),
    "sep.rows_more": ("（另 {n} 行）", " (+{n} more)"),
    "sep.paren": ("（{text}）", " ({text})"),
    "unit.人": ("人", "people"),
    "unit.m²": ("m²", "m²"),
    "unit.百分点": ("百分点", "percentage points"),
    "unit.percentage points": ("百分点", "percentage points"),
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
    "plan.new_site": ("新选址", "new site"),
    "solver.what.mclp": ("最大覆盖模型", "maximal covering model"),
    "solver.what.cmclp": ("带容量的最大覆盖模型", "capacitated maximal covering model"),
    "solver.what.setcover": ("集合覆盖模型", "set covering model"),
    "solver.what.pmedian": ("P 中位模型", "p-median model"),
    # the Dask cluster (--scheduler)
    "dask.what.times": ("出行时间", "travel times"),
    "dask.what.sets": ("候选用地覆盖集合", "candidate coverage sets"),
    "err.dask.local_n": ("--scheduler {scheduler}：本机 worker 数须为不小于 1 的整数；"
                         "修正：如 --scheduler local:4",
                         "--scheduler {scheduler}: the number of local workers must be a whole "
                         "number >= 1; fix: e.g. --scheduler local:4"),
    "err.dask.address": ("--scheduler {scheduler}：不是调度器地址；修正：给出 tcp://HOST:PORT"
                         "（由 `dask scheduler` 打印）或 local[:N]",
                         "--scheduler {scheduler}: not a scheduler address; fix: give "
                         "tcp://HOST:PORT (printed by `dask scheduler`) or local[:N]"),
    "err.dask.jobs_local": ("--jobs {jobs} 与 --scheduler {scheduler}：给出了两个不同的本机 worker "
                            "数；修正：只给一个（--scheduler local:{jobs}，或去掉 --jobs）",
                            "--jobs {jobs} with --scheduler {scheduler}: two different numbers "
                            "of local workers; fix: give one of them (--scheduler "
                            "local:{jobs}, or drop --jobs)"),
    "err.dask.jobs_remote": ("--jobs {jobs} 与 --scheduler {address}：并行由集群的 worker 完成，"
                             "本命令无法设定其数量；修正：去掉 --jobs 并设定集群规模（`dask worker "
                             "ADDRESS --nworkers N --nthreads 1`），或使用 --scheduler local:N",
                             "--jobs {jobs} with --scheduler {address}: the cluster's workers "
                             "do the parallel work and this command cannot size them; fix: "
                             "drop --jobs and size the cluster (`dask worker ADDRESS --nworkers "
                             "N --nthreads 1`), or use --scheduler local:N"),
    "err.dask.missing": ("--scheduler 需要 dask.distributed，但未安装；修正：pip install "
                         "'lifecircle[dask]'",
                         "--scheduler needs dask.distributed, which is not installed; fix: "
                         "pip install 'lifecircle[dask]'"),
    "err.dask.unreachable": ("--scheduler {address}：{s} 秒内该地址没有 Dask 调度器应答"
                             "（{error}）；修正：用 `dask scheduler` 启动调度器，用 `dask worker "
                             "{address}` 启动 worker，检查主机、端口和防火墙，或使用 "
                             "--scheduler local",
                             "--scheduler {address}: no Dask scheduler answers at this address "
                             "within {s} s ({error}); fix: start one with `dask scheduler` and "
                             "workers with `dask worker {address}`, check the host, port and "
                             "firewall, or use --scheduler local"),
    "err.dask.no_workers": ("--scheduler {address}：{s} 秒后调度器仍没有 worker；修正：用 "
                            "`dask worker {address}` 启动 worker（每个都须安装 lifecircle）",
                            "--scheduler {address}: the scheduler has no workers after {s} s; "
                            "fix: start some with `dask worker {address}` (each with lifecircle "
                            "installed)"),
    "err.dask.lost_versions": ("--scheduler {address}：查询 worker 版本时与调度器断开（{error}）；"
                               "修正：检查调度器是否在运行",
                               "--scheduler {address}: lost the scheduler while asking the "
                               "workers' versions ({error}); fix: check the scheduler is "
                               "running"),
    "err.dask.worker_broken": ("worker {worker}：无法运行 lifecircle（{error}）；修正：在该 worker "
                               "的环境中 pip install lifecircle=={version}（含 [dask] 扩展）",
                               "worker {worker}: cannot run lifecircle ({error}); fix: pip "
                               "install lifecircle=={version} (with the [dask] extra) in the "
                               "worker's environment"),
    "err.dask.versions": ("worker {worker}：软件包版本与本机不同：{diff}；修正：在每个 worker 上"
                          "安装相同版本（pip install {pins}），或在 worker 的环境中运行本命令",
                          "worker {worker}: package versions differ from this client: {diff}; "
                          "fix: install the same versions on every worker (pip install {pins}) "
                          "or run the client in the workers' environment"),
    "err.dask.worker_died": ("worker {where} 在计算分区 {which} 的{what}时崩溃（任务重试后每次都使"
                             "worker 崩溃）；修正：给 worker 更多内存（`dask worker "
                             "--memory-limit`），把分区划得更细（--partition-by township），"
                             "并查看 worker 日志找原因",
                             "worker {where} died while computing {what} of partition {which} "
                             "(the task was retried and killed its worker each time); fix: "
                             "give the workers more memory (`dask worker --memory-limit`), "
                             "split the partitions finer (--partition-by township), and check "
                             "the worker's log for the cause"),
    "err.dask.dropped": ("计算{what}时有 worker 崩溃或集群丢弃了任务（{error}）；修正：给 worker "
                         "更多内存（`dask worker --memory-limit`），查看 worker 日志，然后重新运行",
                         "a worker died or the cluster dropped the work while computing {what} "
                         "({error}); fix: give the workers more memory (`dask worker "
                         "--memory-limit`), check the workers' logs, then run again"),
    "err.dask.lost": ("计算{what}时与 Dask 调度器断开（{error}）；修正：检查调度器仍在运行且可达，"
                      "然后重新运行",
                      "lost the Dask scheduler while computing {what} ({error}); fix: check "
                      "the scheduler is still running and reachable, then run again"),
    "err.dask.partition_by": ("--partition-by {by}：修正：使用 {known} 之一",
                              "--partition-by {by}: fix: use one of {known}"),
    "err.dask.search": ("选址模型的搜索范围超过生活圈时限的 {factor} 倍，超出分区的缓冲带；"
                        "修正：在单机上运行该模型（不用 --scheduler）",
                        "the planner searches beyond {factor} times a circle's minutes, wider "
                        "than the partitions' halo; fix: run this model on one machine "
                        "(without --scheduler)"),
    "err.solver.rejected": ("HiGHS 拒绝了{what}（{rows} 行，{cols} 列）：状态 {status}；"
                            "修正：请作为缺陷报告",
                            "HiGHS rejected the {what} ({rows} rows, {cols} columns): status "
                            "{status}; fix: report this as a bug"),
    "err.solver.failed": ("HiGHS 求解{what}失败：模型状态 {status}；修正：请连同输入数据作为"
                          "缺陷报告",
                          "HiGHS failed on the {what}: model status {status}; fix: report "
                          "this as a bug with the input"),
    "err.solver.unsolved": ("HiGHS 无法求解{what}：模型状态 {status}；修正：检查输入（服务规模、"
                            "预算、新址数量）",
                            "HiGHS could not solve the {what}: model status {status}; fix: "
                            "check the inputs (capacities, budget, number of sites)"),
    "err.solver.inconsistent": ("HiGHS 给出的{what}解不一致（模型状态 {status}）；修正：请作为"
                                "缺陷报告",
                                "HiGHS returned an inconsistent solution for the {what} "
                                "(model status {status}); fix: report this as a bug"),
    "err.solver.greedy": ("贪心集合覆盖：部分需求无法覆盖；修正：求解前去掉无法到达的需求",
                          "greedy set covering: some demand cannot be covered; fix: remove "
                          "unreachable demand before solving"),
    "plan.reason.no candidate within reach": ("圈内无候选用地", "no candidate within reach"),
    "plan.reason.disconnected road piece": ("道路网络不连通", "disconnected road piece"),
    "plan.reason.off-network": ("远离道路", "off-network"),
    "road.motorway": ("高速公路", "motorway"), "road.trunk": ("快速路", "trunk road"),
    "road.primary": ("主干路", "primary road"), "road.secondary": ("次干路", "secondary road"),
    "road.tertiary": ("支路", "tertiary road"), "road.residential": ("居住区道路", "residential"),
    "road.service": ("内部道路", "service road"),
    "road.unclassified": ("其他道路", "unclassified"), "road.track": ("机耕路", "track"),
    "road.path": ("步行小路", "path"),
}

#: Error messages (``lifecircle.errors.notice`` / ``Problem.of``): each names the file, key
#: or value and ends with the fix; ``<key>.fix`` is the fix of a ``Problem.of`` message.
ERRORS: dict[str, tuple[str, str]] = {
    "err.fix": ("修正：", "fix: "),
    "err.problems": ("{n} 个问题；第一个：", "{n} problems; first: "),
    # result folder
    "err.out.no_crs": ("成果图层 {layer}：没有坐标系；修正：写出前为 GeoDataFrame 设置工作坐标系",
                       "result layer {layer}: no CRS; fix: set the working CRS on the "
                       "GeoDataFrame before writing"),
    "err.out.geotiff": ("{path}：无法写出 GeoTIFF（{error}）；修正：检查文件夹存在且可写，且该文件"
                        "没有在别处打开",
                        "{path}: cannot write the GeoTIFF ({error}); fix: check the folder "
                        "exists and is writable, and that the file is not open elsewhere"),
    "err.out.gpkg": ("{path}：无法写出（{error}）；修正：选择可写的文件夹",
                     "{path}: cannot write ({error}); fix: choose a writable folder"),
    "err.out.gpkg_layer": ("{path}：无法写出图层 {layer}（{error}）；修正：选择可写且有空闲空间的"
                           "文件夹",
                           "{path}: cannot write layer {layer} ({error}); fix: choose a writable "
                           "folder with free space"),
    "err.out.gpkg_open": ("{path}：无法打开以添加样式（{error}）；修正：检查该文件",
                          "{path}: cannot open to add styles ({error}); fix: check the file"),
    "err.out.gpkg_styles": ("{path}：无法添加 layer_styles 表（{error}）；修正：检查该文件是可写的 "
                            "GeoPackage",
                            "{path}: cannot add the layer_styles table ({error}); fix: check the "
                            "file is a GeoPackage and writable"),
    "err.out.report": ("{out}：无法写出报告（{error}）；修正：选择可写且有空闲磁盘空间的文件夹",
                       "{out}: cannot write the report ({error}); fix: choose a writable folder "
                       "with free disk space"),
    "err.out.csv": ("{out}：无法写出 CSV 表格（{error}）；修正：选择可写且有空闲磁盘空间的文件夹",
                    "{out}: cannot write the CSV tables ({error}); fix: choose a writable folder "
                    "with free disk space"),
    "err.out.map": ("{path}：无法写出地图（{error}）；修正：选择可写的文件夹",
                    "{path}: cannot write the map ({error}); fix: choose a writable folder"),
    "err.out.qgis": ("{path}：无法写出 QGIS 项目（{error}）；修正：选择可写且有空闲磁盘空间的"
                     "文件夹",
                     "{path}: cannot write the QGIS project ({error}); fix: choose a writable "
                     "folder with free disk space"),
    "err.out_has_input": (
        "{out}：输出文件夹中有输入文件 {input}；修正：用 -o 另选一个文件夹（输入文件从不被覆盖）",
        "{out}: the output folder holds the input {input}; fix: choose another folder with -o "
        "(inputs are never overwritten)"),
    "err.out_is_cwd": (
        "{out}：是当前文件夹或其上级文件夹，不能作为结果文件夹替换；修正：用 -o 指定一个新的文件夹",
        "{out}: is the current folder or one of its parents and cannot be replaced by a "
        "result; fix: give a new folder with -o"),
    "err.out_not_folder": ("{out}：已存在且不是文件夹；修正：用 -o 另选一个文件夹",
                           "{out}: exists and is not a folder; fix: choose another -o folder"),
    "err.out_exists": (
        "{out}：结果文件夹已存在；修正：加 --overwrite 替换它，或用 -o 另选一个文件夹",
        "{out}: result folder exists; fix: add --overwrite to replace it, or choose another "
        "-o folder"),
    "err.out_unreadable": ("{out}：无法读取文件夹内容（{reason}）；修正：用 -o 另选一个文件夹",
                           "{out}: cannot list the folder ({reason}); fix: choose another -o "
                           "folder"),
    "err.out_not_result": (
        "{out}：不是 lifecircle 结果文件夹（没有标记文件 {marker}），--overwrite 只替换空文件夹"
        "或以前的结果；修正：用 -o 指定新的或空的文件夹，或自行删除该文件夹",
        "{out}: not a lifecircle result folder (no {marker} marker); --overwrite replaces only "
        "an empty folder or a previous result; fix: give a new or empty folder with -o, or "
        "delete the folder yourself"),
    "err.out_foreign": (
        "{out}：含有并非 lifecircle 写入的文件 {name}，--overwrite 不会替换该文件夹；修正：把 "
        "{name} 移出该文件夹，或用 -o 另选一个文件夹",
        "{out}: holds {name}, which lifecircle did not write, so --overwrite does not replace "
        "the folder; fix: move {name} out of it or choose another -o folder"),
    "err.out_locked": (
        "{out}：另一个 lifecircle 进程（进程号 {pid}）正在写入这个结果文件夹；修正：等它结束，"
        "或用 -o 另选一个文件夹",
        "{out}: another lifecircle run (process {pid}) is writing this result folder; fix: "
        "wait for it to finish or choose another -o folder"),
    "err.parent_create": ("{parent}：无法创建文件夹（{reason}）；修正：用 -o 指定可写的文件夹",
                          "{parent}: cannot create the folder ({reason}); fix: choose a "
                          "writable -o folder"),
    "err.parent_is_file": ("{parent}：是文件而不是文件夹；修正：-o 应位于已有的文件夹中",
                           "{parent}: is a file, not a folder; fix: choose an -o folder inside "
                           "an existing folder"),
    "err.parent_no_write": ("{parent}：没有写入权限；修正：用 -o 指定可写的文件夹",
                            "{parent}: no write permission; fix: choose a writable -o folder"),
    "err.out_cannot_create": (
        "{out}：无法在 {parent} 中创建文件夹（{reason}）；修正：用 -o 指定可写的文件夹",
        "{out}: cannot create a folder in {parent} ({reason}); fix: choose a writable -o "
        "folder"),
    "err.gpkg_aliases": ("{path}：无法写入字段别名（{reason}）；修正：检查文件是可写的 GeoPackage",
                         "{path}: cannot add the field aliases ({reason}); fix: check the file "
                         "is a writable GeoPackage"),
    "err.disk_full": ("{out}：写出结果时磁盘已满；修正：释放磁盘空间，或用 -o 另选一个文件夹",
                      "{out}: disk full while writing results; fix: free disk space or choose "
                      "another -o folder"),
    # init -o
    "err.init_exists": ("{out}：已存在；修正：加 --overwrite 替换它（它是 lifecircle init "
                        "写的项目文件），或用 -o 另选文件名",
                        "{out}: exists; fix: add --overwrite to replace it (it is a project "
                        "file lifecircle init wrote), or choose another -o file name"),
    "err.init_not_ours": (
        "{out}：已存在且不是 lifecircle init 写的项目文件，不会被覆盖（--overwrite 也不会）；"
        "修正：用 -o 另选一个文件名",
        "{out}: exists and is not a project file lifecircle init wrote, so it is never "
        "overwritten (not even with --overwrite); fix: choose another -o file name"),
    "err.init_is_input": (
        "{out}：是输入文件之一，不会被覆盖；修正：用 -o 另选一个文件名（如 project.toml）",
        "{out}: is one of the input files and is never overwritten; fix: choose another -o "
        "file name (e.g. project.toml)"),
    # bounded reads
    "err.not_regular": (
        "{path}：不是普通文件，而是{kind}，不会读取；修正：给出数据文件的路径",
        "{path}: is {kind}, not a regular file, and is not read; fix: give the path of a "
        "data file"),
    "err.file_too_large": (
        "{path}：{size} 字节，超过{what}的上限 {limit} 字节；修正：检查是否给错了文件",
        "{path}: {size} bytes, more than the limit of {limit} bytes for a {what}; fix: check "
        "that this is the right file"),
    "err.too_many_features": (
        "{path}：文件头声明 {n} 个要素，超过上限 {limit}；修正：把图层裁剪到研究区域，"
        "或检查文件是否损坏",
        "{path}: its header declares {n} features, more than the limit of {limit}; fix: clip "
        "the layer to the study area, or check the file is not damaged"),
    "err.raster_too_large": (
        "{path}：{where}要读取 {cells} 个像元（文件头：{width} x {height}，分辨率 {res}），"
        "超过上限 {limit}；修正：把栅格裁剪到研究区域或重采样为较粗的格网"
        "（如 gdalwarp -tr 100 100 -r sum）",
        "{path}: reading it {where} means {cells} cells (header: "
        "{width} x {height}, resolution {res}), more than the limit of {limit}; fix: clip the "
        "raster to the study area or resample it to a coarser grid (e.g. gdalwarp -tr 100 100 "
        "-r sum)"),
    "err.raster_bad_header": (
        "{path}：文件头不合理（{width} x {height} 像元，分辨率 {res}）；修正：检查栅格文件是否损坏",
        "{path}: implausible header ({width} x {height} cells, resolution {res}); fix: check "
        "the raster is not damaged"),
    "err.layer_not_regular": ("{path} 是{kind}，不是普通文件，不会读取",
                              "{path} is {kind}, not a regular file, and is not read"),
    "err.layer_not_regular.fix": ("给出数据文件的路径", "give the path of a data file"),
    # numbers of the project and profile
    "err.number_range": ("必须是不小于 {lo} 且不大于 {hi} 的有限数值，当前为 {value}",
                         "must be a finite number >= {lo} and <= {hi}, got {value}"),
    "err.number_range.fix": ("给出{what}", "give {what}"),
    "err.number_above": ("必须是大于 {lo} 且不大于 {hi} 的有限数值，当前为 {value}",
                         "must be a finite number > {lo} and <= {hi}, got {value}"),
    "err.number_above.fix": ("给出{what}", "give {what}"),
    # TOML files (project file, profile)
    "err.toml.not_found": ("{path}：文件不存在；修正：检查路径", "{path}: file not found; fix: "
                           "check the path"),
    "err.toml.folder": ("{path}：是文件夹，不是{what}；修正：给出其中的 .toml 文件{hint}",
                        "{path}: is a folder, not a {what}; fix: give the .toml file inside "
                        "it{hint}"),
    "err.toml.unreadable": ("{path}：无法读取（{reason}）；修正：检查权限",
                            "{path}: cannot read ({reason}); fix: check permissions"),
    "err.toml.not_utf8": ("{path}：不是 UTF-8 文本（第 {byte} 字节）；修正：把{what}保存为 UTF-8",
                          "{path}: not UTF-8 text (byte {byte}); fix: save the {what} as "
                          "UTF-8"),
    "err.toml.syntax": ("{path}：TOML 语法错误，{reason}；修正：改正所示的行",
                        "{path}: TOML syntax error: {reason}; fix: correct the line shown"),
    # reading layers (GDAL's own words are quoted as they are)
    "err.read.zip": ("{path}：不是可读取的 zip 压缩包（「{reason}」）；"
                     "修正：重新压缩，或解压后指定 .shp",
                     "{path}: not a readable zip archive ({reason}); fix: re-create the "
                     "archive or unpack it and name the .shp"),
    "err.read.vector": (
        "{path}：无法作为矢量图层打开（GDAL：「{reason}」）；修正：确认文件是 Shapefile（旁边有 "
        ".shx 和 .dbf）、GeoPackage、GeoJSON 或 FlatGeobuf",
        "{path}: cannot open as a vector layer ({reason}); fix: check the file is a Shapefile "
        "(with .shx and .dbf beside it), GeoPackage, GeoJSON or FlatGeobuf"),
    "err.read.zip_empty": ("{path}：压缩包中没有 .shp、.gpkg、.geojson 或 .fgb；修正：把 .shp "
                           "与 .shx、.dbf、.prj（及 .cpg）一起压缩",
                           "{path}: the zip archive holds no .shp, .gpkg, .geojson or .fgb; "
                           "fix: zip the .shp with its .shx, .dbf, .prj (and .cpg)"),
    "err.read.zip_many": ("{path}：含 {n} 个 Shapefile（{names}），但没有指定图层；修正：在项目"
                          "文件中设 layer = \"<名称>\"",
                          "{path}: holds {n} shapefiles ({names}) and no layer is named; fix: "
                          "set layer = \"<name>\" in the project file"),
    "err.read.no_layer": ("{path}：没有图层 {layer}；现有图层：{names}；"
                          "修正：把 layer 设为其中之一",
                          "{path}: no layer {layer}; layers: {names}; fix: set layer to one of "
                          "these"),
    "err.read.many_layers": ("{path}：含 {n} 个图层（{names}），但没有指定图层；修正：在项目文件中"
                             "设 layer = \"<名称>\"",
                             "{path}: holds {n} layers ({names}) and none is named; fix: set "
                             "layer = \"<name>\" in the project file"),
    "err.read.layer": ("{path}：无法读取图层 {layer}（GDAL：「{reason}」）；修正：检查文件",
                       "{path}: cannot read layer {layer} ({reason}); fix: check the file"),
    "err.read.encoding": ("{path}：未知的编码 {value}；修正：使用 \"gbk\"、\"gb18030\" 或 "
                          "\"utf-8\"",
                          "{path}: unknown encoding {value}; fix: use \"gbk\", \"gb18030\" or "
                          "\"utf-8\""),
    "err.read.part_missing": (
        "{path}：旁边缺少 {part}（{what}）；修正：把 {part} 与 .shp 一起复制（Shapefile 由 "
        ".shp、.shx、.dbf 以及 .prj、.cpg 组成）",
        "{path}: {part} (the {what}) is missing beside it; fix: copy {part} together with the "
        ".shp (a shapefile is .shp + .shx + .dbf, with .prj and .cpg)"),
    "err.read.not_part": ("{path}：不是 Shapefile 的组成文件（{size} 字节，没有文件头）；修正：重新"
                          "复制或导出完整的 Shapefile",
                          "{path}: not a shapefile part ({size} bytes, no shapefile header); "
                          "fix: copy or export the complete shapefile again"),
    "err.read.truncated": ("{path}：文件不完整（{size} 字节，文件头声明 {declared}）；修正：重新"
                           "复制或导出完整的 Shapefile",
                           "{path}: truncated ({size} bytes, its header says {declared}); fix: "
                           "copy or export the complete shapefile again"),
    "err.read.dbf_header": ("{path}：文件不完整（{size} 字节，没有 DBF 文件头）；修正：重新复制或"
                            "导出完整的 Shapefile",
                            "{path}: truncated ({size} bytes, no DBF header); fix: copy or "
                            "export the complete shapefile again"),
    "err.read.dbf_truncated": ("{path}：文件不完整（{size} 字节，文件头声明 {n} 条记录共 "
                               "{declared} 字节）；修正：重新复制或导出完整的 Shapefile",
                               "{path}: truncated ({size} bytes, its header says {declared} "
                               "for {n} records); fix: copy or export the complete shapefile "
                               "again"),
    "err.read.zip_member": ("{path}：无法读取压缩包中的 {name}.dbf/.cpg（「{reason}」）；修正："
                            "重新制作压缩包",
                            "{path}: cannot read {name}.dbf/.cpg in the archive ({reason}); "
                            "fix: re-create the zip archive"),
    "err.read.frame": ("{path}：无法读取（GDAL：「{reason}」）；修正：确认文件能在 QGIS 中打开",
                       "{path}: cannot read ({reason}); fix: check the file opens in QGIS"),
    "err.read.no_geometry": ("{path}：没有几何字段；修正：给出点、线或面图层",
                             "{path}: has no geometry column; fix: give a layer with points, "
                             "lines or polygons"),
    "err.read.no_sheet": ("{path}：工作簿中没有含数据的工作表；修正：检查文件",
                          "{path}: the workbook has no sheet with data; fix: check the file"),
    "err.read.many_sheets": ("{path}：含 {n} 个工作表（{names}），但没有指定；修正：在项目文件中设 "
                             "layer = \"<工作表>\"",
                             "{path}: holds {n} sheets ({names}) and none is named; fix: set "
                             "layer = \"<sheet>\" in the project file"),
    "err.read.sheet": ("{path}：没有工作表 {layer}；现有工作表：{names}；"
                       "修正：把 layer 设为其中之一",
                       "{path}: no sheet {layer}; sheets: {names}; fix: set layer to one of "
                       "these"),
    "err.read.csv_encoding": ("{path}：文本既不是 UTF-8 也不是 GBK/GB18030；修正：另存为 UTF-8 "
                              "CSV，或为该图层设置 encoding",
                              "{path}: the text is neither UTF-8 nor GBK/GB18030; fix: save the "
                              "table as UTF-8 CSV, or set encoding for this layer"),
    "err.read.table": ("{path}：无法读取表格（「{reason}」）；修正：另存为带表头的 UTF-8 CSV",
                       "{path}: cannot read the table ({reason}); fix: save it as a UTF-8 CSV "
                       "with a header row"),
    "err.read.no_xy": ("{path}：没有坐标列（列：{columns}）；修正：把坐标列命名为 经度/纬度 "
                       "（lon/lat）或 x/y，或在 QGIS 中把表格转为点图层",
                       "{path}: no coordinate columns (columns: {columns}); fix: name them "
                       "lon/lat (or `经度`/`纬度`) or x/y, or convert the table to a point "
                       "layer in QGIS"),
    "err.read.raster": ("{path}：无法作为栅格打开（GDAL：「{reason}」）；"
                        "修正：给出每个像元人口数的 GeoTIFF",
                        "{path}: cannot open as a raster ({reason}); fix: give a GeoTIFF of "
                        "people per cell"),
    "warn.read.convert": ("部分字符无法按 {label} 转换；修正：在项目文件中为该图层设置 encoding",
                          "some characters could not be converted from {label}; fix: set "
                          "encoding for this layer in the project file"),
    # validating layers (the place is the file and layer; rows are 1-based)
    "hint.more": ("；{hint}", "; {hint}"),
    "hint.or": ("{first}；或 {second}", "{first}; or {second}"),
    "hint.crs.degrees": ('坐标是经纬度：使用 source_crs = "wgs84" 或 "cgcs2000"',
                         'the coordinates are degrees: use source_crs = "wgs84" or "cgcs2000"'),
    "hint.crs.zone3": ("东坐标以带号 {zone} 开头：CGCS2000 3 度带第 {zone} 带（中央经线 {cm}E）"
                       "为 EPSG:{epsg}",
                       "the eastings start with zone {zone}: CGCS2000 3-degree Gauss-Kruger "
                       "zone {zone} (central meridian {cm}E) is EPSG:{epsg}"),
    "hint.crs.zone6": ("东坐标以带号 {zone} 开头：CGCS2000 6 度带第 {zone} 带（中央经线 {cm}E）"
                       "为 EPSG:{epsg}",
                       "the eastings start with zone {zone}: CGCS2000 6-degree Gauss-Kruger "
                       "zone {zone} (central meridian {cm}E) is EPSG:{epsg}"),
    "hint.crs.no_zone": (
        "东坐标没有带号：可能是 CGCS2000 3 度带按中央经线编码的坐标系（EPSG:4534-4554，如 117E 为 "
        "EPSG:4548、120E 为 EPSG:4549）、其他国家的格网（如 EPSG:27700）或 UTM 带"
        "（EPSG:326xx，如 EPSG:32650）",
        "the eastings have no zone number: a CGCS2000 3-degree Gauss-Kruger CM code "
        "(EPSG:4534-4554, e.g. EPSG:4548 for 117E, EPSG:4549 for 120E), a national grid (e.g. "
        "EPSG:27700) or a UTM zone (EPSG:326xx, e.g. EPSG:32650)"),
    "hint.crs.mercator": ("若按 Web 墨卡托米制坐标（EPSG:3857，网络地图导出）则位于经度 {lon}、"
                          "纬度 {lat}：若位置正确，设 source_crs = \"EPSG:3857\"",
                          "Web Mercator metres (EPSG:3857, web map exports) would put them at "
                          "lon {lon}, lat {lat}: if that is the place, set source_crs = "
                          "\"EPSG:3857\""),
    "err.val.offset_projected": ("source_crs = {source} 需要经纬度坐标，但文件是 {crs}",
                                 "source_crs = {source} needs longitude/latitude in degrees but "
                                 "the file is in {crs}"),
    "err.val.offset_projected.fix": ("删除 source_crs，或把图层导出为 {system} 经纬度",
                                     "remove source_crs, or export the layer as {system} "
                                     "lon/lat"),
    "err.val.swapped": ("{crs}坐标看起来是（纬度，经度）颠倒的：{bounds}",
                        "{crs}coordinates look like (latitude, longitude) swapped: {bounds}"),
    "err.val.swapped.fix": ("重新导出图层，经度在前", "re-export the layer with longitude first"),
    "err.val.source_not_degrees": ("source_crs = {source}，但坐标不是经纬度（{bounds}）",
                                   "source_crs = {source} but the coordinates are not degrees "
                                   "({bounds})"),
    "err.val.source_not_degrees.fix": ("设置图层真实的 source_crs{hint}",
                                       "set the layer's real source_crs{hint}"),
    "warn.val.overridden": ("文件声明的坐标系为 {crs}；以 source_crs = {source} 为准",
                            "the file declares {crs}; source_crs = {source} overrides it"),
    "err.val.source_unknown": ("未知的 source_crs {source}", "unknown source_crs {source}"),
    "err.val.source_unknown.fix": (
        '设 source_crs = "wgs84"、"cgcs2000"、"gcj02"、"bd09" 或 "EPSG:<代码>"',
        'set source_crs = "wgs84", "cgcs2000", "gcj02", "bd09" or "EPSG:<code>"'),
    "err.val.no_crs": ("没有坐标系（缺少 .prj 或 CRS）", "no coordinate system (missing .prj or "
                       "CRS)"),
    "err.val.no_crs.fix": (
        '在项目文件中设 source_crs = "wgs84"、"cgcs2000"、"gcj02"、"bd09" 或 "EPSG:<代码>"{hint}',
        'set source_crs = "wgs84", "cgcs2000", "gcj02", "bd09" or "EPSG:<code>" in the project '
        'file{hint}'),
    "err.val.not_degrees": ("坐标系为 {crs}（经纬度），但坐标不是经纬度（{bounds}）",
                            "the CRS is {crs} (degrees) but the coordinates are not degrees "
                            "({bounds})"),
    "err.val.not_degrees.fix": ("设置图层真实的 source_crs{hint}",
                                "set the layer's real source_crs{hint}"),
    "err.val.degrees_as_metres": ("坐标系为 {crs}（米），但坐标看起来是经纬度（{bounds}）",
                                  "the CRS is {crs} (metres) but the coordinates look like "
                                  "degrees ({bounds})"),
    "err.val.degrees_as_metres.fix": ('设 source_crs = "wgs84" 或 "cgcs2000"（高德数据用 "gcj02"）',
                                      'set source_crs = "wgs84" or "cgcs2000" (or "gcj02" for '
                                      'Amap data)'),
    "err.val.misfit": ("坐标（{bounds}）与坐标系 {crs} 不符", "the coordinates ({bounds}) do not "
                       "fit the CRS {crs}"),
    "err.val.misfit.fix": ("设置图层真实的 source_crs{hint}", "set the layer's real "
                           "source_crs{hint}"),
    "warn.val.empty": ("{n} 个要素的几何为空，已删除（{rows}）",
                       "{n} features with empty geometry dropped ({rows})"),
    "err.val.no_features": ("没有带几何的要素", "no features with a geometry"),
    "err.val.no_features.fix": ("检查图层中是否有要素", "check the layer holds features"),
    "warn.val.repaired": ("{n} 个无效几何已用 make_valid 修复（{rows}）",
                          "{n} invalid geometries repaired with make_valid ({rows})"),
    "warn.val.collapsed": ("{n} 个无效几何退化后已删除（{rows}）",
                           "{n} invalid geometries collapsed and were dropped ({rows})"),
    "warn.val.to_point": ("{n} 个面已替换为其内部的一点（代表点）",
                          "{n} polygons replaced by a point inside each (representative "
                          "point)"),
    "warn.val.multipoint": ("{n} 个多点已替换为其中一点",
                            "{n} multi-points replaced by one of their points"),
    "err.val.geometry_type": ("{layer} 必须是{want}，发现{scope} {counts}（{rows}）",
                              "{layer} must be {want}, found {scope}{counts} ({rows})"),
    "err.val.geometry_type.fix": ("{fix}", "{fix}"),
    "err.val.duplicate": ("{column} 重复：{sample}{more}", "duplicate {column} {sample}{more}"),
    "err.val.duplicate.fix": ("使 {source} 唯一、把其他字段对应到 {column}，或设 "
                              "fields.{column} = \"auto\" 自动编号",
                              "make {source} unique, map another field to {column}, or set "
                              "fields.{column} = \"auto\" to number the rows"),
    "err.val.non_numeric": ("{column} 不是数值：{values}（{rows}）",
                            "non-numeric {column} {values} ({rows})"),
    "err.val.non_numeric.fix": ("更正这些值，或把其他字段对应到 {column}",
                                "correct the values or map another field to {column}"),
    "err.val.missing": ("缺少 {column}（{rows}）", "missing {column} ({rows})"),
    "err.val.missing.fix": ("填写这些值（无人居住处填 0）", "fill in the values (0 where nobody "
                            "lives)"),
    "err.val.negative": ("{column} 为负数：{values}（{rows}）",
                         "negative {column} {values} ({rows})"),
    "err.val.negative.fix": ("更正这些值（必须 >= 0）", "correct the values (they must be >= 0)"),
    "err.val.overlap.now": ("（当前为 {crs}）", " (now {crs})"),
    "err.val.overlap.now_file": ("（当前取自文件）", " (now taken from the file)"),
    "err.val.overlap": ("{name}（{ext}）与 {other}（{oext}）完全不重叠",
                        "{name} ({ext}) does not overlap {other} ({oext})"),
    "err.val.overlap.fix": ("检查 layers.{name} 的 source_crs{now} 和 layers.{other} 的；其中一个"
                            "可能使用了其他坐标系",
                            "check source_crs of layers.{name}{now} and of layers.{other}; one "
                            "of them is probably in another coordinate system"),
    # text encodings
    "err.enc.contradicts": (
        "{path}：项目设置 encoding = {value}，但文本是 {found}（如 {example}），名称会乱码；"
        "修正：为该图层设 encoding = \"{detected}\" 或删除该设置",
        "{path}: the project sets encoding = {value} but the text is {found} (e.g. {example}); "
        "names would be garbled; fix: set encoding = \"{detected}\" for this layer or remove "
        "the setting"),
    "err.enc.cpg_unknown": ("{cpg_name}：未知的代码页 {cpg}；修正：在项目文件中为该图层设 "
                            "encoding = \"gbk\" 或 \"utf-8\"",
                            "{cpg_name}: unknown code page {cpg}; fix: set encoding = \"gbk\" "
                            "or \"utf-8\" for this layer in the project file"),
    "warn.enc.cpg_wrong": ("{cpg_name} 写的是 {cpg}，但文本是 {up}（如 {sample}）；已按 {up} "
                           "读取；修正：把 {up} 写入 {cpg_name}，或在项目文件中设 encoding = "
                           "\"{detected}\"",
                           "{cpg_name} says {cpg} but the text is {up} (e.g. {sample}); read as "
                           "{up}; fix: write {up} into {cpg_name} or set encoding = "
                           "\"{detected}\" in the project file"),
    "warn.enc.cpg_partial": ("{cpg_name} 写的是 {cpg}，但部分文本无法按它解码；修正：在项目文件中"
                             "设置 encoding",
                             "{cpg_name} says {cpg} but some text does not decode with it; fix: "
                             "set encoding in the project file"),
    "warn.enc.cpg_unknown": ("{cpg_name}：未知的代码页 {cpg}；文本是 {up}（如 {sample}）；已按 "
                             "{up} 读取；修正：把 {up} 写入 {cpg_name}",
                             "{cpg_name}: unknown code page {cpg}; the text is {up} (e.g. "
                             "{sample}); read as {up}; fix: write {up} into {cpg_name}"),
    "warn.enc.latin1": ("文本既不是 UTF-8 也不是 GBK，且没有可用的 .cpg；已按 Latin-1 读取，名称"
                        "可能乱码；修正：在项目文件中为该图层设置 encoding（如 \"big5\"）",
                        "text is neither UTF-8 nor GBK and there is no usable .cpg; read as "
                        "Latin-1, names may be garbled; fix: set encoding for this layer in the "
                        "project file (e.g. \"big5\")"),
    # standards profile
    "err.prf.not_found": ("标准配置 {name}：未找到；修正：使用内置配置（{names}）"
                          "或配置 TOML 文件的路径",
                          "profile {name}: not found; fix: use a shipped profile ({names}) or "
                          "the path of a profile TOML file"),
    "err.prf.missing": ("缺少该项", "missing"),
    "err.prf.missing.fix": ("添加 `{key} = ...`（{type}）", "add `{key} = ...` ({type})"),
    "err.prf.type": ("应为{type}，当前为 {value}", "expected {type}, got {value}"),
    "err.prf.type.fix": ("设为{type}", "set it to {type}"),
    "err.prf.positive": ("必须是大于 0 的有限数值，当前为 {value}",
                         "must be a finite number > 0, got {value}"),
    "err.prf.positive.fix": ("给出正数", "give a positive number"),
    "err.prf.finite": ("必须是有限数值，当前为 {value}", "must be a finite number, got {value}"),
    "err.prf.finite.fix": ("给出数值", "give a number"),
    "err.prf.strings": ("应为字符串，当前为 {value}", "expected strings, got {value}"),
    "err.prf.strings.fix": ('写成字符串列表，如 ["a", "b"]',
                            'write a list of strings such as ["a", "b"]'),
    "err.prf.flag_pedestrian": ("缺少该项", "missing"),
    "err.prf.flag_pedestrian.fix": (
        "步行方式添加 `pedestrian = true`（walk = false 的道路对其禁行），其他方式添加 "
        "`pedestrian = false`",
        "add `pedestrian = true` for a walking mode (roads with walk = false are closed to "
        "it), `pedestrian = false` for any other"),
    "err.prf.flag_oneway": ("缺少该项", "missing"),
    "err.prf.flag_oneway.fix": (
        "遵守单行道的机动车方式添加 `oneway = true`，其他方式添加 `oneway = false`",
        "add `oneway = true` for motor traffic that obeys one-way roads, `oneway = false` "
        "otherwise"),
    "err.prf.flag_posted_speeds": ("缺少该项", "missing"),
    "err.prf.flag_posted_speeds.fix": (
        "添加 `posted_speeds = true` 以采用道路的 speed_kmh 字段，或 `posted_speeds = false` "
        "以采用出行方式的速度",
        "add `posted_speeds = true` to take the roads' speed_kmh column where given, "
        "`posted_speeds = false` to use the mode's speeds"),
    "err.prf.road_class": ("未知的道路等级 {value}", "unknown road class {value}"),
    "err.prf.road_class.fix": ("使用 {known} 之一", "use one of {known}"),
    "err.prf.mode": ("未知的出行方式 {value}", "unknown mode {value}"),
    "err.prf.mode.fix": ("使用 {known} 之一", "use one of {known}"),
    "err.prf.no_circles": ("缺少生活圈", "missing"),
    "err.prf.no_circles.fix": ("添加 [circles.urban]（或 [circles.rural]）表，写明 minutes 和 mode",
                               "add a [circles.urban] (or [circles.rural]) table with minutes "
                               "and mode"),
    "err.prf.circle": ("未知的生活圈 {value}", "unknown circle {value}"),
    "err.prf.circle.fix": ("使用 {known} 之一", "use one of {known}"),
    "err.prf.group_field": ("未知的社区字段 {value}", "unknown communities column {value}"),
    "err.prf.group_field.fix": ("使用 {known} 之一", "use one of {known}"),
    "err.prf.group": ("未知的重点人群 {value}", "unknown group {value}"),
    "err.prf.group.fix": ("添加 [groups.{group}] 或使用 {known} 之一",
                          "add [groups.{group}] or use one of {known}"),
    "err.prf.zone_weights": ("应为从 1 递减到 0 的权重，当前为 {value}",
                             "expected weights from 1 down to 0, got {value}"),
    "err.prf.zone_weights.fix": ("写成如 zone_weights = [1.0, 0.68, 0.22]（按时限等分的每个区段"
                                 "一个，由近及远，不递增）",
                                 "write e.g. zone_weights = [1.0, 0.68, 0.22] (one per equal "
                                 "zone of the limit, nearest first, not increasing)"),
    "err.prf.decay": ("未知的距离衰减 {value}", "unknown decay {value}"),
    "err.prf.decay.fix": ("使用 {known} 之一", "use one of {known}"),
    "err.crs.units": ("working_crs {spec}：{crs} 的单位是 {units}，不是米；修正：使用 \"auto\" "
                      "或以米为单位的 EPSG 代码，如 \"EPSG:4548\"",
                      "working_crs {spec}: {crs} is in {units}, not metres; fix: use \"auto\" "
                      "or a metric EPSG code such as \"EPSG:4548\""),
    "err.crs.unknown": ("working_crs {spec}：未知的坐标系；修正：使用 \"auto\" 或投影坐标系的 "
                        "EPSG 代码，如 \"EPSG:4548\"",
                        "working_crs {spec}: unknown CRS; fix: use \"auto\" or a projected EPSG "
                        "code such as \"EPSG:4548\""),
    "err.crs.not_projected": ("working_crs {spec}：{crs} 不是投影坐标系；修正：使用 \"auto\" 或投影"
                              "坐标系的 EPSG 代码，如 \"EPSG:4548\"",
                              "working_crs {spec}: {crs} is not projected; fix: use \"auto\" or "
                              "a projected EPSG code such as \"EPSG:4548\""),
    "err.crs.no_extent": ("working_crs auto：数据没有有限的范围；修正：检查图层是否含有几何",
                          "working_crs auto: the data has no finite extent; fix: check that the "
                          "layers hold geometries"),
    "err.crs.not_lonlat": ("working_crs auto：范围 {bounds} 不是经纬度；修正：检查各图层的 "
                           "source_crs",
                           "working_crs auto: extent {bounds} is not longitude/latitude; fix: "
                           "check the layers' source_crs"),
    "err.raster.cell": ("栅格像元大小 {value}：必须大于 0；修正：以米为单位给出大小",
                        "raster cell size {value}: must be > 0; fix: give a size in metres"),
    "err.crs.distorting": (
        "working_crs {spec}：{crs} 在数据范围内使距离失真 {err}（超过 {limit}），覆盖率会出错；"
        "修正：使用 working_crs = \"auto\"（或 \"utm\"），或在 [project] 中设 "
        "accept_crs_distortion = true 以保留它",
        "working_crs {spec}: {crs} distorts distances at the data by {err} (more than "
        "{limit}), so coverage would be wrong; fix: use working_crs = \"auto\" (or \"utm\"), "
        "or set accept_crs_distortion = true in [project] to keep it anyway"),
    "err.prf.space": ("必须不小于 0，当前为 {value}", "must be >= 0, got {value}"),
    "err.prf.space.fix": ("给出面积或数量（>= 0）", "give a floor area or count (>= 0)"),
    "err.nested": ("{text}", "{text}"),
    "hint.category": ("使用服务类别键（{keys}）", "use a catalogue key ({keys})"),
    "hint.plan.spacing": ("调小 [planner] candidate_spacing_m（也决定与已有设施的最小距离）"
                          "或提供候选用地图层",
                          "lower [planner] candidate_spacing_m (it is also the least distance "
                          "from existing sites) or give a candidates layer"),
    "hint.plan.roads": ("检查道路图层或提供候选用地图层", "check the roads or give a candidates "
                        "layer"),
    "hint.category_close": ("使用服务类别键，如 {close}（{keys}）",
                            "use a catalogue key such as {close} ({keys})"),
    # layers given to the API (Project.from_layers)
    "err.api.layer_missing": ("缺少该图层", "missing"),
    "err.api.layer_missing.fix": ("传入 {key}=<GeoDataFrame>", "pass {key}=<GeoDataFrame>"),
    "err.api.raster_missing": ("{path} 不存在", "{path} does not exist"),
    "err.api.raster_missing.fix": ("给出 GeoTIFF 的路径", "give the path of a GeoTIFF"),
    "err.api.not_frame": ("应为 GeoDataFrame，当前为 {type}", "expected a GeoDataFrame, got "
                          "{type}"),
    "err.api.not_frame.fix": ("传入带坐标系的 geopandas.GeoDataFrame",
                              "pass a geopandas.GeoDataFrame with a CRS"),
    # project file
    "err.prj.no_category": ("没有给出服务类别", "no category given"),
    "err.prj.no_category.fix": ("至少给出一个服务类别键，如 elderly_care",
                                "name at least one catalogue key, e.g. elderly_care"),
    "err.prj.unknown_category": ("未知的服务类别 {value!r}", "unknown category {value!r}"),
    "err.prj.unknown_category.fix": ("{hint}", "{hint}"),
    "err.prj.twice": ("{values} 中有重复的类别", "listed twice in {values}"),
    "err.prj.twice.fix": ("每个类别只写一次", "name each category once"),
    "err.plan.no_category": ("规划：没有给出服务类别；修正：传入 categories=['elderly_care']"
                             "（命令行：--category elderly_care）",
                             "plan: no category given; fix: pass categories=['elderly_care'] "
                             "(CLI: --category elderly_care)"),
    "err.plan.unknown_category": ("规划：画像 {profile} 中没有服务类别 {value!r}；修正：{hint}",
                                  "plan: unknown category {value!r} in profile {profile}; "
                                  "fix: {hint}"),
    "err.plan.twice": ("规划：{values} 中有重复的类别；修正：每个类别只写一次",
                       "plan: category listed twice in {values}; fix: name each once"),
    "err.plan.demand_column": ("需求点：缺少 `{col}` 列；修正：用 "
                               "lifecircle.accessibility.demand.build_demand 生成需求点",
                               "demand points: no `{col}` column; fix: build them with "
                               "lifecircle.accessibility.demand.build_demand"),
    "err.plan.count": ("规划：travel_times 对应 {given} 个需求点，而不是 {n} 个；修正：传入生成这些"
                       "出行时间所用的需求点",
                       "plan: travel_times are for {given} demand points, not {n}; fix: pass "
                       "the demand the travel times were made for"),
    "err.plan.no_network": ("规划：没有道路网络，无法生成候选用地（给出了 geography 而没有 "
                            "network_near）；修正：提供候选用地图层并使用 --no-generate，"
                            "或传入 network_near",
                            "plan: candidates cannot be generated without the road network "
                            "(geography given, network_near not); fix: give a candidates "
                            "layer and --no-generate, or pass network_near"),
    "err.plan.too_many_candidates": ("候选用地：{n} 处，超过 max_candidates = {limit}；"
                                     "修正：调大 max_candidates 或精简候选用地图层",
                                     "candidates: {n} sites is more than max_candidates = "
                                     "{limit}; fix: raise max_candidates or thin the layer"),
    "err.plan.capacity": ("规划：capacity = {value}；修正：给出不小于 0 的服务规模",
                          "plan: capacity = {value}; fix: give a capacity >= 0"),
    "err.plan.load_column": ("需求点：没有容量口径所需的 `{col}` 列；修正：添加该列，或不设 load"
                             "（按人口计）",
                             "demand points: no `{col}` column for the capacity load; fix: "
                             "add it or leave load unset (population)"),
    "err.plan.unknown_model": ("规划：未知的选址模型 {value!r}；修正：使用 {known} 之一",
                               "plan: unknown model {value!r}; fix: use one of {known}"),
    "err.plan.pmedian_sites": ("规划：P 中位模型需要新址数量；修正：传入 sites=N"
                               "（命令行：--sites N）",
                               "plan: the p-median model needs the number of new sites; fix: "
                               "pass sites=N (CLI: --sites N)"),
    "err.plan.mclp_sites": ("规划：最大覆盖模型需要新址数量或预算；修正：传入 sites=N（命令行："
                            "--sites N）或 full_coverage=True",
                            "plan: maximal covering needs the number of new sites or a budget; "
                            "fix: pass sites=N (CLI: --sites N) or full_coverage=True"),
    "err.plan.sites": ("规划：sites = {value}；修正：至少给出 1 处新址",
                       "plan: sites = {value}; fix: give at least 1 new site"),
    "err.times.no_network": ("没有出行方式 {mode!r}（生活圈 {circle!r}）的道路网络；修正：用 "
                             "accessibility.network.build 为 {mode!r} 构建网络",
                             "no network for mode {mode!r} (circle {circle!r}); fix: build one "
                             "with accessibility.network.build for {mode!r}"),
    "err.plan.no_elderly": ("--load elderly：社区图层没有老年人口（字段 `elderly`）；修正：在 "
                            "[layers.communities.fields] 中对应该字段，或使用 --load population",
                            "--load elderly: the communities layer has no elderly population "
                            "(field `elderly`); fix: map it in [layers.communities.fields] or "
                            "use --load population"),
    # the accessibility functions called directly (lifecircle.accessibility)
    "err.api.column": ("{layer}：缺少 `{col}` 列；修正：在 [layers.{key}.fields] 中把源字段对应到 "
                       "`{col}`",
                       "{layer}: no `{col}` column; fix: map the source field to `{col}` in "
                       "[layers.{key}.fields]"),
    "err.api.cid_dup": ("社区：cid {value} 不唯一；修正：为每个社区给出不同的编号",
                        "communities: cid {value} is not unique; fix: give every community its "
                        "own id"),
    "err.api.cid_unknown": ("需求点：第 {row} 行：cid {value} 不在社区图层中；修正：用同一社区图层"
                            "重新生成需求点",
                            "demand points: row {row}: cid {value} is not in the communities "
                            "layer; fix: rebuild the demand from the same communities"),
    "err.api.did_dup": ("出行时间：索引（需求点编号 `did`）有重复；修正：每个需求点一行",
                        "travel times: the index (demand id `did`) has duplicates; fix: one row "
                        "per demand point"),
    "err.api.pop_negative": ("社区：第 {row} 行（cid {cid}）：人口 {value} 为负；修正：给出居民人数"
                             "（>= 0）",
                             "communities: row {row} (cid {cid}): population {value} is "
                             "negative; fix: give the number of residents (>= 0)"),
    "err.api.raster_unreadable": ("人口栅格 {path}：无法读取（{error}）；修正：给出 GeoTIFF 路径",
                                  "population raster {path}: cannot be read ({error}); fix: "
                                  "give a GeoTIFF path"),
    "err.api.raster_no_crs": ("人口栅格 {path}：没有坐标系；修正：把坐标系写入 GeoTIFF"
                              "（如 gdal_edit.py -a_srs EPSG:4490）",
                              "population raster {path}: has no coordinate system; fix: write "
                              "one into the GeoTIFF (e.g. gdal_edit.py -a_srs EPSG:4490)"),
    "err.api.points_negative": ("人口点：第 {row} 行：人口 {value} 为负；修正：给出居民人数"
                                "（>= 0）",
                                "population points: row {row}: population {value} is negative; "
                                "fix: give the number of residents (>= 0)"),
    "err.api.two_populations": ("人口：同时给出了栅格和点图层；修正：在 [layers.population] 中只"
                                "给出一种人口数据",
                                "population: both a raster and a points layer were given; fix: "
                                "name only one population source in [layers.population]"),
    "err.api.gap_cell": ("缺口：像元大小 {value} 米必须为正；修正：给出 cell_m > 0",
                         "gaps: cell size {value} m must be positive; fix: give cell_m > 0"),
    "err.api.gap_points": ("缺口：覆盖结果没有需求点级矩阵；修正：用 "
                           "accessibility.coverage.compute_coverage 计算",
                           "gaps: the coverage has no point-level matrix; fix: make it with "
                           "accessibility.coverage.compute_coverage"),
    "err.api.gap_geometry": ("缺口：需求点必须为单个非空的点；修正：用 "
                             "accessibility.demand.build_demand 生成",
                             "gaps: demand points must be single, non-empty points; fix: build "
                             "them with accessibility.demand.build_demand"),
    "err.api.roads_geographic": ("道路：坐标系 {crs} 是地理坐标系；修正：构建路网前把道路投影到以米"
                                 "为单位的工作坐标系",
                                 "roads: CRS {crs} is geographic; fix: reproject the roads to "
                                 "the metric working CRS before building the network"),
    "err.api.roads_not_line": ("道路：第 {row} 行是 {type}，不是线（共 {n} 行）；修正：道路图层只"
                               "保留 LineString 或 MultiLineString 要素",
                               "roads: row {row} is a {type}, not a line ({n} such rows); fix: "
                               "keep only LineString or MultiLineString features in the road "
                               "layer"),
    "err.api.snap_crs": ("坐标系为 {crs} 的点不能吸附到坐标系为 {net} 的路网；修正：先把点投影到"
                         "工作坐标系",
                         "points in {crs} cannot be snapped to a network in {net}; fix: "
                         "reproject the points to the working CRS first"),
    "err.api.snap_shape": ("点：应为 (k, 2) 的 x、y 数组，当前形状为 {shape}；修正：传入 GeoSeries "
                           "或坐标数组",
                           "points: expected an (k, 2) array of x, y, got shape {shape}; fix: "
                           "pass a GeoSeries or an array of coordinates"),
    "err.api.sigma": ("sigma {value}：必须为正的分钟数；修正：给出高斯函数的宽度，如 "
                      "sigma=limit/2",
                      "sigma {value}: must be a positive number of minutes; fix: give the "
                      "Gaussian's width, e.g. sigma=limit/2"),
    "err.api.decay_steps": ("decay {value}：分段须把分钟数对应到不小于 0 的权重；修正：如 "
                            "decay={{10: 1.0, 20: 0.68, 30: 0.22}}",
                            "decay {value}: steps must map minutes to weights >= 0; fix: e.g. "
                            "decay={{10: 1.0, 20: 0.68, 30: 0.22}}"),
    "err.api.decay": ("decay {value}：未知；修正：使用 \"step\"、\"gaussian\" 或映射 "
                      "{{分钟: 权重}}",
                      "decay {value}: unknown; fix: use \"step\", \"gaussian\" or a mapping "
                      "{{minutes: weight}}"),
    "err.api.limit": ("limit {value}：必须为正的分钟数；修正：给出生活圈的分钟数",
                      "limit {value}: must be a positive number of minutes; fix: give the "
                      "circle's minutes"),
    "err.api.supply_rows": ("{what}：给出 {got} 个值，矩阵有 {n} 行；修正：每处设施"
                            "（times 的一行）给出一个值",
                            "{what}: {got} values for {n} matrix rows; fix: one value per "
                            "facility (row of times)"),
    "err.api.supply_cols": ("{what}：给出 {got} 个值，矩阵有 {n} 列；修正：每个需求点"
                            "（times 的一列）给出一个值",
                            "{what}: {got} values for {n} matrix columns; fix: one value per "
                            "demand point (column of times)"),
    "err.api.supply_value": ("{what}：位置 {i} 的值 {value} 不是不小于 0 的数；修正：未知处填 0 "
                             "或删除该行",
                             "{what}: value {value} at position {i} is not a number >= 0; fix: "
                             "give 0 where unknown or drop the row"),
    "err.api.times_shape": ("times：应为设施 × 需求点矩阵，当前形状为 {shape}；修正：传入二维数组"
                            "（每行一处设施）",
                            "times: expected a facilities x demand matrix, got shape {shape}; "
                            "fix: pass a 2-d array (rows facilities)"),
    "err.api.times_negative": ("times：出行时间 {value} 为负（设施 {facility}，需求点 {demand}）；"
                               "修正：时间为不小于 0 的分钟数",
                               "times: negative travel time {value} (facility {facility}, "
                               "demand {demand}); fix: times are minutes >= 0"),
    "err.api.no_facilities": ("出行时间：没有给出设施；修正：向 travel_times() 传入设施",
                              "travel times: no facilities were given; fix: pass facilities to "
                              "travel_times()"),
    "err.api.no_kind": ("需求点没有 `kind` 列，也没有给出社区；修正：传入 communities=..."
                        "（含 cid 和 kind）",
                        "demand points have no `kind` and no communities were given; fix: pass "
                        "communities=... (with cid and kind)"),
    "err.api.jobs": ("jobs 至少为 1，当前为 {value}；修正：给出进程数（>= 1）",
                     "jobs must be at least 1, got {value}; fix: give a number of processes "
                     "(>= 1)"),
    "err.api.iso_method": ("method 应为 'buffer' 或 'grid'，当前为 {value}；修正：使用其中之一",
                           "method must be 'buffer' or 'grid', got {value}; fix: use one of "
                           "them"),
    "err.api.offset": ("未知的坐标转换 {src} -> {dst}；修正：使用 wgs84、gcj02 或 bd09",
                       "unknown conversion {src} -> {dst}; fix: use wgs84, gcj02 or bd09"),
    "err.api.orlib_missing": ("{path}：不存在；修正：把 OR-Library pmed 文件放在该处（仓库在 "
                              "tests/data/orlib 中保存了 pmed1 和 pmed5）",
                              "{path}: not found; fix: put the OR-Library pmed files there (the "
                              "repository keeps pmed1 and pmed5 in tests/data/orlib)"),
    "err.api.orlib_bad": ("{path}：不是 OR-Library P 中位文件（{error}）；修正：首行为 'n m p'，"
                          "之后每条边一行 'u v cost'",
                          "{path}: not an OR-Library p-median file ({error}); fix: first line "
                          "'n m p', then 'u v cost' per edge"),
    # location models called directly (lifecircle.planner.models)
    "err.model.length": ("{what}：给出 {got} 个值，应为 {n} 个；修正：每项给出一个值",
                         "{what}: {got} values for {n} entries; fix: give one value per entry"),
    "err.model.sparse": ("CoverageProblem.coverage：应为 scipy.sparse 矩阵，当前为 {type}；"
                         "修正：传入 csr_matrix",
                         "CoverageProblem.coverage: expected a scipy.sparse matrix, got {type}; "
                         "fix: pass a csr_matrix"),
    "err.model.weights": ("{what} = {value}：权重必须为不小于 0 的有限值；修正：把缺失的人口设为 0",
                          "{what} = {value}: weights must be finite and >= 0; fix: replace "
                          "missing population by 0"),
    "err.model.costs": ("CoverageProblem.costs：成本必须为不小于 0 的有限值；修正：为每处候选"
                        "给出成本（默认 1）",
                        "CoverageProblem.costs: costs must be finite and >= 0; fix: give every "
                        "candidate a cost (default 1)"),
    "err.model.capacity": ("CoverageProblem.capacity：服务规模必须不小于 0；修正：不限规模的新址"
                           "用 NaN",
                           "CoverageProblem.capacity: capacities must be >= 0; fix: use NaN "
                           "for an unlimited site"),
    "err.model.group": ("CoverageProblem.group：取值必须在 0..{top} 之间；修正：在 group_names "
                        "中为每组给出一个名称",
                        "CoverageProblem.group: values must be 0..{top}; fix: give one name "
                        "per group in group_names"),
    "err.model.joint_empty": ("joint()：没有给出服务类别；修正：至少传入一个问题",
                              "joint(): no categories given; fix: pass at least one problem"),
    "err.model.joint_n": ("joint()：类别 {name} 有 {n} 处候选，{first} 有 {n_first} 处；修正："
                          "所有类别使用同一候选列表",
                          "joint(): category {name} has {n} candidates, {first} has "
                          "{n_first}; fix: build every category on the same candidate list"),
    "err.model.joint_attr": ("joint()：类别 {name} 的候选 {attr} 与 {first} 不同；修正：候选只给"
                             "一组 {attr}",
                             "joint(): category {name} has different candidate {attr} than "
                             "{first}; fix: give candidates one {attr}"),
    "err.model.time_limit": ("time_limit_s = {value}：必须不小于 0；修正：给出秒数",
                             "time_limit_s = {value}: must be >= 0; fix: give seconds"),
    "err.model.mclp_p": ("maximal_covering()：需给出 p（新址数量）或预算；修正：传入 p=5 或 "
                         "budget=...",
                         "maximal_covering(): give p (number of new sites) or budget; fix: "
                         "pass p=5 or budget=..."),
    "err.model.mclp_p_bad": ("maximal_covering()：p = {value} 必须为不小于 0 的整数；修正：传入"
                             "新址数量",
                             "maximal_covering(): p = {value} must be a whole number >= 0; fix: "
                             "pass the number of new sites"),
    "err.model.budget": ("maximal_covering()：budget = {value} 必须不小于 0；修正：传入非负的预算",
                         "maximal_covering(): budget = {value} must be >= 0; fix: pass a "
                         "non-negative budget"),
    "err.model.objective": ("set_covering()：目标 {value}；修正：使用 'sites' 或 'cost'",
                            "set_covering(): objective {value}; fix: use 'sites' or 'cost'"),
    "err.model.setcover_capacity": ("set_covering()：集合覆盖不支持候选服务规模；修正：带容量选址"
                                    "请用 maximal_covering()",
                                    "set_covering(): candidate capacities are not supported by "
                                    "set covering; fix: use maximal_covering() for capacitated "
                                    "siting"),
    "err.model.cost_shape": ("CostProblem.cost：矩阵形状为 {shape}；修正：传入二维（候选 × 需求）"
                             "矩阵",
                             "CostProblem.cost: matrix has shape {shape}; fix: pass a 2-D "
                             "(candidates x demand) matrix"),
    "err.model.cost_weights": ("CostProblem.weights：权重必须为不小于 0 的有限值；修正：把缺失的"
                               "人口设为 0",
                               "CostProblem.weights: weights must be finite and >= 0; fix: "
                               "replace missing population by 0"),
    "err.model.cost_negative": ("CostProblem.cost：存在负成本；修正：传入出行时间或距离",
                                "CostProblem.cost: negative costs; fix: pass travel times or "
                                "distances"),
    "err.model.pmedian_p": ("p_median()：p = {value} 必须为 0..{n}（候选数）之间的整数；修正："
                            "调小 p 或增加候选",
                            "p_median(): p = {value} must be a whole number in 0..{n} (the "
                            "number of candidates); fix: lower p or add candidates"),
    "err.model.pmedian_unreached": ("p_median()：需求点 {point} 既不被任何候选也不被现状设施覆盖；"
                                    "修正：传入 unreached_cost（如截断时间）或去掉该点",
                                    "p_median(): demand point {point} is reached by no "
                                    "candidate and no existing facility; fix: pass "
                                    "unreached_cost (e.g. the cutoff) or drop the point"),
    "err.model.limit_nan": ("coverage_times()：有出行时间上限为 NaN；修正：为每个需求点给出以秒"
                            "为单位的上限",
                            "coverage_times(): a travel-time limit is NaN; fix: give every "
                            "demand point a limit in seconds"),
    "err.plan.method": ("未知的求解方法 {value}；修正：使用 {known} 之一",
                        "method {value}: unknown; fix: use one of {known}"),
    "err.cov.kind": ("社区：第 {row} 行（cid {cid}）：类型 {value} 不是标准配置 {profile} 的生活圈"
                     "{more}；修正：使用 {known} 之一",
                     "communities: row {row} (cid {cid}): kind {value} is not a circle of "
                     "profile {profile}{more}; fix: use one of {known}"),
    "err.cov.kind_rows": ("（共 {n} 行）", " ({n} rows)"),
    "err.times.kind": ("需求点：第 {row} 行（did {did}，cid {cid}）：社区类型 {value} 不是标准配置 "
                       "{profile} 的生活圈{more}；修正：使用 {known} 之一",
                       "demand points: row {row} (did {did}, cid {cid}): community kind "
                       "{value} is not a circle of profile {profile}{more}; fix: use one of "
                       "{known}"),
    "err.times.kind_points": ("（共 {n} 个点）", " ({n} points)"),
    "err.map.basemap": ("未知的底图 {value}；修正：使用 {known} 之一或 None",
                        "unknown basemap {value}; fix: use one of {known} or None"),
    # OpenStreetMap road files
    "osm.for.walk": ("步行", "walking"),
    "osm.for.drive": ("机动车", "driving"),
    "osm.for.all": ("步行或机动车", "walking or driving"),
    "err.osm.network_type": ("OSM 网络类型 {value} 未知；修正：使用 {known} 之一",
                             "OSM network type {value}: unknown; fix: use one of {known}"),
    "err.osm.not_found": ("{path}：文件不存在；修正：检查 OSM 文件路径",
                          "{path}: file not found; fix: check the OSM file path"),
    "err.osm.no_ways": ("{path}：没有可供{what}使用的 OSM 道路（读取了 {n} 条 highway=* 道路）；"
                        "修正：检查文件是否覆盖研究区并含有 highway=* 道路",
                        "{path}: no OSM ways usable for {what} ({n} highway=* ways read); fix: "
                        "check the file covers the area and holds highway=* ways"),
    "err.osm.pbf": ("{path}：无法读取 OSM PBF 文件（{error}）；修正：检查它是完整的 .osm.pbf 数据",
                    "{path}: cannot read the OSM PBF file ({error}); fix: check it is a complete "
                    ".osm.pbf extract"),
    "err.osm.xml": ("{path}：不是有效的 OSM XML（{error}）；修正：重新导出为 .osm XML 或 .osm.pbf",
                    "{path}: not valid OSM XML ({error}); fix: re-export the extract as .osm "
                    "XML or .osm.pbf"),
    "err.osm.unreadable": ("{path}：无法读取（{error}）；修正：检查该文件",
                           "{path}: cannot read ({error}); fix: check the file"),
    "err.osm.osmnx": ("{path}：osmnx 无法构建路网（{error}）；修正：检查数据，或转换为 .osm.pbf",
                      "{path}: osmnx could not build a graph ({error}); fix: check the extract, "
                      "or convert it to .osm.pbf"),
    "err.cand.bool": ("候选用地：第 {row} 行：{col} = {value!r} 不是是/否值；修正：在 `{col}` 中"
                      "填 true 或 false",
                      "candidates: row {row}: {col} = {value!r} is not true/false; fix: use "
                      "true or false in `{col}`"),
    "err.cand.no_geometry": ("候选用地：第 {row} 行没有几何；修正：为每处候选用地给出点或面，"
                             "或删除该行",
                             "candidates: row {row}: no geometry; fix: give every candidate a "
                             "point or polygon, or delete the row"),
    "err.cand.duplicate": ("候选用地：cand_id {value!r} 不唯一；修正：为每处候选用地给出不同的编号",
                           "candidates: cand_id {value!r} is not unique; fix: give every "
                           "candidate its own id"),
    "err.cand.number": ("候选用地：第 {row} 行：{col} = {value!r} 不是数字；修正：`{col}` 填数字"
                        "或留空",
                        "candidates: row {row}: {col} = {value!r} is not a number; fix: give "
                        "`{col}` as a number or leave it empty"),
    "err.cand.cost": ("候选用地：第 {row} 行：cost = {value} 为负；修正：给出不小于 0 的成本"
                      "（默认 1）",
                      "candidates: row {row}: cost = {value} is negative; fix: give a cost "
                      ">= 0 (default 1)"),
    "err.cand.spacing": ("候选用地间距 = {value}：必须大于 0；修正：以米为单位给出间距，如 300",
                         "candidate spacing = {value}: must be > 0; fix: give a spacing in "
                         "metres, e.g. 300"),
    "err.prj.unknown_model": ("未知的选址模型 {value!r}", "unknown model {value!r}"),
    "err.prj.unknown_model.fix": ("使用 {known} 之一", "use one of {known}"),
    "err.prj.unknown_load": ("未知的容量口径 {value!r}", "unknown load {value!r}"),
    "err.prj.unknown_load.fix": ('使用 "population" 或 "elderly"',
                                 'use "population" or "elderly"'),
    "err.prj.capacity": ("必须大于 0，当前为 {value}", "must be > 0, got {value}"),
    "err.prj.capacity.fix": ("给出一处新址可服务的居民数",
                             "give the number of residents one site can serve"),
    "err.prj.sites": ("必须不小于 1，当前为 {value}", "must be >= 1, got {value}"),
    "err.prj.sites.fix": ("给出新址数量", "give the number of new sites"),
    "err.prj.sites_needed": ("{model} 模型需要新址数量", "the {model} model needs the number "
                             "of new sites"),
    "err.prj.sites_needed.fix": ("给出数量（命令行：--sites N）", "give it (CLI: --sites N)"),
    "err.prj.time_limit": ("必须大于 0，当前为 {value}", "must be > 0, got {value}"),
    "err.prj.time_limit.fix": ("给出求解时间上限（秒）", "give the solver time limit in seconds"),
    "err.prj.unknown_key": ("未知的键", "unknown key"),
    "err.prj.unknown_key.fix": ("删除或改名；是否想写 `{close}`？",
                                "remove it or rename it; did you mean `{close}`?"),
    "err.prj.unknown_key_list": ("未知的键", "unknown key"),
    "err.prj.unknown_key_list.fix": ("删除或改名；已知的键：{known}",
                                     "remove it or rename it; known keys: {known}"),
    "err.prj.table": ("应为表，当前为 {value}", "expected a table, got {value}"),
    "err.prj.table.fix": ("写成 [{table}]", "write it as [{table}]"),
    "err.prj.type": ("应为{type}，当前为 {value}", "expected {type}, got {value}"),
    "err.prj.type.fix": ("把 `{key}` 设为{type}", "set `{key}` to {type}"),
    "err.prj.lang": ("未知的语言 {value}", "unknown language {value}"),
    "err.prj.lang.fix": ('使用 "zh" 或 "en"', 'use "zh" or "en"'),
    "err.prj.crs_degrees": ("{value} 不是以米为单位的投影坐标系", "{value} is not a metric "
                            "projected CRS"),
    "err.prj.crs_degrees.fix": ('使用 "auto"、"utm" 或投影坐标系的 EPSG 代码，如 "EPSG:4548"',
                                'use "auto", "utm" or a projected EPSG code such as '
                                '"EPSG:4548"'),
    "err.prj.crs_unknown": ("未知的坐标系 {value}", "unknown CRS {value}"),
    "err.prj.crs_unknown.fix": ('使用 "auto"、"utm" 或 EPSG 代码，如 "EPSG:4548"',
                                'use "auto", "utm" or an EPSG code such as "EPSG:4548"'),
    "err.prj.layer_missing": ("缺少该图层", "missing"),
    "err.prj.layer_missing.fix": ('添加 [layers.{key}]，写明 path = "..."',
                                  'add [layers.{key}] with path = "..."'),
    "err.prj.layer_table": ("应为表，当前为 {value}", "expected a table, got {value}"),
    "err.prj.layer_table.fix": ('写成 [layers.{key}]，并写明 path = "..."',
                                'write [layers.{key}] with path = "..."'),
    "err.prj.path_missing": ("缺少路径", "missing"),
    "err.prj.path_missing.fix": ('添加 path = "..."', 'add path = "..."'),
    "err.prj.path_absent": ("{path} 不存在", "{path} does not exist"),
    "err.prj.path_absent.fix": ("检查路径（相对于项目文件）",
                                "check the path (relative to the project file)"),
    "err.prj.source_crs": ("未知的坐标系统 {value}", "unknown system {value}"),
    "err.prj.source_crs.fix": ("使用 {known} 之一或 EPSG:<代码>",
                               "use one of {known} or EPSG:<code>"),
    "err.prj.field_name": ("应为字段名，当前为 {value}", "expected a field name, got {value}"),
    "err.prj.field_name.fix": ('写成 {canon} = "源字段名"', 'write {canon} = "SOURCE_FIELD"'),
    "err.prj.auto_ids": ('"auto" 只用于自动编号{ids}', '"auto" only numbers ids{ids}'),
    "err.prj.auto_ids.fix": ('写成 {canon} = "源字段名"，或删除这一行',
                             'write {canon} = "SOURCE_FIELD" or remove the line'),
    "err.prj.category_layer": ("只有设施图层可以为全部要素指定一个类别",
                               "only a facilities layer has a category for all its features"),
    "err.prj.category_layer.fix": ("从 [layers.{key}] 中删除 category",
                                   "remove category from [layers.{key}]"),
    "err.prj.category_unknown": ("未知的服务类别 {value}", "unknown category {value}"),
    "err.prj.category_unknown.fix": (
        "使用标准配置中的类别键、中文名或别名；`lifecircle profile show` 列出全部",
        "use a category key, Chinese name or alias of the profile; `lifecircle profile show` "
        "lists them"),
    "err.prj.category_close": ("未知的服务类别 {value}", "unknown category {value}"),
    "err.prj.category_close.fix": (
        "使用标准配置中的类别键、中文名或别名，如 {close}；`lifecircle profile show` 列出全部",
        "use a category key, Chinese name or alias of the profile such as {close}; "
        "`lifecircle profile show` lists them"),
    "err.prj.category_both": ("同时设置了 category 和 fields.category",
                              "both category and fields.category are set"),
    "err.prj.category_both.fix": (
        "只保留一个：category 用于单一类型的设施，fields.category 用于有类型字段的图层",
        "keep one: category for one type of facility, fields.category for a field of types"),
    "err.prj.encoding": ("未知的编码 {value}", "unknown encoding {value}"),
    "err.prj.encoding.fix": ('使用 "auto"、"gbk"、"gb18030" 或 "utf-8"',
                             'use "auto", "gbk", "gb18030" or "utf-8"'),
    "err.grid_too_large": (
        "{value} 米在 {width} x {height} 米的区域上会产生 {cells} 个格网单元，超过上限 {limit}",
        "{value} m over the region's {width} x {height} m makes {cells} grid cells, more than "
        "the limit of {limit}"),
    "err.grid_too_large.fix": ("取不小于 {least} 米的值", "use at least {least} m"),
    # inspect
    "err.inspect_unreadable": (
        "{path}：{n} 个图层中有 {bad} 个无法打开；第一个：{first}",
        "{path}: {bad} of {n} layers cannot be opened; first: {first}"),
    "err.no_road": (
        "{path}：没有出行方式 {mode} 可用的道路；修正：检查道路等级字段（road_class）和标准配置的 "
        "forbidden_classes",
        "{path}: no road the mode {mode!r} may use; fix: check the road class field "
        "(road_class) and the profile's forbidden_classes"),
    "err.inspect_nothing": (
        "{path}：没有可读取的图层；修正：给出 Shapefile、GeoPackage、GeoJSON、FlatGeobuf、"
        "zip 压缩的 Shapefile 或 GeoTIFF",
        "{path}: no readable layers; fix: give a Shapefile, GeoPackage, GeoJSON, FlatGeobuf, "
        "zipped Shapefile or GeoTIFF"),
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
    ("equity", "value"): ("数值", "value"),
}


TEXT.update(ERRORS)

#: Messages of the layer loader (``load.*``), ``init`` (``init.*``) and ``inspect``
#: (``inspect.*``): problems and warnings of one layer (``Problem.of``/``Check.note``),
#: ``<key>.fix`` the fix; placeholders take file, field and values as they are.
LAYER_TEXT: dict[str, tuple[str, str]] = {
    "load.no_cpg": ("没有 .cpg 文件，按内容识别为 {encoding} 编码（例：{sample}）",
                    "no .cpg; text detected as {encoding} (e.g. {sample})"),
    "load.no_cpg.fix": ("添加内容为 {encoding} 的 .cpg 文件以明确编码",
                        "add a .cpg file containing {encoding} to make it explicit"),
    "load.offset": ("点位与道路之间有{offset}坐标偏移：按原坐标 90% 的点距道路 {given} 米以内，"
                    "按 {system} 换算后为 {read} 米以内",
                    "the points lie off the roads by the {offset} offset: 90 % are within "
                    "{given} m of a road as given, within {read} m read as {system}"),
    "load.offset.fix": ("如数据来自这类地图，在 [layers.{layer}] 中设置 source_crs = \"{system}\"",
                        "set source_crs = \"{system}\" in [layers.{layer}] if the data comes "
                        "from those maps"),
    "load.population_summed": ("{n} 个社区的 {column} 由其范围内的人口点汇总（合计 {total}）",
                               "{column} of {n} communities summed from the population points "
                               "inside them ({total} in all)"),
    "load.no_extent": ("没有图层具有可用的范围", "no layer has a usable extent"),
    "load.no_extent.fix": ("检查图层中是否有要素", "check the layers hold features"),
    "load.crs_distortion": (
        "工作坐标系 {crs} 在数据范围内使距离失真 {err}：所有距离、出行时间和覆盖率都有同样大小的"
        "偏差（因 accept_crs_distortion = true 而保留）",
        "{crs} distorts distances at the data by {err}; every distance, travel time and "
        "coverage figure is off by as much (kept because accept_crs_distortion = true)"),
    "load.crs_distortion.fix": ("使用 working_crs = \"auto\"", "use working_crs = \"auto\""),
    "load.raster_no_crs": ("栅格没有坐标系", "the raster has no coordinate system"),
    "load.raster_no_crs.fix": ("在 QGIS 中为其指定坐标系（栅格 > 投影 > 指定投影）并另存为 GeoTIFF",
                               "assign one in QGIS (Raster > Projections > Assign) and save as "
                               "GeoTIFF"),
    "load.raster_bands": ("有 {n} 个波段，人口栅格只应有一个",
                          "has {n} bands, a population raster has one"),
    "load.raster_bands.fix": ("把每个像元人数所在的波段单独导出为 GeoTIFF",
                              "export the band of people per cell as its own GeoTIFF"),
    "load.raster_nodata": ("所有像元都是无数据值", "every cell is nodata"),
    "load.raster_nodata.fix": ("检查栅格的 nodata 值，并确认像元值是人数",
                               "check the raster's nodata value and that it holds people per "
                               "cell"),
    "load.raster_negative": ("像元中有负的人口（最小 {min}）",
                             "negative population in cells (min {min})"),
    "load.raster_negative.fix": ("设置栅格的 nodata 值（如 -1）或修正像元值",
                                 "set the nodata value of the raster (e.g. -1) or correct the "
                                 "cells"),
    "load.raster_source_crs": ("source_crs = {source_crs} 不能用于栅格",
                               "source_crs = {source_crs} cannot be applied to a raster"),
    "load.raster_source_crs.fix": ("把栅格导出为 WGS 84 或 CGCS2000 坐标，并删去 source_crs",
                                   "export the raster in WGS 84 or CGCS2000 and remove "
                                   "source_crs"),
    "load.osm_layer": ("已忽略 layer = {layer}：OSM 道路取自 highway=* 的路段",
                       "layer = {layer} ignored: OSM roads are read from the highway=* ways"),
    "load.osm_layer.fix": ("从 [layers.roads] 中删去 layer", "remove layer from [layers.roads]"),
    "load.osm_dropped": ("{m} 条 OSM 道路中 {n} 条既不能步行也不能行车，已舍弃（{reasons}）",
                         "{n} of {m} OSM highway ways dropped, open to neither walking nor "
                         "driving ({reasons})"),
    "load.osm_cut": ("{n} 条 OSM 道路引用了数据中缺失的 {nodes} 个节点（在范围边缘被截断）；"
                     "已在缺口处断开，不跨缺口连接",
                     "{n} OSM ways reference {nodes} nodes missing from the extract (clipped "
                     "at its edge); cut at the gaps, never joined across them"),
    "load.osm_cut.fix": ("如边缘附近的道路中断，请导出更大范围的数据",
                         "export a larger extract if roads stop short near the edge"),
    "load.no_attributes": ("没有属性字段，项目中对应的 {n} 个字段都无法读取",
                           "has no attribute fields, so none of the {n} fields mapped in the "
                           "project can be read"),
    "load.no_attributes.fix": ("检查属性表（.shp 旁的 .dbf）是否完整可读，或路径是否指向正确的文件",
                               "check that the attribute table (the .dbf beside a .shp) is "
                               "complete and readable, or that the path names the right file"),
    "load.fields_absent": ("项目中对应的 {n} 个字段都不存在（现有字段：{fields}）",
                           "none of the {n} fields mapped in the project exist (fields: "
                           "{fields})"),
    "load.fields_absent.fix": ("检查 layers.{layer}.path（及 layer）是否指向正确的图层，或重新"
                               "对应字段（lifecircle init）",
                               "check that layers.{layer}.path (and layer) name the right "
                               "layer, or map the fields again (lifecircle init)"),
    "load.field_absent": ("对应到 {column} 的字段 {source} 不存在",
                          "field {source} mapped to {column} does not exist"),
    "load.field_absent.fix": ("把 fields.{column} 设为以下之一：{fields}",
                              "set fields.{column} to one of: {fields}"),
    "load.values_not_column": ("values.{column}：{column} 不是 {layer} 图层的列",
                               "values.{column}: {column} is not a column of {layer}"),
    "load.values_not_column.fix": ("使用以下之一：{columns}", "use one of: {columns}"),
    "load.values_unmapped": ("设置了 values.{column}，但没有字段对应到 {column}",
                             "values.{column} is set but no field is mapped to {column}"),
    "load.values_unmapped.fix": ("设置 fields.{column} = \"<字段>\"",
                                 "set fields.{column} = \"<field>\""),
    "load.value_target": ("values.{column}：{source} = {target} 不是已知的 {column} 取值",
                          "values.{column}: {source} = {target} is not a known {column}"),
    "load.value_target.fix": ("使用以下之一：{options}", "use one of: {options}"),
    "load.id_constant": ("字段 {field} {what}，不能用作 {column}；已自动编号 {ids}",
                         "field {field} is {what}, so it is not used as the {column}; ids "
                         "{ids} generated"),
    "load.id_constant.fix": ("把 fields.{column} 对应到唯一编码字段，或设置 fields.{column} = "
                             "\"auto\" 以消除此提示",
                             "map fields.{column} to a unique code field, or set "
                             "fields.{column} = \"auto\" to silence this"),
    "load.id_empty": ("{column} 为空（{rows}）", "empty {column} ({rows})"),
    "load.id_empty.fix": ("填写 {source}，或把其他字段对应到 {column}，或设置 fields.{column} = "
                          "\"auto\" 按行编号",
                          "fill in {source}, map another field to {column}, or set "
                          "fields.{column} = \"auto\" to number the rows"),
    "load.no_id": ("没有编码字段（{names}）；已自动编号 {ids}",
                   "no id field ({names}); ids {ids} generated"),
    "load.no_id.fix": ("把 fields.{column} 对应到唯一编码字段，或设置 fields.{column} = \"auto\"",
                       "map fields.{column} to a unique code field, or set fields.{column} = "
                       "\"auto\""),
    "load.unknown_item": ("{value}（{n} 行{close}）", "{value} ({n} rows{close})"),
    "load.unknown_item_one": ("{value}（{n} 行{close}）", "{value} ({n} row{close})"),
    "load.closest": ("；相近：{names}", "; closest: {names}"),
    "load.unknown_values": ("{n} 个无法识别的 {column} {noun}：{items}",
                            "{n} unknown {column} {noun}: {items}"),
    "load.unknown_values.fix": ("{fix}", "{fix}"),
    "load.values_fix.kind": ("在 [layers.{layer}.values.kind] 中对应（如 \"<取值>\" = \"urban\" "
                             "或 \"rural\"）",
                             "map them in [layers.{layer}.values.kind] (e.g. \"<value>\" = "
                             "\"urban\" or \"rural\")"),
    "load.values_fix.category": ("在标准配置中给类别加别名，或在 [layers.{layer}.values.category] "
                                 "中对应（如 \"<取值>\" = \"health\"）；类别：{keys}",
                                 "add an alias to the category in the profile, or map them in "
                                 "[layers.{layer}.values.category] (e.g. \"<value>\" = "
                                 "\"health\"); keys: {keys}"),
    "load.values_fix.status": ("在 [layers.{layer}.values.status] 中对应（\"<取值>\" = "
                               "\"existing\" 或 \"planned\"）",
                               "map them in [layers.{layer}.values.status] (\"<value>\" = "
                               "\"existing\" or \"planned\")"),
    "load.values_fix.road_class": ("在 [layers.{layer}.values.road_class] 中对应（\"<取值>\" = "
                                   "{classes} 之一）",
                                   "map them in [layers.{layer}.values.road_class] (\"<value>\" "
                                   "= one of {classes})"),
    "load.values_fix.oneway": ("在 [layers.{layer}.values.oneway] 中对应（\"<取值>\" = \"yes\" "
                               "或 \"no\"）",
                               "map them in [layers.{layer}.values.oneway] (\"<value>\" = "
                               "\"yes\" or \"no\")"),
    "load.values_fix.bool": ("在 [layers.{layer}.values.{column}] 中对应（\"<取值>\" = \"yes\" "
                             "或 \"no\"）",
                             "map them in [layers.{layer}.values.{column}] (\"<value>\" = "
                             "\"yes\" or \"no\")"),
    "load.not_yes_no": ("字段 {field}（{column}）：取值 {values} 不是“是/否”（1/0），按无数据处理",
                        "field {field} ({column}): values {values} are not yes/no (是/否, 1/0); "
                        "treated as no data"),
    "load.not_yes_no.fix": ("在 values.{column} 中对应", "map them in values.{column}"),
    "load.default.road_class": ("没有道路等级字段（等级/DJ/DLDJ/CLASS/highway），全部道路按 "
                                "'unclassified'（其他道路）处理",
                                "no road class field (等级/DJ/DLDJ/CLASS/highway); every road "
                                "treated as 'unclassified'"),
    "load.default.road_class.fix": ("对应 fields.road_class", "map fields.road_class"),
    "load.default_blank": ("{n} 个{layer}要素的 {field} 为空，按 '{default}' 处理",
                           "{n} {layer} without {field}; treated as '{default}'"),
    "load.no_name": ("没有名称字段（名称/MC/SQMC/NAME），以编号作名称",
                     "no name field (名称/MC/SQMC/NAME); names set to the ids"),
    "load.no_name.fix": ("对应 fields.name", "map fields.name"),
    "load.kind_inferred": ("没有城乡字段（城乡/CXLX/LX），按名称推断：农村 {rural} 个（名称以“村”"
                           "结尾），城市 {urban} 个",
                           "no urban/rural field (城乡/CXLX/LX); kind inferred from names: "
                           "{rural} rural (names ending in 村), {urban} urban"),
    "load.kind_inferred.fix": ("对应 fields.kind", "map fields.kind"),
    "load.kind_blank": ("{n} 个社区的 {field} 为空，按名称推断城乡",
                        "{n} communities without {field}; kind inferred from their names"),
    "load.no_circle": ("{n} 个社区为 {kinds}（{rows}），但标准配置 {profile} 没有 {kinds} 生活圈",
                       "{n} communities are {kinds} ({rows}) but profile {profile} defines no "
                       "{kinds} circle"),
    "load.no_circle.fix": ("在标准配置中添加 [circles.{first}]，或在 [layers.{layer}.values.kind] "
                           "中把其 {source} 取值对应为 {circles} 之一",
                           "add [circles.{first}] to the profile, or map their {source} values "
                           "to one of {circles} in [layers.{layer}.values.kind]"),
    "load.no_field": ("没有 {column} 字段", "no {column} field"),
    "load.no_field.fix": ("把 fields.{column} 对应到{what}字段；现有字段：{fields}",
                          "map fields.{column} to the field of {what}; fields: {fields}"),
    "load.what.communities.population": ("常住人口", "residents"),
    "load.what.population.population": ("每个点的人数", "people per point"),
    "load.population_from_points": ("没有人口字段，居民数取自人口图层（人口点按社区汇总）",
                                    "no population field; the residents come from the "
                                    "population layer (points are summed into each community)"),
    "load.category_from_names": ("没有类型字段，按 {field} 中的名称识别类别",
                                 "no category field; categories recognised from the names in "
                                 "{field}"),
    "load.category_from_names.fix": ("对应 fields.category", "map fields.category"),
    "load.no_category": ("没有类型字段（类型/LX/LB/类别/CATEGORY）",
                         "no category field (类型/LX/LB/类别/CATEGORY)"),
    "load.no_category.fix": ("把 fields.category 对应到设施类型字段；全部为同一类时在 "
                             "[layers.{layer}] 中设置 category = \"<类别>\"；现有字段：{fields}",
                             "map fields.category to the field of facility types, or set "
                             "category = \"<key>\" in [layers.{layer}] when all are one type; "
                             "fields: {fields}"),
    "load.category_empty": ("类型为空（{rows}）", "empty category ({rows})"),
    "load.category_empty.fix": ("填写设施类型", "fill in the facility type"),
    "inspect.raster": ("  栅格: {w} x {h} 像元，分辨率 {rx} x {ry}，{bands} 个波段，"
                       "nodata {nodata}，{dtype}",
                       "  raster: {w} x {h} cells, resolution {rx} x {ry}, {bands} band(s), "
                       "nodata {nodata}, {dtype}"),
    "inspect.features": ("  要素: {rows}   几何: {geometry}",
                         "  features: {rows}   geometry: {geometry}"),
    "inspect.crs": ("  坐标系: {crs}", "  CRS: {crs}"),
    "inspect.no_crs": ("无（缺少 .prj）", "none (missing .prj)"),
    "inspect.extent": ("  范围: 经度 {x0}–{x1}，纬度 {y0}–{y1}",
                       "  extent: lon {x0}–{x1}, lat {y0}–{y1}"),
    "inspect.encoding": ("  编码: {encoding}（{how}{sample}）",
                         "  encoding: {encoding} ({how}{sample})"),
    "inspect.sample": ("，例：{sample}", ", e.g. {sample}"),
    "inspect.enc.cpg": ("按 .cpg", "from .cpg"),
    "inspect.enc.detected": ("无 .cpg，按字节识别", "no .cpg, detected from the bytes"),
    "inspect.enc.corrected": (".cpg 与内容不符，按字节识别",
                              ".cpg contradicted the bytes, detected"),
    "inspect.enc.project": ("项目文件指定", "set in the project"),
    "inspect.enc.driver": ("格式自带", "native to the format"),
    "inspect.enc.default": ("无法识别", "could not detect"),
    "inspect.role": ("  判断为: {name}图层{role}", "  looks like: {name} layer{role}"),
    "inspect.fields": ("  字段:", "  fields:"),
    "inspect.problems": ("  问题 ({n}):", "  problems ({n}):"),
    "inspect.warnings": ("  提示 ({n}):", "  warnings ({n}):"),
    "inspect.no_problems": ("  未发现问题", "  no problems found"),
    "inspect.nothing": ("没有找到可读取的图层", "no readable layers found"),
    "inspect.no_features": ("没有要素", "no features"),
    "inspect.no_features.fix": ("给出有要素的图层（此图层为空）",
                                "give a layer that holds features (this one is empty)"),
    "inspect.mixed_geometry": ("几何类型混杂：{types}", "mixed geometry types {types}"),
    "inspect.mixed_geometry.fix": ("按几何类型拆分图层", "split the layer by geometry type"),
    "init.header": ("# lifecircle 项目文件，由 `lifecircle init` 根据以下数据生成：",
                    "# lifecircle project file, written by `lifecircle init` from:"),
    "init.attention": ("# 需要补充或确认的行在下方已标出（行首为待办标记），补好后删去该标记。",
                       "# Lines needing your attention are marked below; fill them in and "
                       "remove the marker."),
    "init.check": ("# 检查：lifecircle check <本文件>",
                   "# Check it with: lifecircle check <this file>"),
    "init.missing_layer": ("# TODO: [layers.{role}]  # 必需：未找到{name}图层",
                           "# TODO: [layers.{role}]  # required: no {name} layer found"),
    "init.project_districts": ("{names}等{n}个区县", "{names} and others ({n} districts)"),
    "init.missing_path": ("# TODO: path = \"{file}.shp\"", "# TODO: path = \"{file}.shp\""),
    "init.optional_population": ("# 可选：人口栅格（GeoTIFF）或人口点图层；"
                                 "缺省时按社区人口沿道路均分",
                                 "# optional: a population raster (GeoTIFF) or points; without "
                                 "it community population is spread along its roads"),
    "init.unused": ("# 未使用的图层（无法判断用途）：", "# layers not used (role unclear):"),
    "init.doubt_role": ("请确认 {file} 是{name}图层：按字段和取值它也像{other}图层",
                        "check that {file} is the {name} layer: by its fields and values it "
                        "could also be the {other} layer"),
    "init.crs_auto": ("自动选用以数据为中心的横轴墨卡托投影（米）",
                      "a transverse Mercator centred on the data (m)"),
    "init.crs_own": ("数据自身的投影坐标系，在数据范围内距离误差不超过 {err}",
                     "the data's own projected CRS; distances off by at most {err} here"),
    "init.encoding": ("# 编码：{encoding}（{how}）{sample}；如有乱码请设置 encoding",
                      "# encoding: {encoding} ({how}){sample}; set encoding if names look "
                      "garbled"),
    "init.offset.gcj02": ("高德/腾讯 GCJ-02", "Amap/Tencent GCJ-02"),
    "init.offset.bd09": ("百度 BD-09", "Baidu BD-09"),
    "init.offset_why": ("按道路判断：90% 的点距道路 {given} 米以内（按原坐标），"
                        "按 {system} 换算后为 {read} 米以内，是{offset}坐标的偏移",
                        "from the roads: 90 % of the points lie within {given} m of a road as "
                        "given, within {read} m read as {system}: the {offset} offset"),
    "init.please_check": ("# TODO: 请确认 ", "# TODO: please check "),
    "init.from_name": ("  # TODO: 仅根据文件名推断为{offset}，请确认",
                       "  # TODO: guessed from the file name only ({offset}); please check"),
    "init.no_crs_fits": ("TODO: 文件没有坐标系；按 {code} 解读时与其他图层位置重合，请确认",
                         "TODO: the file has no CRS; read as {code} it lies where the other "
                         "layers are; please check"),
    "init.no_crs": ("# TODO: source_crs = \"cgcs2000\"  # 文件没有坐标系（缺 .prj）",
                    "# TODO: source_crs = \"cgcs2000\"  # the file has no CRS (no .prj)"),
    "init.crs_from_file": ("# 坐标系取自文件：{crs}", "# CRS from the file: {crs}"),
    "init.no_offset": ("；与道路对照未见高德/百度偏移（90% 的点距道路 {d} 米以内）",
                       "; compared with the roads: no Amap/Baidu offset (90 % of the points "
                       "within {d} m of a road)"),
    "init.same_datum": ("；WGS 84 与 CGCS2000 相差不足 1 米，无需区分",
                        "; WGS 84 and CGCS2000 differ by less than 1 m here"),
    "init.id_auto": ("{field} 不能作编号（{doubt}），已改为自动编号；如有唯一编码字段请填写",
                     "{field} is no id ({doubt}); rows are numbered; name a unique code field "
                     "if there is one"),
    "init.please_confirm": ("，请确认", "; please check"),
    "init.population_points": ("# population：由人口点图层按社区汇总",
                               "# population: summed from the population points in each "
                               "community"),
    "init.id_numbered": ("# {column}：无编码字段，按行自动编号",
                         "# {column}: no code field; rows are numbered"),
    "init.name_ids": ("# name：无名称字段，以编号代替（可选）",
                      "# name: no name field; ids are shown instead (optional)"),
    "init.todo_field": ("# TODO: {column} = \"\"  # {what}; 常见字段名 {known}；现有字段：{fields}",
                        "# TODO: {column} = \"\"  # {what}; usual names {known}; fields: "
                        "{fields}"),
    "init.what.population": ("人口", "residents"),
    "init.what.name": ("名称", "names"),
    "init.what.kind": ("城市/农村（缺省时按名称推断：以“村”结尾为农村）",
                       "urban/rural (else inferred from names ending in 村)"),
    "init.what.cid": ("唯一编码（缺省时自动编号）", "unique code (else numbered)"),
    "init.what.category": ("设施类型；全部为同一类时可在上方写 category = \"类别\"",
                           "facility type; for a layer of one type write category = \"<key>\" "
                           "above"),
    "init.what.road_class": ("道路等级（缺省时全部按 unclassified）",
                             "road class (else all 'unclassified')"),
    "init.values_header": ("  # 未识别的取值：填写对应的 {options}",
                           "  # values not recognised: give {options}"),
    "init.value_todo": ("# TODO: {value} = \"\"  # {n} 行{near}",
                        "# TODO: {value} = \"\"  # {n} rows{near}"),
    "init.closest": ("；相近：{labels}", "; closest: {labels}"),
    "init.doubt.empty": ("字段为空", "the field is empty"),
    "init.doubt.constant": ("每行都是 {value}", "{value} in every row"),
    "init.doubt.repeats": ("有重复值 {value}", "repeats {value}"),
    "init.doubt.blanks": ("有空值", "has blanks"),
    "init.doubt.numbers": ("含非数字的值 {value}", "holds non-numbers such as {value}"),
    "init.doubt.values": ("{n} 行的值不是{column}的取值，如 {value}",
                          "{n} rows hold values that are not {column} values, e.g. {value}"),
    "load.none": ("（无）", "(none)"),
    "load.no_fields": ("（无字段）", "(no fields)"),
}
TEXT.update(LAYER_TEXT)


#: Scorecard notes (accessibility.scorecard writes them in English): Chinese renderings.
#: Placeholders in ``{}`` take the numbers and names of the note.
# ---- supply and load, target groups, equity, scenarios, compare (issue 14)
TEXT.update({
    "score.info": ("参考", "for information"),
    "equity.gini_coverage": ("社区覆盖率基尼系数（人口加权）",
                             "Gini of community coverage (population-weighted)"),
    "equity.theil_coverage": ("社区覆盖率泰尔指数（人口加权）",
                              "Theil index of community coverage (population-weighted)"),
    "equity.urban_rural_gap": ("城乡覆盖率差距（城市减农村）",
                               "urban-rural coverage gap (urban minus rural)"),
    "equity.gini_time": ("出行时间基尼系数", "Gini of travel times"),
    "equity.theil_time": ("出行时间泰尔指数", "Theil index of travel times"),
    "equity.points": ("百分点", "percentage points"),
    "equity.all": ("全部必需服务", "all required services"),
    "equity.whole": ("全域", "whole area"),
    "report.supply": ("供需与设施负荷（两步移动搜索法 2SFCA / E2SFCA）",
                      "Supply and load (2SFCA / E2SFCA)"),
    "report.supply_note": (
        "负荷 = 设施生活圈时限内的居民（服务重点人群的类别按该人群计）；"
        "超负荷 = 负荷超过服务规模。"
        "人均供给 = 可达服务规模 / 千人：2SFCA 时限内权重均为 1；"
        "E2SFCA 按距离衰减，近处居民权重更高（默认 Luo 和 Qi 2009：时限三等分，"
        "权重 1 / 0.68 / 0.22；15 分钟步行即 GB 50180 的 5/10/15 分钟三级）。",
        "Load = residents within the facility's circle (the target group for categories "
        "serving one); over capacity = load above the capacity. Supply = capacity reachable "
        "per 1,000 residents: 2SFCA weighs everyone within the limit alike; E2SFCA weighs "
        "nearer residents more (default Luo and Qi 2009: the limit in three equal zones "
        "weighted 1 / 0.68 / 0.22; for a 15-minute walk these are GB 50180's 5/10/15-minute "
        "levels)."),
    "report.supply_method": ("方法", "method"),
    "supply.2sfca": ("2SFCA（时限内权重为 1）", "2SFCA (weight 1 within the limit)"),
    "supply.steps": ("E2SFCA 阶梯衰减（时限 {n} 等分，权重 {weights}）",
                     "E2SFCA, steps ({n} equal zones of the limit, weights {weights})"),
    "supply.gaussian": ("E2SFCA 高斯衰减（σ = {share} × 时限）",
                        "E2SFCA, Gaussian (σ = {share} × the limit)"),
    "report.no_supply": ("设施没有服务规模（capacity）数据，无法计算供需比。",
                         "No facility has a capacity: no supply ratios."),
    "report.groups": ("重点人群覆盖（老年人、儿童）", "Target groups (elderly, children)"),
    "report.groups_note": (
        "重点人群按其出行方式（老年人步行 3 km/h）计算；人群数量按社区比例分配到需求点。",
        "Groups travel by their own mode (the elderly walk at 3 km/h); a community's group "
        "count is spread over its demand points like its population."),
    "report.equity": ("均衡性（城乡均等化）", "Equity (urban-rural equalisation)"),
    "report.equity_note": (
        "基尼系数与泰尔指数为 0 表示完全均衡；"
        "出行时间中不可达者按搜索上限（生活圈时限的 2 倍）计。",
        "Gini and Theil are 0 when perfectly even; unreachable residents count at the search "
        "limit (twice the circle's minutes)."),
    "report.lorenz": ("洛伦兹曲线：社区全部服务覆盖率", "Lorenz curve: community coverage"),
    "report.lorenz_x": ("累计人口比例", "cumulative share of residents"),
    "report.lorenz_y": ("累计覆盖人口比例", "cumulative share of covered residents"),
    "report.scenarios": ("情景：现状、加规划设施、加建议新址",
                         "Scenarios: existing, + planned, + proposed sites"),
    "report.no_planned": ("没有规划设施（status = planned）。",
                          "No planned facilities (status = planned)."),
    "scenario.existing": ("现状", "existing"),
    "scenario.planned": ("现状+规划", "existing + planned"),
    "scenario.proposed": ("现状+规划+建议新址", "existing + planned + proposed"),
    "scenario.group_share": ("重点人群覆盖率", "target group covered"),
    "scenario.supply_2sfca": ("每千人供给 (2SFCA)", "supply per 1,000 (2SFCA)"),
    "scenario.supply_e2sfca": ("每千人供给 (E2SFCA)", "supply per 1,000 (E2SFCA)"),
    "report.scenario_measures": ("各情景的供需与重点人群覆盖",
                                 "Supply and target groups in each scenario"),
    "report.measure": ("指标", "measure"),
    "report.change": ("变化（末情景减现状）", "change (last scenario minus existing)"),
    "report.scenario_measures_note": (
        "供给为需求点人口加权的每千人可达服务规模；重点人群覆盖率按该人群的出行方式计算；"
        "覆盖率变化单位为百分点。建议新址按其服务规模参与供需计算（见下表）。",
        "Supply is the population-weighted mean capacity reachable per 1,000 residents; "
        "target groups travel by their own mode; coverage changes are in percentage "
        "points. Proposed sites count with the capacity listed below."),
    "report.proposed_capacity": ("建议新址的服务规模（供需计算所用）",
                                 "Capacity assumed for the proposed sites (for supply)"),
    "capacity_from.candidate": ("候选用地图层", "candidates layer"),
    "capacity_from.planner": ("规划参数 --capacity", "planner option --capacity"),
    "capacity_from.profile": ("标准配置默认值（default_capacity）",
                              "profile default (default_capacity)"),
    "capacity_from.none": ("无数据（按 0 计）", "none (counted as 0)"),
    "warn.no_capacity": ("{category}：{m} 个设施中 {n} 个没有服务规模，两步移动搜索法中按 0 计",
                         "{category}: {n} of {m} facilities have no capacity; counted as 0 "
                         "places in the 2SFCA supply"),
    "warn.group_missing": ("{group}：社区图层缺少 `{field}`（部分或全部社区），"
                           "重点人群覆盖为无数据；请在 [layers.communities.fields] 中对应该字段",
                           "{group}: the communities layer lacks `{field}` (for some or all "
                           "communities); group coverage: no data; fix: map the field in "
                           "[layers.communities.fields]"),
    "report.due": ("（{year}年）", " (by {year})"),
    "report.with_capacity": ("有服务规模的设施", "with capacity"),
    "report.utilisation": ("负荷率", "load / capacity"),
    "report.supply_mean": ("每千人服务规模（人口加权平均）",
                           "capacity per 1,000 residents (population-weighted mean)"),
    "report.supply_min": ("社区最低", "lowest community"),
    "report.supply_max": ("社区最高", "highest community"),
    "report.share_all": ("全体居民覆盖率", "all residents covered"),
    "compare.title": ("年度对比", "Comparison"),
    "compare.districts": ("各区县变化", "Change by district"),
    "compare.communities": ("变化最大的社区/村", "Communities that changed most"),
    "compare.scorecard": ("指标变化", "Indicator changes"),
    "compare.gaps": ("服务缺口人口变化", "Change in residents in gaps"),
    "head.pct": ("{label} (%)", "{label} (%)"),
    "head.pp": ("{label}（百分点）", "{label} (percentage points)"),
    "compare.pp_head": ("{label}{change}（百分点）", "{label}: {change} (percentage points)"),
    "compare.status.both": ("两次均有", "in both"),
    "compare.status.only_a": ("仅前一次有", "only in the earlier result"),
    "compare.status.only_b": ("仅后一次有", "only in the later result"),
    "err.cmp.unreadable": ("{path}：不是可读取的 GeoPackage；修正：给出由 `lifecircle check` 或 "
                           "`run` 写出的成果文件夹",
                           "{path}: not a readable GeoPackage; fix: give a result folder "
                           "written by `lifecircle check` or `run`"),
    "err.cmp.old": ("{path}：没有图层 {layer}，由旧版 lifecircle 生成；修正：用本版本重新运行",
                    "{path}: no layer {layer}; made by an older lifecircle; fix: run it again "
                    "with this version"),
    "err.cmp.layer": ("{path}：没有图层 {layer}；修正：给出完整的成果文件夹",
                      "{path}: no layer {layer}; fix: give a complete result folder"),
    "err.cmp.absent": ("{name} {folder}：不存在；修正：给出由 `lifecircle check` 或 `run` 写出的"
                       "成果文件夹",
                       "{name} {folder}: does not exist; fix: give a result folder written by "
                       "`lifecircle check` or `run`"),
    "err.cmp.no_gpkg": ("{name} {folder}：其中没有 {gpkg}；修正：给出由 `lifecircle check` 或 "
                        "`run` 写出的成果文件夹",
                        "{name} {folder}: no {gpkg} inside; fix: give a result folder written "
                        "by `lifecircle check` or `run`"),
    "err.cmp.profiles": ("{a} 使用标准配置 {pa}，{b} 使用 {pb}：不同标准的成果无法对比；"
                         "修正：用同一标准配置运行两次",
                         "{a} used profile {pa}, {b} profile {pb}: results of different "
                         "standards cannot be compared; fix: run both with the same profile"),
    "err.cmp.region": ("{a} 与 {b}：{na} / {nb} 个社区中只有 {n} 个（cid）相同，不是同一地区；"
                       "修正：对比同一地区的成果（社区编号须一致）",
                       "{a} and {b}: only {n} of {na} / {nb} communities (cid) in common: not "
                       "the same region; fix: compare results of the same region (community "
                       "ids must match)"),
    "err.cmp.profile_gone": ("{folder}：成果所用的标准配置 {key} 读自 {path}，该文件已不存在；"
                             "修正：把该配置文件放回 {path}，或用内置标准配置重新运行两次",
                             "{folder}: the profile {key} of this result was read from {path}, "
                             "which is gone; fix: put the profile file back at {path}, or run "
                             "both again with a shipped profile"),
    "circle.urban": ("城市生活圈", "urban circle"),
    "circle.rural": ("农村生活圈", "rural circle"),
})
FIELDS_MORE: dict[str, tuple[str, str]] = {
    "capacity": ("服务规模", "capacity"),
    "load": ("负荷(生活圈内居民)", "load (residents within the circle)"),
    "load_of": ("负荷口径", "load counted in"),
    "ratio": ("每千人服务规模", "capacity per 1,000 residents"),
    "over_capacity": ("超负荷", "over capacity"),
    "utilisation": ("负荷率(负荷/服务规模)", "load / capacity"),
    "supply_2sfca": ("每千人供给(2SFCA)", "supply per 1,000 (2SFCA)"),
    "supply_e2sfca": ("每千人供给(E2SFCA)", "supply per 1,000 (E2SFCA)"),
    "capacity_from": ("服务规模来源", "capacity from"),
    "scn_planned": ("全部服务覆盖率(含规划)", "covered for all services (+ planned)"),
    "scn_proposed": ("全部服务覆盖率(含建议新址)", "covered for all services (+ proposed)"),
    "year": ("目标年份", "target year"),
    "note": ("说明", "note"),
    "scenario": ("情景", "scenario"),
    "group": ("重点人群", "target group"),
    "share": ("覆盖率", "covered share"),
    "covered_pop": ("覆盖人口", "covered residents"),
    "group_residents": ("人群数量", "group residents"),
    "group_covered": ("人群覆盖数", "group covered"),
    "group_share": ("人群覆盖率", "group covered share"),
    "facilities": ("设施数", "facilities"),
    "measure": ("指标", "measure"),
    "units": ("计数单元", "units counted"),
    "delta": ("变化", "change"),
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise ``ValueError`` naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'zh' or 'en'")
    return lang


def choose(pair: tuple[str, str], lang: str) -> str:
    """The text of a ``(Chinese, English)`` pair in ``lang``: the one place a language is
    chosen (catalogue entries, the profile's own names ``name_zh``/``name_en``)."""
    return pair[0] if lang == "zh" else pair[1]


def t(key: str, lang: str = "zh", /, **values: Any) -> str:
    """Label ``key`` in ``lang``, formatted with ``values`` (plain text, not escaped).

    Unknown keys return the key itself so a missing label shows rather than crashes.
    """
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = choose(pair, lang)
    return text.format(**values) if values else text


def both(text_in: Any) -> tuple[str, str]:
    """A ``(zh, en)`` placeholder pair made by calling ``text_in(lang)`` in each language."""
    return text_in("zh"), text_in("en")


def listed(values: Any, lang: str, limit: int | None = None, sep: str = "sep.list") -> str:
    """Values joined by the separator ``sep`` of ``lang`` (``a、b、c`` / ``a, b, c``); past
    ``limit`` the rest are counted (``（另 4 个）`` / `` (+4 more)``)."""
    vals = [str(v) for v in values]
    shown = vals if limit is None else vals[:limit]
    text = t(sep, lang).join(shown)
    if limit is not None and len(vals) > limit:
        text += t("sep.more", lang, n=len(vals) - limit)
    return text


def rows_text(rows: Any, lang: str, limit: int = 5) -> str:
    """``rows 3, 7, 12 (+4 more)`` / ``第 3、7、12 行（另 4 行）`` for 1-based source rows."""
    rows = [int(r) for r in rows]
    head = t("sep.list", lang).join(str(r) for r in rows[:limit])
    text = t("sep.rows" if len(rows) > 1 else "sep.row", lang, rows=head)
    if len(rows) > limit:
        text += t("sep.rows_more", lang, n=len(rows) - limit)
    return text


def render(message: Any, lang: str = "zh") -> str:
    """Any message in ``lang``: a :class:`~lifecircle.errors.Note`, ``Problem`` or
    ``LifecircleError`` through the catalogue, a ``(zh, en)`` pair by language, anything
    else as its ``str`` (text already made in the run's language)."""
    from lifecircle.errors import pick

    out = pick(message, lang)
    return out if isinstance(out, str) and type(out) is str else str(out)


def pair(key: str, **values: Any) -> tuple[str, str]:
    """Label ``key`` as a ``(zh, en)`` pair: a placeholder value of
    :meth:`lifecircle.errors.Problem.of` rendered in the problem's language."""
    return t(key, "zh", **values), t(key, "en", **values)


def items(values: Any, limit: int | None = None) -> tuple[str, str]:
    """A list of names, keys or values as a ``(zh, en)`` placeholder pair: ``a、b、c`` in
    Chinese, ``a, b, c`` in English (see :func:`listed`)."""
    vals = list(values)
    return both(lambda lang: listed(vals, lang, limit))


def category_name(key: str, profile: Profile | None, lang: str = "zh") -> str:
    """Display name of a category key from the profile catalogue (the key when unknown or
    without a profile)."""
    cats: Mapping[str, Any] = getattr(profile, "categories", {}) or {}
    cat = cats.get(key)
    return cat.name(lang) if cat is not None else str(key)


#: Column prefixes of a per-category measure (``cov_health``), labelled ``field.<prefix>``;
#: those in :data:`ALL_PREFIXES` also have an ``_all`` column (every required service).
FIELD_PREFIXES = ("sup_", "esup_", "gcov_", "d_cov_", "cov_", "t_")
ALL_PREFIXES = ("sup_", "esup_", "gcov_", "d_cov_")


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
    pair = (LAYER_FIELDS.get((layer or "", column)) or FIELDS.get(column)
            or FIELDS_MORE.get(column))
    if pair is not None:
        return choose(pair, lang)
    for prefix in FIELD_PREFIXES:
        if column.startswith(prefix):
            key = column[len(prefix):]
            name = (t("equity.all", lang) if key == "all" and prefix in ALL_PREFIXES
                    else category_name(key, profile, lang))
            return t(f"field.{prefix}", lang, name=name)
    return column


def value_label(column: str, value: Any, lang: str = "zh") -> str | None:
    """Translated label of a coded value (kind, status, ...), or None when not coded."""
    if column == "kind" and value in ("urban", "rural"):
        return t(f"kind.{value}", lang)
    if column == "status" and value in ("existing", "planned"):
        return t(f"status.{value}", lang)
    if column == "scenario" and value in ("existing", "planned", "proposed"):
        return t(f"scenario.{value}", lang)
    if column == "status" and value in ("pass", "fail", "no data", "info"):
        return t(f"score.{value}", lang)
    if column == "status" and value in ("both", "only_a", "only_b"):
        return t(f"compare.status.{value}", lang)
    if column == "scope" and value == "all":
        return t("equity.whole", lang)
    if column == "scope" and value == "district":
        return field_label("district", None, lang)
    if column == "measure" and f"equity.{value}" in TEXT:
        return t(f"equity.{value}", lang)
    if column == "capacity_from" and f"capacity_from.{value}" in TEXT:
        return t(f"capacity_from.{value}", lang)
    if column == "circle" and value in ("urban", "rural"):
        return t(f"circle.{value}", lang)
    return None


# ---------------------------------------------------------------- command line
#: Chinese for the command line's own texts: click's messages (usage, errors) and the help
#: of lifecircle's commands and options (keyed by their English first sentence or text).
CLI_ZH: dict[str, str] = {
    "Usage:": "用法：", "Options": "选项", "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Error: {message}": "错误：{message}", "Aborted!": "已中止！",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing argument": "缺少参数", "Missing option": "缺少选项",
    "Missing parameter": "缺少参数", "Missing command.": "缺少命令。",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "default: {default}": "默认：{default}", "required": "必填", "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Did you mean {possibility}?": "是否想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否想用：{possibilities}？）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Example:": "示例：",
    # lifecircle's commands (first line of the help) and options
    "lifecircle: check and plan community life circles (社区生活圈).":
        "lifecircle：社区生活圈评估与规划。",
    "Show the layers, CRS, fields, encoding and problems of a data file.":
        "显示数据文件的图层、坐标系、字段、编码和问题。",
    "Write a project file from the given layers by recognising their fields.":
        "识别给定图层的字段，写出项目文件。",
    "List, show and export standards profiles (circles, modes, categories, indicators).":
        "列出、查看和导出标准配置（生活圈、出行方式、服务类别、指标）。",
    "List the shipped profiles.": "列出内置的标准配置。",
    "Show a profile's circles, modes and categories (with every name a layer may use).":
        "显示标准配置的生活圈、出行方式和服务类别（及图层可用的所有名称）。",
    "Copy a profile (with its comments) to a file to edit.":
        "把标准配置（含注释）复制为可编辑的文件。",
    "Check the 15-minute urban and 30-minute rural circles; write coverage and scorecard.":
        "评估城市 15 分钟和农村 30 分钟生活圈，写出覆盖率和指标表。",
    "Propose and rank sites for new facilities where the circles have gaps.":
        "在生活圈缺口处为新设施推荐选址并排序。",
    "Load, check, plan and write every output (GeoPackage, map, report, rasters).":
        "读取、评估、选址并写出全部成果（GeoPackage、地图、报告、栅格）。",
    "Run the whole pipeline on the shipped synthetic Ma'anshan demo (合成数据).":
        "用内置的马鞍山合成演示数据运行全部流程。",
    "Compare two results (e.g. two years): change per community and district.":
        "对比两次成果（如两个年度）：各社区和区县的变化。",
    "Show tracebacks on errors.": "出错时显示调用栈。",
    "Print nothing but errors (for scripts).": "只输出错误（用于脚本）。",
    "Language of messages, map and report (default zh).": "消息、地图和报告的语言（默认 zh）。",
    "Result folder to write.": "要写出的成果文件夹。",
    "Replace an existing output (result folder or file).": "替换已有的输出（成果文件夹或文件）。",
    "Project file to write.": "要写出的项目文件。",
    "Standards profile: a shipped name (see `lifecircle profile list`), a profile TOML file, "
    "or a project file whose profile to use (default maanshan-2025).":
        "标准配置：内置名称（见 `lifecircle profile list`）、配置 TOML 文件或项目文件"
        "（默认 maanshan-2025）。",
    "Profile TOML file to write (edit it, then set profile = \"<file>\").":
        "要写出的配置 TOML 文件（编辑后在项目中设置 profile = \"<文件>\"）。",
    "Worker processes for per-category work (default: every core); the results are the same "
    "for any number. With --scheduler local: the number of local workers.":
        "按类别并行的进程数（默认：全部核心）；结果与进程数无关。"
        "配合 --scheduler local：本机 worker 数。",
    "Also draw the service-area polygons into the GeoPackage (display only; `run` always "
    "does).": "同时把服务范围多边形写入 GeoPackage（仅供显示；`run` 总会写出）。",
    "With --scheduler: one partition per district (county) or township.":
        "配合 --scheduler：按区县或乡镇街道分区。",
    "Category to plan for: key, Chinese name or alias (repeat for joint siting), e.g. "
    "elderly_care or 养老服务站.": "要规划的服务类别：键、中文名或别名（可重复以联合选址），"
                                  "如 elderly_care 或 养老服务站。",
    "Number of new sites (maximal covering / p-median).": "新址数量（最大覆盖/P 中位模型）。",
    "Fewest sites that reach every reachable resident (set covering).":
        "覆盖全部可达居民的最少新址（集合覆盖）。",
    "Location model (default mclp, setcover with --full-coverage).":
        "选址模型（默认 mclp；与 --full-coverage 一起时为 setcover）。",
    "Solver time limit in seconds.": "求解时间上限（秒）。",
    "Residents one new site can serve (capacitated covering).":
        "每处新址可服务的居民数（带容量覆盖）。",
    "What counts against --capacity (default population).": "计入 --capacity 的对象（默认人口）。",
    "Also generate candidate sites along the roads near uncovered residents (default: only "
    "when there is no candidates layer).": "同时沿未覆盖居民附近的道路生成候选用地"
                                          "（默认：仅在没有候选用地图层时）。",
    "Write the full result folder here (default: only print a summary).":
        "把完整成果写到此文件夹（默认：只打印摘要）。",
    "Build and search the road networks on a Dask cluster, partition by partition, with the "
    "same results: local[:N] starts N local worker processes, tcp://HOST:PORT joins a running "
    "`dask scheduler` (pip install 'lifecircle[dask]'; docs/distributed.md).":
        "在 Dask 集群上按分区构建和搜索道路网络，结果相同：local[:N] 启动 N 个本机 worker 进程，"
        "tcp://HOST:PORT 连接正在运行的 `dask scheduler`"
        "（pip install 'lifecircle[dask]'；见 docs/distributed.md）。",
    # later paragraphs of the commands' help (keyed by their text on one line)
    "What cannot be recognised is left as a `# TODO` line in the file.":
        "无法识别的内容在文件中留作 `# TODO` 行。",
    "NAME is a shipped profile, a profile TOML file or a project file.":
        "NAME 为内置标准配置名、配置 TOML 文件或项目文件。",
    "Writes the GeoPackage (coverage, gaps, scorecard) and CSV tables; the display-only "
    "service areas with --service-areas, the map, report and rasters with `run`.":
        "写出 GeoPackage（覆盖率、缺口、指标表）和 CSV 表格；仅供显示的服务范围需加 "
        "--service-areas，地图、报告和栅格由 `run` 写出。",
    "Writes compare.gpkg (delta columns), CSV tables and compare.html into OUT. Results of "
    "different profiles or regions are refused.":
        "把 compare.gpkg（变化列）、CSV 表格和 compare.html 写入 OUT。不同标准配置或不同地区的"
        "成果不予对比。",
    "# then in project.toml:": "# 然后在 project.toml 中设置：",
}
_cli_lang = "en"


def cli_lang(args: Any = None) -> str:
    """The command line's language: ``--lang`` among ``args``, else ``LIFECIRCLE_LANG``,
    else Chinese."""
    import os
    import sys

    argv = list(sys.argv[1:] if args is None else args)
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            return argv[i + 1]
        if a.startswith("--lang=") and a[7:] in LANGS:
            return a[7:]
    env = os.environ.get("LIFECIRCLE_LANG", "")
    return env if env in LANGS else "zh"


def _cli_text(message: str) -> str:
    if _cli_lang == "zh":
        return CLI_ZH.get(message, message)
    return message


def _cli_ntext(singular: str, plural: str, n: int) -> str:
    return _cli_text(singular if n == 1 else plural)


def _zh_paragraphs(text: str) -> str:
    """The later paragraphs of a command's help in Chinese: a paragraph found in
    :data:`CLI_ZH` by its text on one line; in examples "Example:" and comments (``# ...``)
    by their start; command lines stay."""
    import re

    out = []
    for para in re.split(r"\n[ \t]*\n", text):
        key = " ".join(para.split())
        indent = para[:len(para) - len(para.lstrip(" \t\n"))]
        if key in CLI_ZH:
            out.append(indent + CLI_ZH[key])
            continue
        lines = []
        for line in para.split("\n"):
            head = line.lstrip()
            for en, zh in CLI_ZH.items():
                if en.startswith(("#", "Example:")) and head.startswith(en):
                    line = line[:len(line) - len(head)] + zh + head[len(en):]
                    break
            lines.append(line)
        out.append("\n".join(lines))
    return "\n\n".join(out)


def localise_cli(group: Any, lang: str) -> None:
    """Put the command line in ``lang``: click's own messages (through the ``_`` each click
    module uses) and the help of every command and option of ``group``."""
    import click

    global _cli_lang
    _cli_lang = check_lang(lang)
    for mod in ("core", "exceptions", "formatting", "parser", "types", "decorators"):
        m = getattr(click, mod, None)
        if m is not None and hasattr(m, "_"):
            m._ = _cli_text
        if m is not None and hasattr(m, "ngettext"):
            m.ngettext = _cli_ntext

    def walk(cmd: Any) -> None:
        if hasattr(cmd, "_help_option"):  # click builds --help once, in the language of then
            cmd._help_option = None
        orig = cmd.__dict__.setdefault("_lc_help", (cmd.help, cmd.short_help))
        help_en, short_en = orig
        if lang == "zh" and help_en:
            first, _sep, rest = help_en.strip().partition("\n")
            rest = _zh_paragraphs(rest)
            cmd.help = CLI_ZH.get(first.strip(), first) + (("\n" + rest) if rest else "")
            cmd.short_help = CLI_ZH.get(first.strip(), short_en)
        else:
            cmd.help, cmd.short_help = help_en, short_en
        for p in cmd.params:
            ph = p.__dict__.setdefault("_lc_help", getattr(p, "help", None))
            if ph:
                p.help = CLI_ZH.get(ph, ph) if lang == "zh" else ph
        for sub in getattr(cmd, "commands", {}).values():
            walk(sub)

    walk(group)
