"""Layer schemas as data: one declarative description per input layer.

Each :class:`LayerSchema` says what a loaded layer holds (its canonical columns with their
types, in order), which columns it cannot do without, how its ids are made (a source field
or ``"auto"``: numbered with a prefix), the geometry it is read as and the geometries ``init``
accepts for it, and the source field names recognised for each column (Chinese, pinyin
initials, English), in order of preference. Each column also says how it is read: the value
table its source values are mapped through, its default, whether an unknown value stops the
run, and a named rule; the loader reads every column with the handler of its type and then
runs its rule, so a new layer or column needs no new code path. The project file check
(:mod:`lifecircle.project`), the loader (:mod:`lifecircle.layers.loader`,
:mod:`lifecircle.layers.fields`), ``init`` (:mod:`lifecircle.layers.init`) and ``inspect``
(:mod:`lifecircle.layers.inspect`) read these schemas; nothing else lists a layer's columns.

This module imports nothing from the package, so :mod:`lifecircle.project` can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: What a column holds once loaded.
#: ``id`` text id (a source field or numbered, see :attr:`LayerSchema.id_prefix`);
#: ``text``; ``number`` (float, NaN where missing); ``integer`` (filled); ``bool``;
#: ``kind`` urban/rural; ``category`` a profile category key; ``road_class`` a canonical road class.
ColumnType = Literal["id", "text", "number", "integer", "bool", "kind", "category",
                     "road_class"]
#: Geometry families.
Geometry = Literal["point", "line", "polygon", "raster"]


#: Value tables a coded column's source values are mapped through
#: (:func:`lifecircle.layers.fields.value_table`).
ValueTable = Literal["", "kind", "category", "road_class", "status", "oneway", "bool"]
#: Named rules of a column, run by the loader after the column is read by its type
#: (:data:`lifecircle.layers.loader.RULES`):
#: ``name_or_id`` a layer without the field is named by its ids (with a warning);
#: ``positive`` values <= 0 are no data; ``oneway`` one-way against the digitised
#: direction reverses the line; ``idle`` the idle-asset flag and the priority (idle assets
#: first) from each other and from idle words in the kind or name;
#: ``or_points`` required unless a population layer gives the residents.
Rule = Literal["", "name_or_id", "positive", "oneway", "idle", "or_points"]
#: What a source layer's values say about its role (``init``, ``inspect``), each a number
#: measured on the first rows (:func:`lifecircle.layers.init.value_signals`):
#: ``sample_categories`` how many of the few values ``inspect`` samples per field are
#: profile categories, up to three, divided by three; ``categories`` the largest share of
#: profile facility types in a text field; ``idle`` the largest share of idle-asset words
#: (闲置, 宾馆, 培训中心 ...) in a text field; ``counts`` 1 for a point layer with
#: non-negative numbers and text that is neither categories nor idle assets (under 20 %),
#: else 0; ``counts_no_text`` the same for a point layer without any text field.
Signal = Literal["sample_categories", "categories", "idle", "counts", "counts_no_text"]


@dataclass(frozen=True)
class Guess:
    """How ``init`` and ``inspect`` score a source layer for a role, besides the recognised
    field names and the file-name hints (:func:`lifecircle.layers.fields.guess_roles`).

    Attributes
    ----------
    geometry
        Added per geometry family of the source (e.g. a raster is most likely population).
    unmatched
        Added to a vector source none of whose fields is recognised for the role.
    signals
        Weight of each value signal (:data:`Signal`): the score gains weight x signal.
    """

    geometry: tuple[tuple[Geometry, float], ...] = ()
    unmatched: float = 0.0
    signals: tuple[tuple[Signal, float], ...] = ()


@dataclass(frozen=True)
class Column:
    """One canonical column of a layer.

    Attributes
    ----------
    name
        Canonical column name.
    type
        What it holds once loaded (:data:`ColumnType`).
    required
        The layer cannot do without it (others are filled with defaults).
    names
        Source field names recognised for it besides ``name`` itself, in order of preference
        (compared case-insensitively after NFKC normalisation).
    values
        The value table source values are mapped through (:data:`ValueTable`), or ``""``.
    default
        Value of the column when the layer has no field for it, and of blank values of a
        coded column (None: no data).
    unknown
        What a value the table does not know is: ``"problem"`` (the run stops and names
        it) or ``"no data"`` (a warning; the value counts as missing).
    warn_default
        Say so (``load.default.<name>``) when the default is used for a missing field or
        for blank values.
    rule
        A named rule run after the column is read (:data:`Rule`).
    hint
        The word source fields are ranked by in "fields: ..." hints (closest first).
    """

    name: str
    type: ColumnType
    required: bool = False
    names: tuple[str, ...] = ()
    values: ValueTable = ""
    default: object = None
    unknown: Literal["problem", "no data"] = "problem"
    warn_default: bool = False
    rule: Rule = ""
    hint: str = ""

    @property
    def source_names(self) -> tuple[str, ...]:
        """Every recognised source field name, the canonical name first."""
        return (self.name, *self.names)


@dataclass(frozen=True)
class LayerSchema:
    """One input layer, as data.

    Attributes
    ----------
    key
        Layer key in the project file (``[layers.<key>]``).
    name_zh, name_en
        Display names.
    required
        A project must give this layer.
    geometry
        Geometry family of the loaded layer (points may come from polygons, see ``to_point``).
    accepts
        Geometry families of a source file ``init`` may take for this layer.
    to_point
        How other geometries become points: ``""`` never, ``"warn"`` with a warning,
        ``"silent"`` without one.
    columns
        Canonical columns in order of recognition (a source field matching several columns
        goes to the first).
    order
        Column order of the loaded layer (geometry last).
    id_column, id_prefix
        The id column (may be mapped to ``"auto"``: numbered ``<prefix>0001`` ...), or ``""``.
    todo
        Columns ``init`` writes a TODO line for when no source field is recognised, in order.
    hints
        Words of a file name that hint at this layer (``init``).
    guess
        How ``init`` and ``inspect`` score a source for this layer beyond names and hints.
    """

    key: str
    name_zh: str
    name_en: str
    required: bool
    geometry: Geometry
    accepts: tuple[Geometry, ...]
    to_point: Literal["", "warn", "silent"]
    columns: tuple[Column, ...]
    order: tuple[str, ...]
    id_column: str = ""
    id_prefix: str = ""
    todo: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    guess: Guess = Guess()

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if sorted(names) != sorted(self.order) or len(set(names)) != len(names):
            raise ValueError(f"schema {self.key}: order must list each column once")
        if self.id_column and self.id_column not in names:
            raise ValueError(f"schema {self.key}: unknown id column {self.id_column}")
        if not set(self.todo) <= set(names):
            raise ValueError(f"schema {self.key}: todo names an unknown column")

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError if none)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns the layer cannot do without."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def field_names(self) -> dict[str, tuple[str, ...]]:
        """Recognised source names per column, in recognition order."""
        return {c.name: c.source_names for c in self.columns}


SCHEMAS: dict[str, LayerSchema] = {s.key: s for s in (
    LayerSchema(
        "communities", "社区/村", "communities", required=True, geometry="polygon",
        accepts=("polygon",), to_point="",
        id_column="cid", id_prefix="C", todo=("population", "name", "kind", "cid"),
        hints=("社区", "村", "居委", "community", "communities", "village", "sq", "cun"),
        order=("cid", "name", "kind", "population", "households", "township", "district",
               "facility_area_m2", "social_orgs", "workers", "elderly", "children",
               "has_platform", "has_kiosk", "has_agency"),
        columns=(
        Column("cid", "id", names=
               ("社区代码", "社区编码", "村社区代码", "编码", "代码", "SQDM", "ZLDWDM", "CODE",
                "DM", "ID", "BM", "社区编号", "村编号", "行政区划代码", "区划代码", "SQBM",
                "QHDM", "CUNDM")),
        Column("name", "text", rule="name_or_id", names=
               ("社区名称", "名称", "村名", "社区", "SQMC", "CMC", "CUNMC", "ZLDWMC", "MC",
                "NAME", "社区名", "村(社区)名称", "村社区名称", "居委会", "村委会", "行政村",
                "JWH", "CWH", "SQM", "COMMUNITY", "COMMUNITY_NAME", "VILLAGE", "NAME_ZH",
                "NAME_CN")),
        Column("kind", "kind", values="kind", names=
               ("城乡", "城乡类型", "城乡属性", "城乡分类", "城乡分类代码", "类型", "CXLX",
                "CXFLDM", "CX", "LX", "KIND", "TYPE", "城乡标识", "城乡属性代码", "社区类型",
                "CXBS", "URBAN_RURAL", "UR")),
        Column("population", "number", required=True, rule="or_points", hint="人口", names=
               ("常住人口", "CZRK", "人口", "人口数", "总人口", "RK", "ZRK", "POP", "POPULATION",
                "户籍人口", "HJRK", "常住人口数", "人口总数", "居住人口", "CZRKS", "RKS", "ZRKS",
                "RENKOU", "POP_TOTAL", "TOTPOP", "RESIDENTS", "INHABITANTS")),
        Column("households", "number", names=
               ("户数", "总户数", "常住户数", "HS", "HUSHU", "ZHS", "HOUSEHOLDS", "HH",
                "户籍户数", "常住户", "HUS", "HHS")),
        Column("township", "text", names=
               ("街道", "乡镇", "街道名称", "乡镇名称", "乡镇街道", "所属街道", "所属乡镇",
                "JDMC", "XZMC", "XZJD", "JD", "XZ", "TOWN", "TOWNSHIP", "镇街", "街镇",
                "所属镇街", "乡镇(街道)", "XZJDMC", "TOWN_NAME", "SUBDISTRICT")),
        Column("district", "text", names=
               ("区县", "县区", "区县名称", "所属区县", "XZQMC", "QXMC", "QX", "DISTRICT",
                "COUNTY", "所属区", "区县市", "区名", "县名", "XZQ", "COUNTY_NAME",
                "DISTRICT_NAME")),
        Column("facility_area_m2", "number", names=
               ("服务设施面积", "综合服务设施面积", "设施面积", "FWSSMJ", "SSMJ", "FWMJ",
                "服务用房面积", "用房面积", "FWYFMJ", "YFMJ")),
        Column("social_orgs", "number", names=
               ("社会组织", "社会组织数", "SHZZ", "SHZZS", "社会组织数量")),
        Column("workers", "number", names=
               ("社区工作者", "社区工作者数", "工作者", "SQGZZ", "GZZ", "GZZS", "社工",
                "社区工作者人数", "GZZRS")),
        Column("elderly", "number", names=
               ("老年人口", "老年人", "60岁以上人口", "LNRK", "LNR", "60岁以上", "老龄人口",
                "LLRK", "POP60", "ELDERLY_POP")),
        Column("children", "number", names=
               ("儿童人口", "儿童", "学龄前儿童", "0-6岁人口", "ETRK", "ET")),
        Column("has_platform", "bool", values="bool", unknown="no data", names=
               ("服务管理平台", "综合服务管理平台", "平台", "FWPT", "PT", "综合服务平台",
                "服务平台", "FWGLPT", "GLPT", "PLATFORM")),
        Column("has_kiosk", "bool", values="bool", unknown="no data", names=
               ("自助服务一体机", "一体机", "ZZYTJ", "YTJ", "自助机", "自助服务机", "自助终端",
                "ZZJ", "ZZFWJ", "ZZZD", "KIOSK")),
        Column("has_agency", "bool", values="bool", unknown="no data", names=
               ("政务代办", "代办", "ZWDB", "DB", "代办服务", "政务代办服务", "ZWDBFW", "DBFW",
                "AGENCY")),
        )),
    LayerSchema(
        "facilities", "设施", "facilities", required=True, geometry="point",
        accepts=("point", "polygon"), to_point="warn",
        id_column="fid", id_prefix="F", todo=("category", "name"),
        hints=("设施", "服务", "poi", "facility", "facilities", "ss"),
        guess=Guess(geometry=(("point", 1.0),),
                    signals=(("sample_categories", 3.0), ("categories", 6.0))),
        order=("fid", "name", "category", "floor_area_m2", "capacity", "status"),
        columns=(
        Column("fid", "id", names=
               ("设施编号", "编号", "编码", "SSBH", "BH", "CODE", "ID", "BM", "DM", "设施代码",
                "设施编码", "SSDM", "SSBM", "POI_ID", "UID")),
        Column("name", "text", names=
               ("设施名称", "名称", "SSMC", "MC", "NAME", "设施名", "机构名称", "单位名称",
                "POI名称", "JGMC", "DWMC", "TITLE")),
        Column("category", "category", required=True, values="category", hint="类型",
               names=
               ("设施类型", "类型", "类别", "分类", "SSLX", "LX", "LB", "FL", "CATEGORY", "TYPE",
                "KIND", "设施类别", "服务类型", "类型名称", "大类", "小类", "FWLX", "SSLB",
                "TYPE_NAME", "POI_TYPE", "AMENITY")),
        Column("floor_area_m2", "number", names=
               ("建筑面积", "面积", "JZMJ", "MJ", "FLOOR_AREA", "AREA", "用房面积", "YFMJ",
                "GFA")),
        Column("capacity", "number", names=
               ("容量", "床位", "床位数", "RL", "CWS", "CW", "CAPACITY", "服务规模", "规模",
                "服务人数", "座位数", "FWGM", "GM", "FWRS", "BEDS", "SEATS")),
        Column("status", "text", values="status", default="existing", names=
               ("状态", "建设状态", "现状规划", "JSZT", "ZT", "STATUS", "现状/规划", "建设情况",
                "JSQK", "STATE")),
        )),
    LayerSchema(
        "roads", "道路", "roads", required=True, geometry="line", accepts=("line",),
        to_point="", todo=("road_class",),
        hints=("道路", "路网", "路", "road", "street", "highway", "osm", "dl"),
        order=("road_class", "oneway", "speed_kmh", "walk", "name"),
        columns=(
        Column("road_class", "road_class", values="road_class", default="unclassified",
               warn_default=True, names=
               ("道路等级", "等级", "技术等级", "行政等级", "DLDJ", "JSDJ", "DJ", "FCLASS",
                "CLASS", "HIGHWAY", "ROADCLASS", "GRADE", "道路类型", "类型", "LX", "道路级别",
                "道路分类", "DLFL", "DLJB", "TYPE")),
        Column("oneway", "bool", values="oneway", default=False, rule="oneway", names=
               ("单行", "单向", "是否单行", "ONEWAY", "DXX", "DX")),
        Column("speed_kmh", "number", rule="positive", names=
               ("设计速度", "设计时速", "限速", "速度", "SJSD", "XS", "SD", "MAXSPEED", "SPEED")),
        Column("walk", "bool", values="bool", default=True, names=
               ("允许步行", "步行", "BX", "FOOT", "WALK")),
        Column("name", "text", names=
               ("道路名称", "路名", "名称", "DLMC", "MC", "NAME", "道路名", "LM", "STREET")),
        )),
    LayerSchema(
        "population", "人口", "population", required=False, geometry="point",
        accepts=("point", "raster", "polygon"), to_point="warn", todo=("population",),
        hints=("人口", "pop", "population", "worldpop", "rk"),
        guess=Guess(geometry=(("raster", 5.0),), unmatched=-2.0,
                    signals=(("counts", 3.0), ("counts_no_text", 2.0))),
        order=("population", "households"),
        columns=(
        Column("population", "number", required=True, hint="人口", names=
               ("常住人口", "人口", "人口数", "CZRK", "RK", "POP", "POPULATION", "GRID_CODE",
                "VALUE", "人口数量", "人数", "RS", "RKS", "COUNT", "POP_COUNT", "PERSONS",
                "PEOPLE")),
        Column("households", "number", names=
               ("户数", "总户数", "HS", "HOUSEHOLDS", "HH")),
        )),
    LayerSchema(
        "candidates", "候选用地", "candidates", required=False, geometry="point",
        accepts=("point", "polygon"), to_point="silent",
        id_column="cand_id", id_prefix="S", todo=("name",),
        hints=("候选", "闲置", "资产", "candidate", "idle", "site", "xz"),
        guess=Guess(signals=(("idle", 6.0),)),
        order=("cand_id", "name", "priority", "is_idle_asset", "max_floor_area_m2", "cost",
               "kind"),
        columns=(
        Column("cand_id", "id", names=
               ("编号", "编码", "BH", "CODE", "ID", "BM")),
        Column("name", "text", names=
               ("资产名称", "名称", "ZCMC", "MC", "NAME", "设施名称", "TITLE")),
        Column("priority", "integer", rule="idle", names=
               ("优先级", "优先", "YXJ", "PRIORITY")),
        Column("is_idle_asset", "bool", values="bool", unknown="no data", names=
               ("是否闲置", "闲置", "SFXZ", "IDLE", "闲置资产", "是否闲置资产", "XZZC")),
        Column("kind", "text", names=
               ("资产类型", "类型", "用途", "ZCLX", "LX", "YT", "TYPE")),
        Column("max_floor_area_m2", "number", names=
               ("可用面积", "建筑面积", "面积", "KYMJ", "JZMJ", "MJ", "AREA")),
        Column("cost", "number", default=1.0, names=
               ("成本", "费用", "造价", "CB", "COST")),
        )),
)}
