"""QGIS styles (QML) and SLD for the result layers, generated from :mod:`lifecircle.outputs.styles`.

The QML is what QGIS 3.x writes itself (``renderer-v2`` with graduated, categorized or
single-symbol renderers, symbol properties both as ``<Option>`` maps and ``<prop>`` pairs,
simple labelling, field aliases), so QGIS applies it when it loads a layer whose style is
stored as the default in the GeoPackage's ``layer_styles`` table.

| layer | renderer | attribute |
|---|---|---|
| communities | graduatedSymbol (coverage classes + no data) | ``coalesce("cov_all", -1)`` |
| facilities | categorizedSymbol (colour and shape per category) | ``category`` |
| service_areas | categorizedSymbol (translucent fill per category) | ``category`` |
| demand | categorizedSymbol (covered / not covered) | expression on ``covered_all`` |
| gaps | singleSymbol (red hatching) | |
| candidates | singleSymbol (grey squares) | |
| proposed_sites | singleSymbol + labels of ``rank`` | |
| over_capacity | singleSymbol (orange ring beneath the facility) | |
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from lifecircle import i18n
from lifecircle.outputs import styles
from lifecircle.outputs.styles import FillStyle, MarkerStyle

if TYPE_CHECKING:
    import pandas as pd

    from lifecircle.profile import Profile

#: QGIS version written into the QML header (the oldest 3.x LTR the files were tested with).
QGIS_VERSION = "3.22.16-Białowieża"
#: SLD pixel size in millimetres (OGC standard rendering pixel).
SLD_PIXEL_MM = 0.28

#: Result layers that get a stored style, with their renderer type.
RENDERERS: dict[str, str] = {
    "communities": "graduatedSymbol",
    "facilities": "categorizedSymbol",
    "service_areas": "categorizedSymbol",
    "demand": "categorizedSymbol",
    "gaps": "singleSymbol",
    "candidates": "singleSymbol",
    "proposed_sites": "singleSymbol",
    "over_capacity": "singleSymbol",
    "roads": "categorizedSymbol",
}
#: Geometry type per styled layer: 0 point, 1 line, 2 polygon (QGIS ``layerGeometryType``).
GEOMETRY_TYPES: dict[str, int] = {
    "communities": 2, "facilities": 0, "service_areas": 2, "demand": 0, "gaps": 2,
    "candidates": 0, "proposed_sites": 0, "over_capacity": 0, "roads": 1,
}
#: Expression splitting roads into major and minor classes (the web map does the same).
ROAD_EXPRESSION = ("if(\"road_class\" IN ('motorway', 'trunk', 'primary', 'secondary', "
                   "'tertiary'), 'major', 'minor')")
#: Value standing for NULL coverage in the graduated renderer's expression.
NO_DATA_VALUE = -1.0
#: Expression the communities are classified on (NULL -> the "no data" class).
COVERAGE_EXPRESSION = f'coalesce("{styles.COVERAGE_FIELD}", {NO_DATA_VALUE:g})'
#: Expression classifying demand points (works whether GDAL stores a boolean or an integer).
DEMAND_EXPRESSION = "if(\"covered_all\", 'covered', 'not covered')"


@dataclass(frozen=True)
class LayerStyle:
    """A style for one result layer, ready for the ``layer_styles`` table."""

    layer: str
    name: str
    description: str
    renderer: str
    qml: str
    sld: str


# ------------------------------------------------------------------ symbol XML
def _attr(v: Any) -> str:
    return quoteattr(str(v))


def _props(props: Mapping[str, Any]) -> str:
    opts = "".join(f'<Option name={_attr(k)} type="QString" value={_attr(v)}/>'
                   for k, v in props.items())
    pairs = "".join(f"<prop k={_attr(k)} v={_attr(v)}/>" for k, v in props.items())
    return f'<Option type="Map">{opts}</Option>{pairs}'


_DDP = ('<data_defined_properties><Option type="Map"><Option name="name" type="QString" '
        'value=""/><Option name="properties"/><Option name="type" type="QString" '
        'value="collection"/></Option></data_defined_properties>')


def _fill_symbol(name: str, style: FillStyle, *, fill: str | None = None) -> str:
    color = fill or style.fill
    props = {
        "border_width_map_unit_scale": "3x:0,0,0,0,0,0",
        "color": styles.qgis_color(color, style.fill_opacity),
        "joinstyle": "bevel",
        "offset": "0,0",
        "offset_map_unit_scale": "3x:0,0,0,0,0,0",
        "offset_unit": "MM",
        "outline_color": styles.qgis_color(style.stroke, style.stroke_opacity),
        "outline_style": "dash" if style.dash else "solid",
        "outline_width": f"{style.stroke_width_mm:g}",
        "outline_width_unit": "MM",
        "style": style.hatch or "solid",
    }
    return (f'<symbol name={_attr(name)} type="fill" alpha="1" clip_to_extent="1" '
            f'force_rhr="0">{_DDP}<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
            f"{_props(props)}{_DDP}</layer></symbol>")


def _marker_symbol(name: str, style: MarkerStyle) -> str:
    props = {
        "angle": "0",
        "cap_style": "square",
        "color": styles.qgis_color(style.color, style.fill_opacity),
        "horizontal_anchor_point": "1",
        "joinstyle": "bevel",
        "name": style.shape,
        "offset": "0,0",
        "offset_map_unit_scale": "3x:0,0,0,0,0,0",
        "offset_unit": "MM",
        "outline_color": styles.qgis_color(style.stroke),
        "outline_style": "solid" if style.stroke_width_mm > 0 else "no",
        "outline_width": f"{style.stroke_width_mm:g}",
        "outline_width_map_unit_scale": "3x:0,0,0,0,0,0",
        "outline_width_unit": "MM",
        "scale_method": "diameter",
        "size": f"{style.size_mm:g}",
        "size_map_unit_scale": "3x:0,0,0,0,0,0",
        "size_unit": "MM",
        "vertical_anchor_point": "1",
    }
    return (f'<symbol name={_attr(name)} type="marker" alpha="1" clip_to_extent="1" '
            f'force_rhr="0">{_DDP}<layer class="SimpleMarker" enabled="1" locked="0" '
            f'pass="0">{_props(props)}{_DDP}</layer></symbol>')


def _line_symbol(name: str, color: str, width_mm: float) -> str:
    props = {
        "capstyle": "round", "customdash": "5;2", "customdash_unit": "MM",
        "draw_inside_polygon": "0", "joinstyle": "round",
        "line_color": styles.qgis_color(color), "line_style": "solid",
        "line_width": f"{width_mm:g}", "line_width_unit": "MM", "offset": "0",
        "offset_unit": "MM", "use_custom_dash": "0",
    }
    return (f'<symbol name={_attr(name)} type="line" alpha="1" clip_to_extent="1" '
            f'force_rhr="0">{_DDP}<layer class="SimpleLine" enabled="1" locked="0" '
            f'pass="0">{_props(props)}{_DDP}</layer></symbol>')


def _sld_line(color: str, width_mm: float) -> str:
    return ("<se:LineSymbolizer><se:Stroke>"
            f'<se:SvgParameter name="stroke">{color}</se:SvgParameter>'
            f'<se:SvgParameter name="stroke-width">{_sld_px(width_mm)}</se:SvgParameter>'
            "</se:Stroke></se:LineSymbolizer>")


def _renderer_open(kind: str, attr: str | None = None, extra: str = "") -> str:
    a = f" attr={_attr(attr)}" if attr is not None else ""
    return (f'<renderer-v2 type="{kind}"{a}{extra} symbollevels="0" enableorderby="0" '
            'forceraster="0" referencescale="-1">')


def _graduated(attr: str, lang: str) -> str:
    # NULL coverage (no residents / no data) is classified through the expression as -1
    ranges = [f'<range lower="{NO_DATA_VALUE:.6f}" upper="{NO_DATA_VALUE:.6f}" symbol="0" '
              f'label={_attr(i18n.t("legend.nodata", lang))} render="true"/>']
    syms = [_fill_symbol("0", styles.COMMUNITY, fill=styles.NO_DATA_COLOR)]
    for i, c in enumerate(styles.COVERAGE_CLASSES, start=1):
        label = i18n.t(c.label_key, lang)
        ranges.append(f'<range lower="{c.lower!r}" upper="{c.upper!r}" symbol="{i}" '
                      f'label={_attr(label)} render="true"/>')
        syms.append(_fill_symbol(str(i), styles.COMMUNITY, fill=c.color))
    return (_renderer_open("graduatedSymbol", attr, ' graduatedMethod="GraduatedColor"')
            + "<ranges>" + "".join(ranges) + "</ranges><symbols>" + "".join(syms)
            + '</symbols><mode name="manual"/><rotation/><sizescale/></renderer-v2>')


def _categorized(attr: str, cats: Sequence[tuple[str, str, str]]) -> str:
    """``cats``: (value, label, symbol xml with name placeholder ``{name}``)."""
    items = []
    syms = []
    for i, (value, label, sym) in enumerate(cats):
        items.append(f'<category value={_attr(value)} symbol="{i}" label={_attr(label)} '
                     'render="true"/>')
        syms.append(sym.replace('name="__SYM__"', f'name="{i}"'))
    return (_renderer_open("categorizedSymbol", attr) + "<categories>" + "".join(items)
            + "</categories><symbols>" + "".join(syms)
            + "</symbols><rotation/><sizescale/></renderer-v2>")


def _single(sym: str) -> str:
    return (_renderer_open("singleSymbol") + "<symbols>" + sym.replace('name="__SYM__"',
                                                                        'name="0"')
            + "</symbols><rotation/><sizescale/></renderer-v2>")


def _labeling(field: str, color: str, size_pt: float = 8.0) -> str:
    c = styles.qgis_color(color)
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName={_attr(field)} isExpression="0" fontSize="{size_pt:g}" '
        f'fontSizeUnit="Point" textColor="{c}" textOpacity="1" fontWeight="75" '
        'fontItalic="0" fontUnderline="0" fontStrikeout="0" multilineHeight="1" '
        'blendMode="0" previewBkgrdColor="255,255,255,255" allowHtml="0">'
        '<text-buffer bufferDraw="0" bufferSize="0.5" bufferSizeUnits="MM" '
        'bufferColor="0,0,0,255" bufferOpacity="1" bufferJoinStyle="128" '
        'bufferNoFill="1" bufferBlendMode="0"/>'
        '</text-style>'
        '<text-format wrapChar="" multilineAlign="1" formatNumbers="0" decimals="0" '
        'plussign="0" addDirectionSymbol="0" reverseDirectionSymbol="0" '
        'placeDirectionSymbol="0" autoWrapLength="0" useMaxLineLengthForAutoWrap="1"/>'
        '<placement placement="1" quadOffset="4" xOffset="0" yOffset="0" offsetType="0" '
        'offsetUnits="MM" dist="0" distUnits="MM" priority="10" rotationAngle="0" '
        'centroidWhole="0" centroidInside="0" fitInPolygonOnly="0" '
        'overrunDistance="0" overrunDistanceUnit="MM"/>'
        '<rendering drawLabels="1" displayAll="1" obstacle="0" obstacleFactor="1" '
        'obstacleType="1" upsidedownLabels="0" limitNumLabels="0" maxNumLabels="2000" '
        'scaleVisibility="0" minScale="0" maxScale="0" fontLimitPixelSize="0" '
        'fontMinPixelSize="3" fontMaxPixelSize="10000" labelPerPart="0" '
        'mergeLines="0" zIndex="0"/>'
        '<dd_properties><Option type="Map"><Option name="name" type="QString" value=""/>'
        '<Option name="properties"/><Option name="type" type="QString" value="collection"/>'
        '</Option></dd_properties>'
        '</settings></labeling>')


#: QGIS's layerGeometryType of a table without geometry (QgsWkbTypes::NullGeometry).
NO_GEOMETRY = 4


def _aliases(layer: str, columns: Sequence[str], profile: Profile, lang: str) -> str:
    # GeoPackage layers in QGIS expose the ``fid`` primary key as field 0
    out = []
    for i, col in enumerate(columns, start=1):
        label = i18n.field_label(col, profile, lang, layer=layer)
        out.append(f'<alias field={_attr(col)} index="{i}" name={_attr(label)}/>')
    return "<aliases>" + "".join(out) + "</aliases>"


def _qml(body: str, *, labels: str = "", aliases: str = "", geometry_type: int,
         opacity: float = 1.0, display_field: str = "") -> str:
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version={_attr(QGIS_VERSION)} styleCategories="AllStyleCategories" '
        f'labelsEnabled="{1 if labels else 0}" hasScaleBasedVisibilityFlag="0" '
        'minScale="100000000" maxScale="0" simplifyDrawingHints="1" simplifyAlgorithm="0" '
        'simplifyDrawingTol="1" simplifyLocal="1" simplifyMaxScale="1" readOnly="0">'
        '<flags><Identifiable>1</Identifiable><Removable>1</Removable>'
        '<Searchable>1</Searchable><Private>0</Private></flags>'
        f"{body}{labels}"
        '<customproperties><Option/></customproperties>'
        "<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode>"
        f"<layerOpacity>{opacity:g}</layerOpacity>"
        f"{aliases}"
        f"<previewExpression>{escape(display_field)}</previewExpression>"
        f"<layerGeometryType>{geometry_type}</layerGeometryType>"
        "</qgis>\n")


# ------------------------------------------------------------------ SLD
_SLD_SHAPES = {"circle": "circle", "square": "square", "triangle": "triangle",
               "star": "star", "cross_fill": "cross", "diamond": "square",
               "pentagon": "circle", "hexagon": "circle"}


def _sld_px(mm: float) -> str:
    return f"{mm / SLD_PIXEL_MM:.1f}"


def _sld_filter(kind: str, prop: str, *values: Any) -> str:
    p = f"<ogc:PropertyName>{escape(prop)}</ogc:PropertyName>"
    if kind == "equal":
        return (f"<ogc:Filter><ogc:PropertyIsEqualTo>{p}<ogc:Literal>{escape(str(values[0]))}"
                "</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>")
    lo, hi = values
    return (f"<ogc:Filter><ogc:And><ogc:PropertyIsGreaterThanOrEqualTo>{p}<ogc:Literal>{lo}"
            f"</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyIsLessThanOrEqualTo>"
            f"{p}<ogc:Literal>{hi}</ogc:Literal></ogc:PropertyIsLessThanOrEqualTo></ogc:And>"
            "</ogc:Filter>")


def _sld_polygon(style: FillStyle, fill: str | None = None) -> str:
    dash = f'<se:SvgParameter name="stroke-dasharray">{_sld_px(2)} {_sld_px(1)}</se:SvgParameter>'
    return (
        "<se:PolygonSymbolizer><se:Fill>"
        f'<se:SvgParameter name="fill">{fill or style.fill}</se:SvgParameter>'
        f'<se:SvgParameter name="fill-opacity">{style.fill_opacity:g}</se:SvgParameter>'
        "</se:Fill><se:Stroke>"
        f'<se:SvgParameter name="stroke">{style.stroke}</se:SvgParameter>'
        f'<se:SvgParameter name="stroke-width">{_sld_px(style.stroke_width_mm)}'
        "</se:SvgParameter>"
        f"{dash if style.dash else ''}"
        "</se:Stroke></se:PolygonSymbolizer>")


def _sld_point(style: MarkerStyle) -> str:
    rot = "<se:Rotation>45</se:Rotation>" if style.shape == "diamond" else ""
    return (
        "<se:PointSymbolizer><se:Graphic><se:Mark>"
        f"<se:WellKnownName>{_SLD_SHAPES.get(style.shape, 'square')}</se:WellKnownName>"
        f'<se:Fill><se:SvgParameter name="fill">{style.color}</se:SvgParameter>'
        + (f'<se:SvgParameter name="fill-opacity">{style.fill_opacity:g}</se:SvgParameter>'
           if style.fill_opacity < 1 else "") + "</se:Fill>"
        f'<se:Stroke><se:SvgParameter name="stroke">{style.stroke}</se:SvgParameter>'
        f'<se:SvgParameter name="stroke-width">{_sld_px(style.stroke_width_mm)}'
        "</se:SvgParameter></se:Stroke></se:Mark>"
        f"<se:Size>{_sld_px(style.size_mm)}</se:Size>{rot}</se:Graphic></se:PointSymbolizer>")


def _sld_text(field: str, color: str) -> str:
    return (
        f"<se:TextSymbolizer><se:Label><ogc:PropertyName>{escape(field)}</ogc:PropertyName>"
        "</se:Label><se:Font><se:SvgParameter name=\"font-size\">11</se:SvgParameter>"
        "<se:SvgParameter name=\"font-weight\">bold</se:SvgParameter></se:Font>"
        "<se:LabelPlacement><se:PointPlacement><se:AnchorPoint><se:AnchorPointX>0.5"
        "</se:AnchorPointX><se:AnchorPointY>0.5</se:AnchorPointY></se:AnchorPoint>"
        "</se:PointPlacement></se:LabelPlacement>"
        f'<se:Fill><se:SvgParameter name="fill">{color}</se:SvgParameter></se:Fill>'
        "</se:TextSymbolizer>")


def _sld(layer: str, rules: Iterable[tuple[str, str, str]]) -> str:
    """``rules``: (name, filter xml, symbolizer xml)."""
    body = "".join(f"<se:Rule><se:Name>{escape(n)}</se:Name><se:Description><se:Title>"
                   f"{escape(n)}</se:Title></se:Description>{f}{s}</se:Rule>"
                   for n, f, s in rules)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" version="1.1.0" '
        'xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.opengis.net/sld '
        'http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">'
        f"<NamedLayer><se:Name>{escape(layer)}</se:Name><UserStyle><se:Name>"
        f"{escape(layer)}</se:Name><se:FeatureTypeStyle>{body}</se:FeatureTypeStyle>"
        "</UserStyle></NamedLayer></StyledLayerDescriptor>\n")


# ------------------------------------------------------------------ public
def layer_style(layer: str, frame: pd.DataFrame, profile: Profile, lang: str = "zh"
                ) -> LayerStyle | None:
    """The QML and SLD style of one result layer, or None for layers without a style.

    Parameters
    ----------
    layer
        Result layer name (``communities``, ``facilities``, ... see :data:`RENDERERS`).
    frame
        The layer's (Geo)DataFrame: its columns give the field aliases, its ``category``
        values the classes of categorized renderers (catalogue order).
    profile
        The standards profile (category names and catalogue order).
    lang
        ``zh`` or ``en``: legend labels, field aliases and the style name.

    Returns
    -------
    LayerStyle or None
    """
    i18n.check_lang(lang)
    if layer not in RENDERERS:
        return None
    columns = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)
               and c != "geometry"]
    catalogue = list(getattr(profile, "categories", {}) or {})
    labels = ""
    opacity = 1.0
    display = "name" if "name" in columns else ""
    rules: list[tuple[str, str, str]] = []
    if layer == "communities":
        body = _graduated(COVERAGE_EXPRESSION, lang)
        rules.append((i18n.t("legend.nodata", lang),
                      f"<ogc:Filter><ogc:PropertyIsNull><ogc:PropertyName>"
                      f"{styles.COVERAGE_FIELD}</ogc:PropertyName></ogc:PropertyIsNull>"
                      "</ogc:Filter>",
                      _sld_polygon(styles.COMMUNITY, styles.NO_DATA_COLOR)))
        for c in styles.COVERAGE_CLASSES:
            rules.append((i18n.t(c.label_key, lang),
                          _sld_filter("between", styles.COVERAGE_FIELD, c.lower, c.upper),
                          _sld_polygon(styles.COMMUNITY, c.color)))
    elif layer in ("facilities", "service_areas"):
        present = frame["category"].tolist() if "category" in frame.columns else []
        keys = styles.ordered_categories(present, catalogue) or catalogue
        cats = []
        for k in keys:
            name = i18n.category_name(k, profile, lang)
            if layer == "facilities":
                st = styles.category_style(k)
                cats.append((k, name, _marker_symbol("__SYM__", st)))
                rules.append((name, _sld_filter("equal", "category", k), _sld_point(st)))
            else:
                fs = styles.service_area_style(k)
                cats.append((k, name, _fill_symbol("__SYM__", fs)))
                rules.append((name, _sld_filter("equal", "category", k), _sld_polygon(fs)))
        body = _categorized("category", cats)
    elif layer == "demand":
        body = _categorized(DEMAND_EXPRESSION, [
            ("covered", i18n.t("legend.covered", lang),
             _marker_symbol("__SYM__", styles.DEMAND_COVERED)),
            ("not covered", i18n.t("legend.not_covered", lang),
             _marker_symbol("__SYM__", styles.DEMAND_NOT_COVERED)),
        ])
        rules = [(i18n.t("legend.covered", lang), _sld_filter("equal", "covered_all", 1),
                  _sld_point(styles.DEMAND_COVERED)),
                 (i18n.t("legend.not_covered", lang), _sld_filter("equal", "covered_all", 0),
                  _sld_point(styles.DEMAND_NOT_COVERED))]
    elif layer == "gaps":
        body = _single(_fill_symbol("__SYM__", styles.GAP))
        rules = [(i18n.t("legend.gap", lang), "", _sld_polygon(styles.GAP))]
    elif layer == "over_capacity":
        body = _single(_marker_symbol("__SYM__", styles.OVER_CAPACITY))
        rules = [(i18n.t("legend.over_capacity", lang), "", _sld_point(styles.OVER_CAPACITY))]
    elif layer == "candidates":
        body = _single(_marker_symbol("__SYM__", styles.CANDIDATE))
        rules = [(i18n.t("legend.candidate", lang), "", _sld_point(styles.CANDIDATE))]
    elif layer == "roads":
        major, minor = i18n.t("legend.road_major", lang), i18n.t("legend.road_minor", lang)
        body = _categorized(ROAD_EXPRESSION, [
            ("major", major, _line_symbol("__SYM__", styles.ROAD_MAJOR_COLOR, 0.6)),
            ("minor", minor, _line_symbol("__SYM__", styles.ROAD_MINOR_COLOR, 0.26))])
        rules = [(i18n.t("layer.roads", lang), "", _sld_line(styles.ROAD_MAJOR_COLOR, 0.4))]
    else:  # proposed_sites
        body = _single(_marker_symbol("__SYM__", styles.PROPOSED))
        labels = _labeling(styles.PROPOSED_LABEL_FIELD, styles.PROPOSED_LABEL_COLOR)
        rules = [(i18n.t("legend.proposed", lang), "",
                  _sld_point(styles.PROPOSED)
                  + _sld_text(styles.PROPOSED_LABEL_FIELD, styles.PROPOSED_LABEL_COLOR))]
    qml = _qml(body, labels=labels, aliases=_aliases(layer, columns, profile, lang),
               geometry_type=GEOMETRY_TYPES[layer], opacity=opacity, display_field=display)
    title = i18n.t(f"layer.{layer}", lang)
    return LayerStyle(layer=layer, name=f"{title} (lifecircle)",
                      description=i18n.t("style.default", lang),
                      renderer=RENDERERS[layer], qml=qml, sld=_sld(layer, rules))


def table_style(layer: str, frame: Any, profile: Profile, lang: str = "zh") -> LayerStyle:
    """The default style of an attribute table (no geometry): its field aliases only, so
    QGIS shows them when it opens the table from the GeoPackage alone."""
    i18n.check_lang(lang)
    columns = [c for c in frame.columns if c != "geometry"]
    title = i18n.t(f"layer.{layer}", lang)
    qml = _qml("", aliases=_aliases(layer, columns, profile, lang),
               geometry_type=NO_GEOMETRY)
    return LayerStyle(layer=layer, name=f"{title} (lifecircle)",
                      description=i18n.t("style.default", lang), renderer="",
                      qml=qml, sld="")
