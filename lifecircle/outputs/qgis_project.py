"""``lifecircle.qgz``: a QGIS project that opens every result layer grouped and styled.

The project references the result folder's own files by relative path (``./lifecircle.gpkg``,
``./traveltime_<key>.tif``), so the folder can be moved or copied whole. Layer styles are the
ones stored in the GeoPackage (:mod:`lifecircle.outputs.qgis_style`, one source of truth),
with these project-level choices on top:

- service areas: one layer per category (a subset of ``service_areas``), categorised by ring,
  only the circle's limit ring drawn; only the chosen category's layer is switched on;
- gaps: one layer per category, only the chosen category's switched on;
- communities labelled with their name (from 1:50,000), proposed sites with their rank;
- travel-time rasters: a minutes colour ramp (green within the circle, red beyond), the
  band described in the GeoTIFF itself by the pipeline; switched off;
- attribute tables (district/township summaries, Table 1, coverage with the sites) with
  field aliases in the run's language.
"""

from __future__ import annotations

import os
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from lifecircle import i18n
from lifecircle.errors import OutputError, notice
from lifecircle.outputs import qgis_style, styles

if TYPE_CHECKING:
    from lifecircle.outputs import ResultLayers
    from lifecircle.profile import Profile

#: Minutes colour ramp of the travel-time rasters, as fractions of the circle's limit.
RAMP: tuple[tuple[float, str], ...] = ((0.0, "#1a9641"), (0.5, "#a6d96a"), (1.0, "#ffffbf"),
                                       (1.5, "#fdae61"), (2.0, "#d7191c"))
#: Scale (1:n) from which community names are drawn.
LABEL_MAX_SCALE = 50_000
GEOMETRY = {0: "Point", 1: "Line", 2: "Polygon"}


def _a(v: Any) -> str:
    return quoteattr(str(v))


def _srs(crs: Any) -> str:
    auth = crs.to_authority()
    authid = f"{auth[0]}:{auth[1]}" if auth else ""
    return (f"<spatialrefsys><wkt>{escape(crs.to_wkt())}</wkt><authid>{escape(authid)}</authid>"
            f"<description>{escape(crs.name)}</description></spatialrefsys>")


def _qml_children(qml: str) -> str:
    """The inner elements of a QML document (renderer, labels, aliases, ...)."""
    root = ET.fromstring(qml.split("\n", 1)[1])
    keep = [c for c in root if c.tag not in ("layerGeometryType",)]
    return "".join(ET.tostring(c, encoding="unicode") for c in keep)


def _community_labels(lang: str) -> str:
    text = qgis_style._labeling("name", "#111111", size_pt=8.0)
    text = text.replace('bufferDraw="0"', 'bufferDraw="1"').replace(
        'bufferColor="0,0,0,255"', 'bufferColor="255,255,255,255"')
    return text.replace('scaleVisibility="0" minScale="0"',
                        f'scaleVisibility="1" minScale="{LABEL_MAX_SCALE}"')


def _ring_renderer(key: str, minutes: Sequence[float], limits: set[float], lang: str) -> str:
    """Rings of one category, categorised by minutes; only the circle's limit drawn."""
    fs = styles.service_area_style(key)
    ordered = sorted(minutes)
    cats = [(f"{m:g}", i18n.t("minutes", lang, value=f"{m:g}"),
             qgis_style._fill_symbol("__SYM__", fs)) for m in ordered]
    body = qgis_style._categorized("minutes", cats)
    for i, m in enumerate(ordered):
        if m not in limits:  # inner rings stay available, switched off
            body = _set_render(body, i, False)
    return body


def _set_render(body: str, index: int, on: bool) -> str:
    marker = f'symbol="{index}" label='
    start = body.index(marker)
    end = body.index("/>", start)
    chunk = body[start:end].replace('render="true"', f'render="{"true" if on else "false"}"')
    return body[:start] + chunk + body[end:]


class _Project:
    def __init__(self, crs: Any, lang: str) -> None:
        self.crs = crs
        self.lang = lang
        self.maplayers: list[str] = []
        self.tree: list[str] = []

    def vector(self, name: str, layer: str, geometry: int | None, inner: str, *,
               subset: str = "", checked: bool = True) -> str:
        lid = f"{layer}_{uuid.uuid4().hex[:12]}"
        source = f"./lifecircle.gpkg|layername={layer}"
        if subset:
            source += f"|subset={subset}"
        geom = GEOMETRY.get(geometry, "No geometry") if geometry is not None else "No geometry"
        srs = f"<srs>{_srs(self.crs)}</srs>" if geometry is not None else ""
        self.maplayers.append(
            f'<maplayer type="vector" geometry="{geom}" autoRefreshEnabled="0" '
            f'hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0" '
            f'labelsEnabled="{1 if "<labeling" in inner else 0}" readOnly="0">'
            f"<id>{escape(lid)}</id><datasource>{escape(source)}</datasource>"
            f"<layername>{escape(name)}</layername>{srs}"
            f'<provider encoding="UTF-8">ogr</provider>{inner}</maplayer>')
        return self._node(lid, name, source, "ogr", checked)

    def raster(self, name: str, path: str, inner: str, *, checked: bool = False) -> str:
        lid = f"raster_{uuid.uuid4().hex[:12]}"
        self.maplayers.append(
            f'<maplayer type="raster" autoRefreshEnabled="0" hasScaleBasedVisibilityFlag="0" '
            f'minScale="100000000" maxScale="0"><id>{escape(lid)}</id>'
            f"<datasource>{escape(path)}</datasource><layername>{escape(name)}</layername>"
            f"<srs>{_srs(self.crs)}</srs><provider>gdal</provider>{inner}</maplayer>")
        return self._node(lid, name, path, "gdal", checked)

    @staticmethod
    def _node(lid: str, name: str, source: str, provider: str, checked: bool) -> str:
        state = "Qt::Checked" if checked else "Qt::Unchecked"
        return (f"<layer-tree-layer id={_a(lid)} name={_a(name)} source={_a(source)} "
                f'providerKey="{provider}" checked="{state}" expanded="0">'
                "<customproperties/></layer-tree-layer>")

    @staticmethod
    def group(name: str, nodes: Sequence[str], *, checked: bool = True,
              expanded: bool = True) -> str:
        state = "Qt::Checked" if checked else "Qt::Unchecked"
        return (f"<layer-tree-group name={_a(name)} checked=\"{state}\" "
                f'expanded="{1 if expanded else 0}"><customproperties/>'
                + "".join(nodes) + "</layer-tree-group>")


def _raster_inner(path: Path, limit: float, lang: str) -> str:
    hi = 2.0 * limit
    items = "".join(
        f'<item alpha="255" value="{f * limit:g}" color="{c}" '
        f'label={_a(i18n.t("minutes", lang, value=f"{f * limit:g}"))}/>' for f, c in RAMP)
    return (
        "<pipe><provider><resampling enabled=\"false\" maxOversampling=\"2\" "
        "zoomedInResamplingMethod=\"nearestNeighbour\" zoomedOutResamplingMethod="
        "\"nearestNeighbour\"/></provider>"
        f'<rasterrenderer type="singlebandpseudocolor" band="1" opacity="0.8" alphaBand="-1" '
        f'classificationMin="0" classificationMax="{hi:g}" nodataColor="">'
        "<rasterTransparency/><minMaxOrigin><limits>None</limits><extent>WholeRaster</extent>"
        "<statAccuracy>Estimated</statAccuracy><cumulativeCutLower>0.02</cumulativeCutLower>"
        "<cumulativeCutUpper>0.98</cumulativeCutUpper><stdDevFactor>2</stdDevFactor>"
        "</minMaxOrigin><rastershader>"
        f'<colorrampshader colorRampType="INTERPOLATED" classificationMode="1" clip="1" '
        f'minimumValue="0" maximumValue="{hi:g}" labelPrecision="0">{items}</colorrampshader>'
        "</rastershader></rasterrenderer>"
        '<brightnesscontrast brightness="0" contrast="0" gamma="1"/>'
        '<huesaturation saturation="0" grayscaleMode="0" colorizeOn="0" colorizeRed="255" '
        'colorizeGreen="128" colorizeBlue="128" colorizeStrength="100" invertColors="0"/>'
        '<rasterresampler maxOversampling="2"/></pipe><blendMode>0</blendMode>')


def write(folder: str | os.PathLike[str], layers: ResultLayers, profile: Profile, *,
          lang: str = "zh", title: str = "", rasters: Sequence[Path] = (),
          shown_category: str | None = None) -> Path:
    """Write ``lifecircle.qgz`` into the result ``folder`` (next to ``lifecircle.gpkg``).

    Parameters
    ----------
    folder
        The result folder (the GeoPackage and rasters are referenced relatively).
    layers
        The result layers as written to the GeoPackage (names, columns, categories).
    profile
        The standards profile (category names and order, circle limits).
    lang
        ``zh`` or ``en``: group and layer names, legend labels, field aliases.
    title
        Project title.
    rasters
        The ``traveltime_<key>.tif`` files written.
    shown_category
        Category whose service area and gaps are switched on (default: the first planned
        category, else the first in catalogue order).

    Returns
    -------
    Path
        The ``.qgz`` written.

    Raises
    ------
    OutputError
        The file cannot be written.
    """
    i18n.check_lang(lang)
    folder = Path(folder)
    comm = layers.get("communities")
    crs = comm.crs if comm is not None else next(
        c for f in layers.values() if (c := getattr(f, "crs", None)) is not None)
    prj = _Project(crs, lang)
    catalogue = list(getattr(profile, "categories", {}) or {})
    circles = getattr(profile, "circles", {}) or {}
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731

    def styled(name: str) -> str | None:
        frame = layers.get(name)
        if frame is None or len(frame) == 0:
            return None
        style = qgis_style.layer_style(name, frame, profile, lang)
        return _qml_children(style.qml) if style is not None else None

    top: list[str] = []
    prop = layers.get("proposed_sites")
    if shown_category is None and prop is not None and len(prop) and "categories" in prop:
        first = str(prop.sort_values("rank")["categories"].iloc[0]).split(",")[0]
        shown_category = first or None
    for name, geom, checked in (("proposed_sites", 0, True), ("candidates", 0, False),
                                ("facilities", 0, True), ("over_capacity", 0, True)):
        inner = styled(name)
        if inner is not None:
            top.append(prj.vector(t(f"layer.{name}"), name, geom, inner, checked=checked))

    gaps = layers.get("gaps")
    if gaps is not None and len(gaps):
        keys = styles.ordered_categories(gaps["category"].tolist(), catalogue)
        shown = shown_category if shown_category in keys else keys[0]
        inner = styled("gaps")
        nodes = [prj.vector(i18n.category_name(k, profile, lang), "gaps", 2, inner or "",
                            subset=f"\"category\" = '{k}'", checked=k == shown) for k in keys]
        top.append(prj.group(t("layer.gaps"), nodes))

    sa = layers.get("service_areas")
    if sa is not None and len(sa):
        keys = styles.ordered_categories(sa["category"].tolist(), catalogue)
        shown = shown_category if shown_category in keys else keys[0]
        limits = {float(c.minutes) for c in circles.values()}
        aliases = qgis_style._aliases("service_areas",
                                      [c for c in sa.columns if c != sa.geometry.name],
                                      profile, lang)
        nodes = []
        for k in keys:
            minutes = sorted({float(m) for m in sa.loc[sa["category"] == k, "minutes"]})
            inner = (_ring_renderer(k, minutes, limits, lang)
                     + "<layerOpacity>1</layerOpacity>" + aliases)
            nodes.append(prj.vector(i18n.category_name(k, profile, lang), "service_areas", 2,
                                    inner, subset=f"\"category\" = '{k}'", checked=k == shown))
        top.append(prj.group(t("layer.service_areas"), nodes))

    inner = styled("communities")
    if inner is not None:
        if "<labeling" not in inner:
            inner += _community_labels(lang)
        top.append(prj.vector(t("layer.communities"), "communities", 2, inner))
    for name, geom in (("roads", 1), ("demand", 0)):
        inner = styled(name)
        if inner is not None:
            top.append(prj.vector(t(f"layer.{name}"), name, geom, inner,
                                  checked=name == "roads"))

    if rasters:
        nodes = []
        for path in sorted(rasters):
            key = path.stem.removeprefix("traveltime_")
            limit = max((float(c.minutes) for c in circles.values()), default=30.0)
            nodes.append(prj.raster(t("layer.traveltime_of",
                                      category=i18n.category_name(key, profile, lang)),
                                    f"./{path.name}", _raster_inner(path, limit / 2, lang)))
        top.append(prj.group(t("layer.traveltime"), nodes, checked=False, expanded=False))

    tables = []
    for name in ("summary_district", "summary_township", "scorecard", "communities_after"):
        frame = layers.get(name)
        if frame is None:
            continue
        cols = [c for c in frame.columns if c != "geometry"]
        tables.append(prj.vector(t(f"layer.{name}"), name, None,
                                 qgis_style._aliases(name, cols, profile, lang)))
    if tables:
        top.append(prj.group(t("layer.tables"), tables, expanded=False))

    text = (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis projectname={_a(title)} version={_a(qgis_style.QGIS_VERSION)}>'
        f"<homePath path=\"\"/><title>{escape(title)}</title>"
        f"<projectCrs>{_srs(crs)}</projectCrs>"
        '<layer-tree-group><customproperties/>' + "".join(top) + "</layer-tree-group>"
        "<projectlayers>" + "".join(prj.maplayers) + "</projectlayers>"
        '<properties><Paths><Absolute type="bool">false</Absolute></Paths>'
        '<SpatialRefSys><ProjectionsEnabled type="int">1</ProjectionsEnabled></SpatialRefSys>'
        "</properties>"
        "</qgis>\n")
    path = folder / "lifecircle.qgz"
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("lifecircle.qgs", text)
    except OSError as e:
        raise notice(OutputError, "err.out.qgis", path=str(path), error=str(e.strerror)
                     ) from None
    return path
