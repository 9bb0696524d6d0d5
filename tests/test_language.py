"""One language at a time: every message in the run's language, through the one catalogue.

``errors.Note`` carries a data warning's catalogue key, so it is rendered in the language of
wherever it is shown; the whole-run test below runs the real CLI in Chinese and English and
looks for sentences of the other language.
"""

from __future__ import annotations

import pickle

from lifecircle import i18n
from lifecircle.errors import Note


def test_note_renders_in_either_language_and_keeps_its_place() -> None:
    n = Note("warn.facility_far", fid="F7", name="敬老院", m="500", mode=("步行", "walking"))
    assert str(n) == ("facility F7 (敬老院) is farther than 500 m from a road usable by "
                      "walking; not counted")
    assert n.render("zh") == "设施 F7（敬老院）距离步行可用的道路超过 500 米，未计入"
    placed = n.at("facilities.gpkg (layers.facilities)")
    assert placed.render("zh").startswith("facilities.gpkg (layers.facilities)：设施 F7")
    assert str(placed).startswith("facilities.gpkg (layers.facilities): facility F7")
    # a list of warnings is still a list of strings: deduplicated, pickled (to Dask
    # workers and back) and rendered where shown
    back = pickle.loads(pickle.dumps([placed, "plain text"]))
    assert back[0] == placed and back[0].render("zh") == placed.render("zh")
    assert list(dict.fromkeys([n, Note(n.key, **n.values)])) == [n]
    assert [i18n.render(w, "zh") for w in back] == [placed.render("zh"), "plain text"]


def test_note_values_may_be_notes() -> None:
    inner = Note("warn.facility_far", fid="F1", name="x", m="5", mode=("步行", "walking"))
    outer = Note("cli.no_path", path=inner)
    assert outer.render("zh") == f"{inner.render('zh')} 不存在"
    assert outer == f"{inner} does not exist"
