"""The report's tables: a ruled grid with a navy header that repeats on each page (with an
optional heading over a group of columns), a chart and its table side by side, and the cell
styles of a row (bold for a total, grey for a group too small to compare).
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.platypus import Paragraph, Spacer, Table

from citations.documents.layout import NAVY, RULE, Cell, table
from citations.reports.layout import ReportLayout

StyleCommand = tuple[object, ...]
"""One `TableStyle` command: its name, the first and last cell, then its values."""

Column = tuple[str | Paragraph, bool]
"""A column heading: its wording key (or a paragraph already worded, such as an experiment
arm's name), and whether it is right-aligned (numbers)."""

SHARE: Column = ("col_share", True)
"""The share column of a table."""


def row_styles(*, total: bool = False, small: bool = False) -> tuple[str, str]:
    """The paragraph styles of a row's text and numbers: bold for a total row, grey for a
    group too small to compare (`figures.too_few`), plain otherwise.

    >>> row_styles(), row_styles(total=True), row_styles(small=True)
    (('td', 'td_right'), ('td_bold', 'td_right_bold'), ('td_grey', 'td_right_grey'))
    >>> row_styles(total=True, small=True)
    ('td_bold_grey', 'td_right_bold_grey')
    """
    text, number = ("td_bold", "td_right_bold") if total else ("td", "td_right")
    return (f"{text}_grey", f"{number}_grey") if small else (text, number)


def grid_table(
    doc: ReportLayout,
    header: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    extra: Sequence[StyleCommand] = (),
    *,
    groups: Sequence[tuple[str | Paragraph, int, int]] = (),
) -> Table:
    """A ruled table with a navy header (wording keys; True: right-aligned) that repeats on
    each page. `groups` (key, first, last column) put a heading over several columns.

    Example::

        grid_table(doc, [("col_area", False), ("col_count", True), SHARE], rows, [200, 60, 60])
    """

    def head(key: str | Paragraph, right: bool) -> Paragraph:
        if isinstance(key, Paragraph):
            return key
        return doc.para(key, "th_right" if right else "th")

    heads: list[list[Cell]] = [[head(key, right) for key, right in header]]
    commands: list[StyleCommand] = []
    if groups:
        grouped = {c for _, first, last in groups for c in range(first, last + 1)}
        top: list[Cell] = [
            Spacer(0, 0) if c in grouped else head(key, right)
            for c, (key, right) in enumerate(header)
        ]
        below: list[Cell] = [
            head(key, right) if c in grouped else Spacer(0, 0)
            for c, (key, right) in enumerate(header)
        ]
        for key, first, last in groups:
            top[first] = (
                key
                if isinstance(key, Paragraph)
                else doc.para(key, "th_right" if first == last else "th_centre")
            )
            commands += [
                ("SPAN", (first, 0), (last, 0)),
                ("LINEBELOW", (first, 0), (last, 0), 0.6, colors.white),
            ]
        commands += [("SPAN", (c, 0), (c, 1)) for c in range(len(header)) if c not in grouped]
        commands.append(("VALIGN", (0, 0), (-1, 1), "BOTTOM"))
        heads = [top, below]
    return table(
        [*heads, *rows],
        widths,
        [
            ("BACKGROUND", (0, 0), (-1, len(heads) - 1), NAVY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, len(heads)), (-1, -1), 0.4, RULE),
            ("BOX", (0, 0), (-1, -1), 0.4, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            *commands,
            *extra,
        ],
        repeat_rows=len(heads),
        split_in_row=False,
    )


def side_by_side(doc: ReportLayout, left: Cell, right: Cell, left_width: float) -> Table:
    """Two blocks across the page (a chart and its table), tops aligned, no padding."""
    return table(
        [[left, right]],
        [left_width, doc.width - left_width],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
        ],
    )
