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

from lifecircle.outputs import webmap

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYA"
                       "AjCB0C8AAAAASUVORK5CYII=")
TILE_HOSTS = ("basemaps.cartocdn.com", "tile.openstreetmap.org")
TO_WGS84 = Transformer.from_crs(4548, 4326, always_xy=True)

OVERLAYS_ZH = [
    "社区覆盖率",
    "服务范围：社区综合服务设施", "服务范围：养老服务站", "服务范围：社区卫生服务站",
    "服务范围：菜市场", "服务范围：便利店",
    "服务缺口",
    "设施：社区综合服务设施", "设施：养老服务站", "设施：社区卫生服务站", "设施：菜市场",
    "设施：便利店", "设施：社工站",
    "候选用地", "建议新址",
]


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

    def __init__(self, browser: Any, path: Path) -> None:
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.tiles: list[str] = []
        self.refused: list[str] = []
        self.page = page = browser.new_page(viewport={"width": 1280, "height": 800})
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
    # the hostile name is embedded only escaped
    assert fx.EVIL not in text
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" not in text  # not raw in JSON either
    assert "&amp;lt;img src=x onerror=alert(1)&amp;gt;" not in text  # not double-escaped


def test_map_in_chromium(browser: Any, zh_map: Path) -> None:
    p = Page(browser, zh_map)
    page = p.page

    # layer control: overlays and base maps, in Chinese
    assert _overlay_names(page) == OVERLAYS_ZH
    bases = page.eval_on_selector_all(".leaflet-control-layers-base label",
                                      "els => els.map(e => e.textContent.trim())")
    assert bases == ["CARTO Positron (OpenStreetMap)", "OpenStreetMap", "无底图"]
    # one service area shown on opening: elderly care (first category of site 1)
    checked = page.eval_on_selector_all(
        ".leaflet-control-layers-overlays label",
        "els => els.filter(e => e.querySelector('input').checked)"
        ".map(e => e.textContent.trim())")
    assert checked == [n for n in OVERLAYS_ZH if n != "候选用地"
                       and (not n.startswith("服务范围") or n == "服务范围：养老服务站")]

    # legend, scale bar, fullscreen button, title
    legend = page.inner_text(".lc-legend")
    for text in ("图例", "全部必需服务覆盖率", "100%", "低于 50%", "无数据", "养老服务站",
                 "建议新址（按序号排名）", "服务缺口"):
        assert text in legend
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert page.inner_text(".lc-title") == "社区生活圈服务评估"
    assert page.title() == "社区生活圈服务评估"

    # community C02 (elderly care 60 %, name with & and ")
    p.click_local(1800, 200)
    text = p.popup_text()
    assert text.startswith('湖东社区 "A&B"')
    assert "城市社区" in text and "花山区" in text and "3,000" in text
    assert re.search(r"全部服务覆盖率\s+60\.0%", text)
    assert re.search(r"养老服务站\s+60\.0%", text)
    assert re.search(r"最远服务时间\(分钟\)\s+22\.0", text)
    bad = page.eval_on_selector_all(".leaflet-popup-content tr.lc-bad th",
                                    "els => els.map(e => e.textContent)")
    assert bad == ["养老服务站"]  # the one service below 100 %
    assert re.search(r"缺少的服务\s+养老服务站", text)
    assert "老年助餐点" in text  # a required urban category, covered 100 %
    p.close_popup()

    # community colours follow the coverage classes
    fills = page.eval_on_selector_all(".leaflet-overlay-pane path",
                                      "els => els.map(e => e.getAttribute('fill'))")
    for color in ("#1a9641", "#fdae61", "#d7191c", "#a6d96a", "#bdbdbd"):
        assert color in fills

    # the facility with a hostile name: shown as text, no element, no dialog
    p.click_local(300, 700)
    text = p.popup_text()
    assert fx.EVIL in text
    assert "养老服务站" in text and "现状" in text
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    p.close_popup()
    page.mouse.move(5, 400)

    # proposed site 1
    p.click_local(500, 1300)
    text = p.popup_text()
    assert text.startswith("第 1 位建议新址")
    assert "原雨山宾馆" in text and "1,750 人" in text and "雨山社区 (C03)" in text
    assert "养老服务站、老年助餐点" in text
    p.close_popup()
    ranks = page.eval_on_selector_all(".lc-rank", "els => els.map(e => e.textContent)")
    assert sorted(r for r in ranks if r in ("1", "2")) == ["1", "1", "2"]  # + legend "1"

    # toggling a service area adds its circle's own limit (15 min); the 5 and 10 minute
    # rings stay in the GeoPackage
    before = page.locator(".leaflet-overlay-pane path").count()
    page.hover(".leaflet-control-layers")
    page.get_by_text("服务范围：便利店").click()
    assert page.locator(".leaflet-overlay-pane path").count() == before + 1

    # base-map switch to "no base map" removes the tiles
    page.get_by_text("无底图").click()
    assert page.locator(".leaflet-tile").count() == 0

    assert p.dialogs == []
    assert p.errors == []
    assert [m for m in p.console if m[0] in ("error", "warning")] == []
    assert p.refused == []
    assert p.tiles, "base-map tiles were requested (the map still works online)"
    page.close()


def test_map_in_english(browser: Any, tmp_path: Path) -> None:
    out = webmap.build(fx.build(), fx.profile(), tmp_path / "map.html", lang="en",
                       basemap=None, title="Test <city>")
    p = Page(browser, out)
    names = _overlay_names(p.page)
    assert names[0] == "Community coverage"
    assert "Facilities: elderly-care station" in names
    assert "Service area: grocery" in names
    assert p.page.inner_text(".lc-title") == "Test <city>"
    assert p.tiles == []  # no base map shown
    p.click_local(1800, 200)
    text = p.popup_text()
    assert re.search(r"covered for all services\s+60\.0%", text)
    assert re.search(r"Missing services\s+elderly-care station", text)
    assert p.errors == [] and p.dialogs == [] and p.refused == []
    assert [m for m in p.console if m[0] == "error"] == []
    p.page.close()
