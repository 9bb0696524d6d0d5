"""The package layout of docs/contracts.md: imports point one way, from the entry points
down to errors and the catalogue (type-only imports excepted)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1] / "lifecircle"
#: Each part's level; a part may import its own level and the levels below.
LEVELS = {
    0: {"errors", "i18n", "_toml", "limits", "safetext", "schemas", "parallel", "memory",
        "__version__"},
    1: {"profile", "project"},
    2: {"geo"},
    3: {"layers", "data"},
    4: {"accessibility"},
    5: {"planner"},
    6: {"distributed"},
    7: {"outputs"},
    8: {"pipeline"},
    9: {"api", "cli", "__init__", "__main__"},
}
LEVEL = {part: level for level, parts in LEVELS.items() for part in parts}


def _part(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    return rel.parts[0]


def _imports(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, imported lifecircle part) of every import outside ``if TYPE_CHECKING:``."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for b in node.body for n in ast.walk(b)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "lifecircle":
            parts = node.module.split(".")
            names = [parts[1]] if len(parts) > 1 else [a.name for a in node.names]
            out += [(node.lineno, n) for n in names]
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[1]) for a in node.names
                    if a.name.startswith("lifecircle.")]
    return out


def test_imports_point_one_way(package_sources: dict[Path, tuple[str, ast.Module]]) -> None:
    files = sorted(ROOT.rglob("*.py"))
    assert len(files) > 50 and sorted(package_sources) == files
    wrong = []
    for path in files:
        part = _part(path)
        assert part in LEVEL, f"{part}: add it to LEVELS and to docs/contracts.md 'Layout'"
        for line, target in _imports(package_sources[path][1]):
            assert target in LEVEL, f"{path}:{line}: {target} has no level"
            if part != target and LEVEL[target] > LEVEL[part]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({part}) imports {target}")
    assert not wrong, wrong


def test_contracts_name_every_part() -> None:
    text = (ROOT.parent / "docs" / "contracts.md").read_text(encoding="utf-8")
    layout = text[text.index("## Layout"):text.index("## `lifecircle` (the public API")]
    for part in LEVEL:
        if part.startswith("__") and part != "__init__":
            continue
        name = part if (ROOT / part).is_dir() else f"{part}.py"
        assert name in layout or part == "__init__", name
