"""For the report's layout tests: what a section's flowables hold, as a reader would see it
(the tables' cells with their styles, the charts' drawn bars and strings)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Group, PolyLine, Rect, String, UserNode
from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Paragraph, Table

from citations.documents.templates import TEMPLATES_DIR
from citations.reports.layout import ReportLayout
from citations.reports.model import ProgramReport


def layout(report: ProgramReport) -> ReportLayout:
    return ReportLayout(report, TEMPLATES_DIR)


def cells(table: Table) -> list[list[object]]:
    """A table's rows of cells (reportlab keeps them in a private attribute)."""
    rows: list[list[object]] = vars(table)["_cellvalues"]
    return rows


def flat(flowables: Sequence[object]) -> Iterator[object]:
    """Every flowable, inside kept-together blocks and side-by-side tables too."""
    for item in flowables:
        if isinstance(item, KeepTogether):
            yield from flat(vars(item)["_content"])
            continue
        yield item
        if isinstance(item, Table):
            for row in cells(item):
                for cell in row:
                    yield from flat(cell if isinstance(cell, list) else [cell])


def tables(flowables: Sequence[object]) -> list[Table]:
    return [item for item in flat(flowables) if isinstance(item, Table)]


def drawings(flowables: Sequence[object]) -> list[Drawing]:
    return [item for item in flat(flowables) if isinstance(item, Drawing)]


def text_of(cell: object) -> str:
    """A cell's text (a paragraph's, without markup), or "" for a spacer or a drawing."""
    if isinstance(cell, list):
        return " ".join(text_of(item) for item in cell)
    if isinstance(cell, Paragraph):
        text = html.unescape(re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/?>", " ", cell.text)))
        return " ".join(text.split())
    return ""


def style_of(cell: object) -> str:
    return cell.style.name if isinstance(cell, Paragraph) else ""


def row_of(table: Table, first: str) -> list[object]:
    """The row whose first cell reads `first`."""
    rows = [row for row in cells(table) if text_of(row[0]) == first]
    assert len(rows) == 1, (first, [text_of(row[0]) for row in cells(table)])
    return list(rows[0])


@dataclass(frozen=True)
class Text:
    """A string as drawn: its text, where on the drawing (transforms applied), its colour."""

    text: str
    x: float
    y: float
    fillColor: colors.Color


@dataclass(frozen=True)
class Shapes:
    """What a drawing draws: its rectangles and circles, the lines it strokes (`points` as
    x, y, x, y..., in their group's coordinates), and its strings with their colours."""

    rects: list[Rect]
    strings: list[Text]
    circles: list[Circle]
    lines: list[PolyLine]

    def colour_of(self, text: str) -> colors.Color:
        found = [s.fillColor for s in self.strings if s.text == text]
        assert len(found) == 1, (text, [s.text for s in self.strings])
        return found[0]

    def texts(self) -> list[str]:
        return [s.text for s in self.strings]


Transform = tuple[float, float, float, float, float, float]


def _compose(outer: Transform, inner: Transform) -> Transform:
    a, b, c, d, e, f = outer
    p, q, r, s, t, u = inner
    return (
        a * p + c * q,
        b * p + d * q,
        a * r + c * s,
        b * r + d * s,
        a * t + c * u + e,
        b * t + d * u + f,
    )


def shapes(drawing: Drawing) -> Shapes:
    """The drawing's primitive shapes, its charts and labels expanded."""
    found = Shapes([], [], [], [])

    def walk(node: object, at: Transform) -> None:
        if isinstance(node, UserNode):
            walk(node.provideNode(), at)
        elif isinstance(node, Group):
            a, b, c, d, e, f = node.transform
            inner = _compose(at, (a, b, c, d, e, f))
            for child in node.contents:
                walk(child, inner)
        elif isinstance(node, Rect):
            found.rects.append(node)
        elif isinstance(node, String):
            a, b, c, d, e, f = at
            x, y = a * node.x + c * node.y + e, b * node.x + d * node.y + f
            found.strings.append(Text(node.text, x, y, node.fillColor or colors.black))
        elif isinstance(node, Circle):
            found.circles.append(node)
        elif isinstance(node, PolyLine) and node.strokeColor is not None:
            found.lines.append(node)

    walk(drawing, (1, 0, 0, 1, 0, 0))
    return found
