"""map.html opened in headless Debian chromium (playwright): it must work offline.

Every request other than the file itself and base-map tiles is refused; tile requests get
a blank PNG so the console stays clean. Chromium missing is a failure, not a skip
(`make test` installs it through scripts/install-system-deps.sh).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import _results_fixture as fx
import pytest
from pyproj import Transformer

from lifecircle.outputs import styles, webmap

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYA"
                       "AjCB0C8AAAAASUVORK5CYII=")
TILE_HOSTS = ("basemaps.cartocdn.com", "tile.openstreetmap.org")
TO_WGS84 = Transformer.from_crs(4548, 4326, always_xy=True)

OVERLAYS_ZH = ["社区覆盖率", "道路", "所选服务的服务范围", "服务缺口", "设施", "候选用地",
               "建议新址", "社区名称"]
SERVICES_ZH = ["全部必需服务", "社区综合服务设施", "养老服务站", "老年助餐点", "社区卫生服务站",
               "菜市场", "便利店", "幼儿园", "小学", "综合文化服务中心", "健身场地", "快递点",
               "应急避难场所"]


@pytest.fixture(scope="module")
def browser() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (make sysdeps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A page on map.html recording console messages, errors, dialogs and requests."""

    def __init__(self, browser: Any, path: Path,
                 viewport: dict[str, int] | None = None) -> None:
        viewport = viewport or {"width": 1366, "height": 768}
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.tiles: list[str] = []
        self.refused: list[str] = []
        self.page = page = browser.new_page(viewport=viewport)
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)
        page.goto(path.as_uri())
        page.wait_for_selector(".leaflet-control-layers")
        self.map = page.evaluate("document.querySelector('.folium-map').id")

    def _dialog(self, d: Any) -> None:
        self.dialogs.append(d.message)
        d.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        elif any(h in url for h in TILE_HOSTS):
            self.tiles.append(url)
            route.fulfill(status=200, content_type="image/png", body=PNG)
        else:
            self.refused.append(url)
            route.abort()

    def click_local(self, x: float, y: float) -> None:
        """Click the map at local fixture coordinates (metres from the fixture origin)."""
        lon, lat = TO_WGS84.transform(fx.X0 + x, fx.Y0 + y)
        # a popup may have panned the map: wait until the animation ends
        self.page.wait_for_function(
            "id => { const m = window[id]; return !(m._panAnim && m._panAnim._inProgress)"
            " && !m._animatingZoom; }", arg=self.map)
        px = self.page.evaluate(
            """([id, lat, lon]) => { const m = window[id];
                 const p = m.latLngToContainerPoint([lat, lon]);
                 const r = m.getContainer().getBoundingClientRect();
                 return [p.x + r.left, p.y + r.top]; }""", [self.map, lat, lon])
        self.page.mouse.click(px[0], px[1])

    def popup_text(self) -> str:
        self.page.wait_for_selector(".leaflet-popup-content")
        return self.page.inner_text(".leaflet-popup-content")

    def close_popup(self) -> None:
        self.page.evaluate(f"window['{self.map}'].closePopup()")
        # Leaflet fades a closed popup out before removing it
        self.page.wait_for_selector(".leaflet-popup", state="detached")


def _overlay_names(page: Any) -> list[str]:
    return page.eval_on_selector_all(".leaflet-control-layers-overlays label",
                                     "els => els.map(e => e.textContent.trim())")


@pytest.fixture(scope="module")
def zh_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("map") / "map.html"
    webmap.build(fx.build(), fx.profile(), out, lang="zh")
    return out


def test_file_is_self_contained_and_small(zh_map: Path) -> None:
    text = zh_map.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+href=", text)
    assert "cdn.jsdelivr" not in text and "code.jquery" not in text
    assert zh_map.stat().st_size < 600_000
    # the hostile name is embedded once, as JSON text that cannot close the script; the
    # page shows it with textContent (test_map_in_chromium)
    assert fx.EVIL not in text
    assert text.count("\\u003cimg src=x onerror=alert(1)\\u003e") == 1
    assert "&lt;img" not in text and "&amp;lt;" not in text  # not HTML-escaped twice


def _js(page: Any, expr: str, arg: Any = None) -> Any:
    return page.evaluate(expr, arg)


def _fills(page: Any, pane: str) -> list[str | None]:
    return page.eval_on_selector_all(f".leaflet-{pane}-pane path",
                                     "els => els.map(e => e.getAttribute('fill'))")


def _comm_fill(page: Any, cid: str) -> str:
    return page.evaluate("""cid => { let out = null;
        window.lifecircle.communities.eachLayer(l => {
            if (l.feature.properties.c === cid) { out = l.options.fillColor; } });
        return out; }""", cid)


def _points_shown(page: Any) -> int:
    """Facilities on the map: single markers plus the counts of clusters."""
    return page.evaluate("""() => { let n = 0;
        window.lifecircle.facilities.group.eachLayer(m => {
            const c = m.getElement().querySelector('.lc-cluster');
            n += c ? Number(c.textContent) : 1; });
        return n; }""")


def test_proposed_colour_is_unique() -> None:
    others = {c.color for c in styles.COVERAGE_CLASSES} | {styles.NO_DATA_COLOR}
    others |= {color for color, _ in styles.KNOWN_CATEGORIES.values()}
    others |= set(styles.EXTRA_PALETTE) | {styles.GAP.fill, styles.GAP.stroke,
                                           styles.CANDIDATE.color, styles.ROAD_MAJOR_COLOR,
                                           styles.ROAD_MINOR_COLOR, styles.COMMUNITY.stroke}
    assert styles.PROPOSED.color not in others
    assert styles.PROPOSED.stroke not in others


def test_map_in_chromium(browser: Any, zh_map: Path) -> None:
    p = Page(browser, zh_map)
    page = p.page

    # layer control and base maps, in Chinese
    assert _overlay_names(page) == OVERLAYS_ZH
    bases = page.eval_on_selector_all(".leaflet-control-layers-base label",
                                      "els => els.map(e => e.textContent.trim())")
    assert bases == ["CARTO Positron (OpenStreetMap)", "OpenStreetMap", "无底图"]
    assert page.inner_text(".lc-title .lc-h") == "社区生活圈服务评估"
    assert page.title() == "社区生活圈服务评估"
    # Leaflet's own zoom buttons are titled in the map's language too
    titles = page.eval_on_selector_all(
        ".leaflet-control-zoom a", "els => els.map(e => [e.title, e.getAttribute('aria-label')])")
    assert titles == [["放大", "放大"], ["缩小", "缩小"]]

    # service selector: all services + every required service; opens on site 1's service
    options = page.eval_on_selector_all(".lc-service option", "els => els.map(e => e.text)")
    assert options == SERVICES_ZH
    assert page.input_value(".lc-service") == "elderly_care"
    # communities coloured by elderly-care coverage: C02 60 %, C03 30 %, C01 and C04 100 %
    assert _comm_fill(page, "C01") == "#1a9641" and _comm_fill(page, "C04") == "#1a9641"
    assert _comm_fill(page, "C02") == "#fdae61" and _comm_fill(page, "C03") == "#d7191c"
    assert _comm_fill(page, "C05") == "#bdbdbd"
    # only elderly care's gap (hatched) and service area (F02's 15-minute limit)
    assert _fills(page, "lc-gap") == ["url(#lc-hatch)"]
    assert _fills(page, "lc-sa") == [styles.category_style("elderly_care").color]
    assert _points_shown(page) == 1
    legend = page.inner_text(".lc-legend")
    for text in ("图例", "覆盖率：养老服务站", "100%", "低于 50%", "无数据", "现状设施",
                 "服务范围（城市社区 15 分钟／农村社区 30 分钟）", "该服务的缺口",
                 "建议新址（按序号排名）", "道路"):
        assert text in legend, text
    assert "便利店" not in legend  # other services' symbols are not listed

    # another service: meal aid (C03 50 %: the first class whose bounds hold it, as in QGIS)
    page.select_option(".lc-service", "meal_aid")
    assert _comm_fill(page, "C03") == "#d7191c" and _comm_fill(page, "C02") == "#1a9641"
    assert _comm_fill(page, "C04") == "#bdbdbd"  # not required in rural circles
    assert len(_fills(page, "lc-gap")) == 1 and _fills(page, "lc-sa") == []
    assert _points_shown(page) == 0
    # all services: cov_all, every gap, all six facilities (clustered or not)
    page.select_option(".lc-service", "")
    assert _comm_fill(page, "C03") == "#d7191c" and _comm_fill(page, "C04") == "#a6d96a"
    assert len(_fills(page, "lc-gap")) == 2 and _fills(page, "lc-sa") == []
    assert _points_shown(page) == 6
    assert "全部必需服务覆盖率" in page.inner_text(".lc-legend")

    # community C02: one definition of "missing"; the popup cannot contradict itself
    p.click_local(1800, 200)
    text = p.popup_text()
    assert text.startswith('湖东社区 "A&B"')
    assert "城市社区" in text and "花山区" in text and "3,000" in text
    assert re.search(r"全部服务覆盖率\s+60\.0%", text)
    assert re.search(r"养老服务站\s+60\.0%", text)
    assert re.search(r"最远服务时间\(分钟\)\s+22\.0", text)
    assert re.search(r"未覆盖全部居民的服务\s+养老服务站", text)
    assert re.search(r"无人可达的服务\s+无", text)
    bad = page.eval_on_selector_all(".leaflet-popup-content tr.lc-bad th",
                                    "els => els.map(e => e.textContent)")
    assert bad == ["养老服务站"]
    p.close_popup()

    # "with proposed sites": C02 and C03 reach 100 %, the popup shows before -> after
    page.check(".lc-after")
    assert _comm_fill(page, "C02") == "#1a9641" and _comm_fill(page, "C03") == "#1a9641"
    assert "（建议新址实施后）" in page.inner_text(".lc-legend")
    p.click_local(1800, 200)
    assert re.search(r"全部服务覆盖率\s+60\.0% → 100\.0%", p.popup_text())
    p.close_popup()
    # one service with the sites: a changed share comes from "va", an unchanged one from "v"
    page.select_option(".lc-service", "elderly_care")
    assert _comm_fill(page, "C02") == "#1a9641" and _comm_fill(page, "C01") == "#1a9641"
    assert _comm_fill(page, "C05") == "#bdbdbd"
    page.select_option(".lc-service", "meal_aid")
    assert _comm_fill(page, "C03") == "#1a9641" and _comm_fill(page, "C02") == "#1a9641"
    assert _comm_fill(page, "C04") == "#bdbdbd"
    page.select_option(".lc-service", "")
    page.uncheck(".lc-after")
    assert _comm_fill(page, "C02") == "#fdae61"

    # proposed sites: on top (own pane above the markers), numbered, listed in a panel
    z = page.evaluate("""id => { const m = window[id];
        return [Number(m.getPane('lc-sites').style.zIndex),
                Number(getComputedStyle(m.getPane('markerPane')).zIndex)]; }""", p.map)
    assert z[0] > z[1]
    ranks = page.eval_on_selector_all(".leaflet-lc-sites-pane .lc-rank",
                                      "els => els.map(e => e.textContent)")
    assert sorted(ranks) == ["1", "2"]
    panel = page.inner_text(".lc-sites")
    assert "原雨山宾馆 · 1,750 人" in panel and "原培训中心 · 1,200 人" in panel
    assert "2 处建议新址新增覆盖 2,950 人。" in panel
    page.click(".lc-site-btn[data-rank='2']")
    text = p.popup_text()
    assert text.startswith("第 2 位建议新址") and "原培训中心" in text
    centre = page.evaluate("id => { const c = window[id].getCenter(); return [c.lat, c.lng]; }",
                           p.map)
    lon, lat = TO_WGS84.transform(fx.X0 + 1500, fx.Y0 + 600)
    assert abs(centre[0] - lat) < 1e-4 and abs(centre[1] - lon) < 1e-4
    assert page.evaluate("id => window[id].getZoom()", p.map) >= 15
    p.close_popup()

    # the facility with a hostile name: shown as text, no element, no dialog
    lon, lat = TO_WGS84.transform(fx.X0 + 300, fx.Y0 + 700)
    page.evaluate("([id, lat, lon]) => window[id].setView([lat, lon], 17)", [p.map, lat, lon])
    p.click_local(300, 700)
    text = p.popup_text()
    assert fx.EVIL in text
    assert "养老服务站" in text and "现状" in text
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    p.close_popup()

    # community names from zoom 14, none at 12
    page.evaluate("id => window[id].setView(window[id].getCenter(), 12)", p.map)
    assert page.locator(".lc-label").count() == 0
    page.evaluate("id => window[id].fitBounds(window.lifecircle.communities.getBounds())",
                  p.map)
    page.evaluate("id => window[id].setZoom(14)", p.map)
    # labels follow the zoom's end, which an animated zoom reaches a moment later
    page.wait_for_function("document.querySelectorAll('.lc-label').length > 0", timeout=10000)
    labels = page.eval_on_selector_all(".lc-label", "els => els.map(e => e.textContent)")
    assert "桃园社区" in labels and '湖东社区 "A&B"' in labels

    # name search
    page.fill(".lc-search-input", "雨山")
    page.press(".lc-search-input", "Enter")
    assert p.popup_text().startswith("雨山社区")
    p.close_popup()

    # metric scale bar only
    scale = page.inner_text(".leaflet-control-scale")
    assert re.fullmatch(r"\d+ k?m", scale.strip()), scale
    assert page.locator(".leaflet-control-scale-line").count() == 1

    # base-map switch to "no base map": no tiles, the project's roads remain
    page.hover(".leaflet-control-layers")
    page.get_by_text("无底图").click()
    assert page.locator(".leaflet-tile").count() == 0
    painted = page.evaluate("""() => { const c = document.querySelector(
            '.leaflet-lc-roads-pane canvas'); const d = c.getContext('2d').getImageData(
            0, 0, c.width, c.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } } return n; }""")
    assert painted > 100

    assert p.dialogs == []
    assert p.errors == []
    assert [m for m in p.console if m[0] in ("error", "warning")] == []
    assert p.refused == []
    assert p.tiles, "base-map tiles were requested (the map still works online)"
    page.close()


@pytest.mark.parametrize("size", [(1366, 768), (1440, 900)])
def test_controls_fit_the_screen(browser: Any, zh_map: Path, size: tuple[int, int]) -> None:
    p = Page(browser, zh_map, viewport={"width": size[0], "height": size[1]})
    page = p.page
    for service in ("", "elderly_care"):
        page.select_option(".lc-service", service)
        boxes = {}
        for sel in (".lc-legend", ".lc-sites", ".lc-title", ".leaflet-control-layers",
                    ".lc-search", ".leaflet-control-zoom"):
            b = page.locator(sel).bounding_box()
            assert b is not None, sel
            assert b["x"] >= 0 and b["y"] >= 0, sel
            assert b["x"] + b["width"] <= size[0] and b["y"] + b["height"] <= size[1], sel
            boxes[sel] = b
        # the legend does not scroll and overlaps no other control
        assert page.evaluate("() => { const e = document.querySelector('.lc-legend');"
                             " return e.scrollHeight <= e.clientHeight; }")
        lg = boxes.pop(".lc-legend")
        for sel, b in boxes.items():
            apart = (lg["x"] + lg["width"] <= b["x"] or b["x"] + b["width"] <= lg["x"]
                     or lg["y"] + lg["height"] <= b["y"] or b["y"] + b["height"] <= lg["y"])
            assert apart, sel
    assert p.errors == []
    page.close()


def test_map_in_english(browser: Any, tmp_path: Path) -> None:
    out = webmap.build(fx.build(), fx.profile(), tmp_path / "map.html", lang="en",
                       basemap=None, title="Test <city>")
    p = Page(browser, out)
    names = _overlay_names(p.page)
    assert names[0] == "Community coverage"
    assert "Service area of the chosen service" in names
    assert p.page.inner_text(".lc-title .lc-h") == "Test <city>"
    assert p.tiles == []  # no base map shown
    p.page.select_option(".lc-service", "")
    p.click_local(1800, 200)
    text = p.popup_text()
    assert re.search(r"covered for all services\s+60\.0%", text)
    assert re.search(r"Services not reaching every resident\s+elderly-care station", text)
    assert re.search(r"Services no resident reaches\s+none", text)
    assert not re.search(r"[\u4e00-\u9fff]", p.page.inner_text(".lc-legend"))
    assert p.page.eval_on_selector_all(".leaflet-control-zoom a", "els => els.map(e => e.title)"
                                       ) == ["Zoom in", "Zoom out"]
    assert p.errors == [] and p.dialogs == [] and p.refused == []
    assert [m for m in p.console if m[0] == "error"] == []
    p.page.close()


def _over_shown(page: Any) -> list[str]:
    return page.evaluate("""() => { const out = [];
        window.lifecircle.over.eachLayer(m => out.push(m._lcOver[3])); return out; }""")


def test_over_capacity_layer_in_chromium(browser: Any, tmp_path: Path) -> None:
    layers = fx.with_over_capacity()
    over = layers["over_capacity"]
    assert over["fid"].tolist() == ["F04", "F02"]  # most overloaded first
    assert over["utilisation"].tolist() == [2.5, 1.5]
    out = webmap.build(layers, fx.profile(), tmp_path / "map.html", lang="zh")
    p = Page(browser, out)
    page = p.page
    names = _overlay_names(page)
    assert names[names.index("设施") + 1] == "超负荷设施"  # its own toggle, after facilities
    # it follows the service selector: elderly care (the map opens on it) shows F02 only
    assert page.input_value(".lc-service") == "elderly_care"
    assert _over_shown(page) == [fx.EVIL]
    assert "超负荷设施（负荷超过服务规模）" in page.inner_text(".lc-legend")
    page.select_option(".lc-service", "")
    assert sorted(_over_shown(page)) == sorted([fx.EVIL, "新桥村便利店"])
    page.select_option(".lc-service", "fresh_market")
    assert _over_shown(page) == []
    page.select_option(".lc-service", "")
    assert page.locator(".lc-over").count() == 2
    # the ring lies beneath the facility: a click on its rim opens its popup
    ring = page.locator(".lc-over").nth(0)
    box = ring.bounding_box()
    assert box is not None and box["width"] > 20
    pops = []
    for k in range(2):
        page.locator(".lc-over").nth(k).click(position={"x": 3, "y": box["height"] / 2})
        pops.append(p.popup_text())
        p.close_popup()
    text = next(t for t in pops if "新桥村便利店" in t)
    assert "超负荷设施（负荷超过服务规模）" in text
    assert re.search(r"负荷率\(负荷/服务规模\)\s+250\.0%", text)
    assert re.search(r"服务规模\s+10", text) and re.search(r"负荷口径\s+人口", text)
    evil = next(t for t in pops if "新桥村便利店" not in t)
    assert evil.startswith(fx.EVIL)  # shown as text, never run
    assert re.search(r"负荷口径\s+60岁及以上老年人", evil)
    # the toggle hides and shows the rings
    page.click(".leaflet-control-layers")
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label", has_text="超负荷设施") \
        .locator("input").uncheck()
    assert page.locator(".lc-over").count() == 0
    page.locator(".leaflet-control-layers-overlays label", has_text="超负荷设施") \
        .locator("input").check()
    assert page.locator(".lc-over").count() == 2
    assert p.errors == [] and p.dialogs == [] and p.refused == []
    assert [m for m in p.console if m[0] == "error"] == []
    page.close()

