"""report.html printed to A4 by headless Chromium (page.pdf): nothing clipped.

The print stylesheet must turn the screen's scroll boxes into full tables that wrap and
split across pages. Checked twice: in print media at the printable width of each page type
no element is wider than its box, and every community and every Table-1 row is in the text
of the PDF.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import _results_fixture as fx
import pytest

from lifecircle.outputs import report

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Printable widths in CSS pixels (96 dpi): A4 portrait 210 - 2 x 12 mm, landscape 297 - 2 x 10.
PORTRAIT_PX = (210 - 24) / 25.4 * 96
LANDSCAPE_PX = (297 - 20) / 25.4 * 96


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (make sysdeps)")
    from playwright.sync_api import sync_playwright

    out = tmp_path_factory.mktemp("print")
    report.build(fx.build(), fx.profile(), out, lang="zh",
                 plan_summary={"model": "mclp", "sites": 2, "gap": 0.0},
                 run_info={"project": "马鞍山", "synthetic": True})
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = b.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((out / "report.html").as_uri())
        pdf = out / "report.pdf"
        page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
        page.emulate_media(media="print")
        page.add_style_tag(content="::-webkit-scrollbar{display:none}")  # full layout width
        widths = {}
        for name, px in (("portrait", PORTRAIT_PX), ("landscape", LANDSCAPE_PX)):
            page.set_viewport_size({"width": int(px), "height": 1000})
            widths[name] = page.evaluate("""inAppendix => {
                const out = [];
                const width = document.documentElement.clientWidth;
                document.querySelectorAll('table, .scroll, img, svg, p, li, figure')
                    .forEach(e => {
                        const wide = e.closest('section.appendix') !== null;
                        if (wide !== inAppendix) { return; }
                        const r = e.getBoundingClientRect();
                        const sw = e.tagName === 'svg' ? r.width : e.scrollWidth;
                        if (r.right > width + 1 || sw > e.clientWidth + 1
                            && e.tagName !== 'svg' && e.tagName !== 'IMG') {
                            out.push(e.tagName + '.' + e.className + ': ' + Math.round(sw));
                        }
                    });
                const boxes = Array.from(document.querySelectorAll('.scroll')).filter(
                    e => e.scrollHeight > e.clientHeight + 1).length;
                return {overflow: out, scrolled: boxes}; }""", name == "landscape")
        b.close()
    return {"pdf": pdf, "widths": widths, "requests": requests}


def test_nothing_wider_than_the_page(printed: dict[str, Any]) -> None:
    for name, w in printed["widths"].items():
        assert w["overflow"] == [], (name, w["overflow"])
        assert w["scrolled"] == 0, name  # no scroll box keeps rows out of print


def test_pdf_holds_every_row(printed: dict[str, Any]) -> None:
    import pypdf

    reader = pypdf.PdfReader(str(printed["pdf"]))
    pages = reader.pages
    assert 4 <= len(pages) <= 20
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages}
    assert sizes <= {(595, 842), (842, 595)} and (842, 595) in sizes  # A4, appendix landscape
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in pages))
    flat = text.replace("\n", "").replace(" ", "")
    for cid in ("C01", "C02", "C03", "C04", "C05"):
        assert cid in flat
    for name in ("桃园社区", "雨山社区", "新桥村", "空置社区"):
        assert name in flat
    # Table 1 rows, the last appendix column and the last section are printed
    for s in ("社区综合服务设施覆盖率", "每万城镇常住人口拥有社区工作者数", "应急避难场所",
              "运行信息"):
        assert s in flat, s
    assert all(u.startswith(("file:", "data:")) for u in printed["requests"])
