"""The message catalogue itself: no key given twice, both languages present, same placeholders.

A dict literal silently keeps the last of two equal keys, so a key added twice (easy when
several people add messages at once) would drop a message without any error; the source is
parsed to catch that.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from lifecircle import i18n

SOURCE = Path(i18n.__file__)
PAIRS = {name: getattr(i18n, name) for name in ("TEXT", "ERRORS", "FIELDS", "FIELDS_MORE")
         if hasattr(i18n, name)}


def _dict_literals() -> dict[str, ast.Dict]:
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    out: dict[str, ast.Dict] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign) and isinstance(node.value, ast.Dict):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name):
                out[target.id] = node.value
    return out


def test_no_key_is_given_twice() -> None:
    literals = _dict_literals()
    assert literals, "no dict literal found in i18n.py"
    for name, node in literals.items():
        seen: dict[object, int] = {}
        for key in node.keys:
            if key is None:  # ``**other`` spread
                continue
            value = ast.literal_eval(key)
            assert value not in seen, (f"{name}: key {value!r} given twice "
                                       f"(lines {seen[value]} and {key.lineno})")
            seen[value] = key.lineno


def test_the_detector_sees_a_duplicate() -> None:
    src = 'TEXT = {"a": ("甲", "a"), "b": ("乙", "b"), "a": ("丙", "c")}\n'
    node = ast.parse(src).body[0].value
    keys = [ast.literal_eval(k) for k in node.keys]
    assert len(keys) != len(set(keys))


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_both_languages_with_the_same_placeholders(name: str) -> None:
    for key, pair in PAIRS[name].items():
        assert isinstance(pair, tuple) and len(pair) == 2, f"{name}[{key!r}]"
        zh, en = pair
        # a measure word (unit.个) has no English counterpart; every other text has two
        assert zh.strip() and (en.strip() or key.startswith("unit.")), (
            f"{name}[{key!r}] has an empty text")
        assert _fields(zh) == _fields(en), (
            f"{name}[{key!r}]: placeholders differ: zh {_fields(zh)} en {_fields(en)}")


#: CJK punctuation that joins or separates words: in the catalogue's ``sep.*`` keys only.
SEPARATORS = {"、", "，", "：", "；", "／"}


def _inline_language_choices(source: str | ast.Module, name: str) -> list[str]:
    """Comparisons with a language code (``lang == "zh"``), lists joined by an English
    separator (``", ".join``), and string literals that are a Chinese separator, or start or
    end with one (``f"{a}，{b}"``), in ``source`` (text or its syntax tree)."""
    found = []
    tree = ast.parse(source) if isinstance(source, str) else source
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Constant) and s.value in i18n.LANGS for s in sides):
                found.append(f"{name}:{node.lineno}: compares with a language code")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "join" and isinstance(node.func.value, ast.Constant)
              and node.func.value.value in (", ", "; ")):
            found.append(f"{name}:{node.lineno}: English separator {node.func.value.value!r}")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and node.value.strip() and (node.value.strip()[0] in SEPARATORS
                                          or node.value.strip()[-1] in SEPARATORS)):
            found.append(f"{name}:{node.lineno}: separator {node.value!r}")
    return found


def test_no_language_is_chosen_outside_the_catalogue(
        package_sources: dict[Path, tuple[str, ast.Module]]) -> None:
    """Only lifecircle/i18n.py picks a text by language; everywhere else asks it (``t``,
    ``choose``, ``listed``, a ``name(lang)``), so a separator or label has one home."""
    root = SOURCE.parent
    assert sorted(package_sources) == sorted(root.rglob("*.py"))
    found = []
    for path, (_, tree) in package_sources.items():
        # the synthetic demo's generator writes data (names, its README), not messages
        if path == SOURCE or root / "data" / "synthetic" in path.parents:
            continue
        found += _inline_language_choices(tree, str(path.relative_to(root)))
    assert found == []


def test_the_branch_detector_sees_a_branch() -> None:
    src = ('sep = "、" if lang == "zh" else ", "\n'
           'x = f"{a}，字段 {b}"\n'
           'y = name_zh if "en" != lang else name_en\n'
           'z = ", ".join(names)\n')
    assert len(_inline_language_choices(src, "m")) == 5


def test_per_category_column_labels_come_from_the_catalogue(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``cov_<key>``, ``t_<key>``, ``d_cov_<key>``... are labelled by ``field.<prefix>``
    entries (the category's name in the run's language filled in)."""
    from lifecircle.profile import load_profile

    profile = load_profile()
    assert i18n.field_label("t_health", profile, "zh") == "时间(分钟)：社区卫生服务站"
    assert i18n.field_label("d_cov_all", profile, "en") == (
        "change in coverage: " + i18n.t("equity.all", "en"))
    for prefix in i18n.FIELD_PREFIXES:
        monkeypatch.setitem(i18n.TEXT, f"field.{prefix}", ("甲{name}", "A {name}"))
        assert i18n.field_label(f"{prefix}health", profile, "zh") == "甲社区卫生服务站"
        assert i18n.field_label(f"{prefix}health", profile, "en") == \
            "A community health station"
