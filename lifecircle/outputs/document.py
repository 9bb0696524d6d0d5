"""The report as data, rendered to HTML and to Markdown.

:mod:`lifecircle.outputs.report` builds one :class:`Document`: a sequence of blocks
(headings, paragraphs, bullet lists, tables, key-value facts, figures, links, grouped
sections), every text already in the run's language. :func:`to_html` and
:func:`to_markdown` only render those blocks, so the two files carry the same sections,
tables and numbers and cannot drift apart. Text is plain in the blocks; each renderer
escapes it for its format (HTML entities; Markdown table and emphasis characters).

What differs by format is only how a block looks: a figure is an inline SVG chart or a
PNG map in HTML, and in Markdown the table of the numbers it draws (or, for a map, its
description and legend); coverage cells are coloured in HTML and plain percentages in
Markdown.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from lifecircle import i18n
from lifecircle.outputs import styles

__all__ = ["Block", "Bullets", "Cell", "Document", "Facts", "Figure", "Heading", "Legend",
           "Links", "Paragraph", "Section", "Table", "blocks", "tables", "to_html",
           "to_markdown"]


@dataclass(frozen=True)
class Cell:
    """One table cell.

    Attributes
    ----------
    text
        What the reader sees (in both renderings).
    kind
        ``text``; ``num`` (right-aligned); ``small`` (a footnote-sized cell); ``badge``
        (a pass/fail label, :attr:`status` its class); ``cov`` (a coverage share,
        :attr:`value` colours the HTML cell like the map).
    value
        The share of a ``cov`` cell (NaN: no data).
    status
        CSS class of a ``badge`` (``pass``, ``fail``, ``nodata``).
    """

    text: str
    kind: str = "text"
    value: float | None = None
    status: str = ""


@dataclass(frozen=True)
class Table:
    """A table: header labels and rows of cells.

    ``style`` is the HTML class (``data``, ``data wrap``, ``data cov`` ...); ``scroll``
    puts it in a scroll box on screen (never in print); ``row_styles`` gives each row a
    class (Table 1 rows by status).
    """

    head: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    style: str = "data"
    scroll: bool = True
    row_styles: tuple[str, ...] = ()

    @staticmethod
    def of_text(head: Sequence[str], rows: Sequence[Sequence[str]], *, style: str = "data",
                numbers: bool = False, scroll: bool = True) -> Table:
        """A table of plain text cells; with ``numbers``, cells that start with a digit or
        ``-`` are right-aligned numbers."""
        def cell(x: str) -> Cell:
            kind = "num" if numbers and (x[:1].isdigit() or x[:1] == "-") else "text"
            return Cell(str(x), kind)

        return Table(tuple(str(h) for h in head), tuple(tuple(cell(str(x)) for x in r)
                                                        for r in rows), style=style,
                     scroll=scroll)


@dataclass(frozen=True)
class Heading:
    """A heading (level 1-3); ``style`` ``newpage`` starts a printed page."""

    text: str
    level: int = 2
    style: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``style`` ``note``, ``small`` or ``banner`` (a notice every reader must
    see, such as synthetic data)."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Bullets:
    """A bullet list (``style``: ``summary``, ``warnings``)."""

    items: tuple[str, ...]
    style: str = ""


@dataclass(frozen=True)
class Facts:
    """Labelled values: a two-column table (``kv``) or key-figure boxes (``stats``);
    ``head`` labels the two columns where a table needs a header (Markdown)."""

    items: tuple[tuple[str, str], ...]
    head: tuple[str, str]
    style: str = "kv"


@dataclass(frozen=True)
class Legend:
    """A map legend: a title and ``(swatch, colour, label)`` items, the swatch ``fill``
    (a coloured box), ``hatch`` (gaps) or ``site`` (a numbered proposed site)."""

    title: str
    items: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class Figure:
    """A chart (inline SVG) or a map (PNG).

    ``alt`` describes it; ``caption`` is shown under it in HTML; ``data`` is the table of
    the numbers it draws (what Markdown shows instead of the picture).
    """

    alt: str
    svg: str = ""
    png: bytes = b""
    caption: str = ""
    legend: Legend | None = None
    data: Table | None = None


@dataclass(frozen=True)
class Links:
    """Links to files of the result folder (relative paths)."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """Blocks kept together (a district, an appendix); ``style`` is the HTML class."""

    blocks: tuple[Block, ...]
    style: str = ""


Block: TypeAlias = "Heading | Paragraph | Bullets | Table | Facts | Figure | Links | Section"


@dataclass(frozen=True)
class Document:
    """A whole report.

    Attributes
    ----------
    title
        The document title (first heading and browser tab).
    lang
        ``zh`` or ``en`` (the HTML ``lang``).
    blocks
        The content in reading order.
    css
        The HTML stylesheet (screen and A4 print).
    figure_note
        Markdown: said after the description of a figure that has no data table (a map).
    """

    title: str
    lang: str
    blocks: tuple[Block, ...]
    css: str = ""
    figure_note: str = ""


def blocks(items: Sequence[Block]) -> Iterator[Block]:
    """Every block in reading order, the contents of sections included (depth first)."""
    for b in items:
        yield b
        if isinstance(b, Section):
            yield from blocks(b.blocks)


def tables(doc: Document) -> list[Table]:
    """Every table of the document in reading order (figure data tables excluded)."""
    return [b for b in blocks(doc.blocks) if isinstance(b, Table)]


# ------------------------------------------------------------------ HTML
def _esc(v: object) -> str:
    return html.escape(str(v), quote=True)


def _cls(style: str) -> str:
    return f' class="{_esc(style)}"' if style else ""


def _html_cell(c: Cell) -> str:
    if c.kind == "cov":
        v = c.value
        if v is None or v != v:
            return f'<td class="num na">{_esc(c.text)}</td>'
        color = styles.coverage_color(v)
        dark = styles.coverage_class(v) in (0, len(styles.COVERAGE_CLASSES) - 1)
        fg = ";color:#fff" if dark else ""
        return f'<td class="num" style="background:{color}{fg}">{_esc(c.text)}</td>'
    if c.kind == "badge":
        return f'<td><span class="badge {_esc(c.status)}">{_esc(c.text)}</span></td>'
    if c.kind in ("num", "small"):
        return f'<td class="{c.kind}">{_esc(c.text)}</td>'
    return f"<td>{_esc(c.text)}</td>"


def _html_table(t: Table) -> str:
    head = "".join(f"<th>{_esc(x)}</th>" for x in t.head)
    rows = []
    for i, r in enumerate(t.rows):
        cls = _cls(t.row_styles[i]) if i < len(t.row_styles) else ""
        rows.append(f"<tr{cls}>" + "".join(_html_cell(c) for c in r) + "</tr>")
    table = (f"<table{_cls(t.style)}><thead><tr>{head}</tr></thead>"
             f"<tbody>{''.join(rows)}</tbody></table>")
    return f'<div class="scroll">{table}</div>' if t.scroll else table


def _html_legend(g: Legend) -> str:
    parts = []
    for swatch, color, label in g.items:
        if swatch == "hatch":
            parts.append('<span class="sw hatch"></span>' + _esc(label))
        elif swatch == "site":
            parts.append('<span class="sw site">1</span>' + _esc(label))
        else:
            parts.append(f'<span class="sw" style="background:{_esc(color)}"></span>'
                         + _esc(label))
    return ('<p class="maplegend">' + _esc(g.title) + " ".join(f"<span>{p}</span>"
                                                                for p in parts) + "</p>")


def _html_block(b: Block) -> str:
    if isinstance(b, Heading):
        return f"<h{b.level}{_cls(b.style)}>{_esc(b.text)}</h{b.level}>"
    if isinstance(b, Paragraph):
        return f"<p{_cls(b.style)}>{_esc(b.text)}</p>"
    if isinstance(b, Bullets):
        return f"<ul{_cls(b.style)}>" + "".join(f"<li>{_esc(x)}</li>" for x in b.items) \
            + "</ul>"
    if isinstance(b, Table):
        return _html_table(b)
    if isinstance(b, Facts):
        if b.style == "stats":
            return '<div class="stats">' + "".join(
                f'<div class="stat"><b>{_esc(v)}</b>{_esc(k)}</div>' for k, v in b.items) \
                + "</div>"
        return '<table class="kv">' + "".join(
            f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in b.items) + "</table>"
    if isinstance(b, Figure):
        if b.svg:
            return b.svg
        data = base64.b64encode(b.png).decode("ascii")
        img = f'<img class="map" alt="{_esc(b.alt)}" src="data:image/png;base64,{data}">'
        cap = f"<figcaption>{_esc(b.caption)}</figcaption>" if b.caption else ""
        legend = _html_legend(b.legend) if b.legend is not None else ""
        return f'<figure class="mapfig">{img}{cap}{legend}</figure>'
    if isinstance(b, Links):
        return "<ul>" + "".join(f'<li><a href="{_esc(f)}">{_esc(f)}</a></li>'
                                for f in b.items) + "</ul>"
    if isinstance(b, Section):
        return f"<section{_cls(b.style)}>" + "\n".join(_html_block(x) for x in b.blocks) \
            + "</section>"
    raise TypeError(f"not a report block: {type(b).__name__}")


def to_html(doc: Document) -> str:
    """The document as one self-contained HTML page (inline CSS, every text escaped)."""
    lang = i18n.t("html.lang", doc.lang)
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{_esc(doc.title)}</title><style>{doc.css}</style></head><body><main>\n"
            + "\n".join(_html_block(b) for b in doc.blocks) + "\n</main></body></html>\n")


# ------------------------------------------------------------------ Markdown
def md_text(v: object) -> str:
    """Text safe in a Markdown table cell or paragraph: ``<``/``>``/``&`` as entities (no
    raw HTML), no line breaks, and ``\\ | * _ ` [ ]`` escaped."""
    text = html.escape(str(v), quote=False).replace("\n", " ").replace("\r", " ")
    for ch in ("\\", "|", "*", "_", "`", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


def _md_table(t: Table) -> str:
    lines = ["| " + " | ".join(md_text(h) for h in t.head) + " |", "|" + "---|" * len(t.head)]
    lines += ["| " + " | ".join(md_text(c.text) for c in r) + " |" for r in t.rows]
    return "\n".join(lines)


def _md_block(b: Block, doc: Document) -> list[str]:
    if isinstance(b, Heading):
        return [f"{'#' * b.level} {md_text(b.text)}"]
    if isinstance(b, Paragraph):
        return [f"> **{md_text(b.text)}**" if b.style == "banner" else md_text(b.text)]
    if isinstance(b, Bullets):
        return ["\n".join(f"- {md_text(x)}" for x in b.items)]
    if isinstance(b, Table):
        return [_md_table(b)]
    if isinstance(b, Facts):
        return [_md_table(Table.of_text(b.head, [list(x) for x in b.items]))]
    if isinstance(b, Figure):
        if b.data is not None:
            return [_md_table(b.data)]
        note = f" ({md_text(doc.figure_note)})" if doc.figure_note else ""
        out = [f"*{md_text(b.caption or b.alt)}*{note}"]
        if b.legend is not None:
            out.append(md_text(b.legend.title + " · ".join(x[2] for x in b.legend.items)))
        return out
    if isinstance(b, Links):
        return ["\n".join(f"- [{md_text(f)}]({f})" for f in b.items)]
    if isinstance(b, Section):
        return [x for y in b.blocks for x in _md_block(y, doc)]
    raise TypeError(f"not a report block: {type(b).__name__}")


def to_markdown(doc: Document) -> str:
    """The document as Markdown (GitHub tables; figures as their data tables), one blank
    line between blocks so no paragraph runs into a table."""
    return "\n\n".join(x for b in doc.blocks for x in _md_block(b, doc)) + "\n"
