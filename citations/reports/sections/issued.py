"""Citations issued: by month (a trend line over every month of the period, and the counts
under it), by ordinance and by area (the largest as bars, each with its share of all
citations issued, and the table of them all)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from babel.dates import format_date
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from citations.documents.layout import NAVY, RULE, Cell, table
from citations.reports.chart_text import one_line
from citations.reports.charts import (
    BLUE,
    MOST_BARS,
    Series,
    bar_chart,
    line_chart,
    whole_number,
)
from citations.reports.figures import every_month, ratio
from citations.reports.layout import Part, ReportLayout
from citations.reports.model import Count
from citations.reports.tables import SHARE, StyleCommand, grid_table, side_by_side


def citations_issued(doc: ReportLayout) -> list[Flowable]:
    """The section: its heading kept with the month chart, then by ordinance and by area."""
    report = doc.report
    if not (report.issued_by_month or report.issued_by_ordinance or report.issued_by_area):
        # The intro already says that nothing was issued.
        return doc.start("heading_trends", "trends_intro", [])
    head, rest = _by_month(doc)
    story = [*doc.start("heading_trends", "trends_intro", head), *rest]
    for part in (_by_ordinance(doc), _by_area(doc)):
        story += [KeepTogether(part[0]), *part[1]]
    return story


def month_name(item: Count, index: int, locale: str, every: int) -> str:
    """ "Jan" under a month (every `every` months), with its year under the first and Januaries.

    >>> [month_name(Count(key=f"2026-{m:02d}", label="", count=0), m - 1, "en_US", 3)
    ...  for m in (1, 2, 4)]
    ['Jan\\n2026', '', 'Apr']
    """
    if index % every:
        return ""
    try:
        year, month = (int(part) for part in item.key.split("-"))
        day = date(year, month, 1)
    except ValueError:
        return one_line(item.label)
    name = str(format_date(day, "MMM", locale=locale))
    return f"{name}\n{year}" if index == 0 or month <= every else name


def _by_month(doc: ReportLayout) -> Part:
    months = every_month(doc.report.issued_by_month, doc.report.locale)
    heading = doc.para("subheading_by_month", "sub")
    if not months:
        return [heading, doc.para("empty_by_month")], []
    every = 1 if len(months) <= 18 else math.ceil(len(months) / 12)
    names = [month_name(m, i, doc.report.locale, every) for i, m in enumerate(months)]
    counts = [m.count for m in months]
    labels = [doc.number(n) if len(months) <= 24 else "" for n in counts]
    chart = line_chart(names, counts, labels, doc.width)
    return [heading, chart, Spacer(1, 4), _month_table(doc, months)], []


def _month_table(doc: ReportLayout, months: Sequence[Count]) -> Table:
    """Months across and their counts under them, twelve to a row."""
    per_row = 12
    first = 0.85 * inch
    rows: list[list[Cell]] = []
    commands: list[StyleCommand] = []
    for start in range(0, len(months), per_row):
        chunk = list(months[start : start + per_row])
        filler: list[Cell] = [Spacer(0, 0)] * (per_row - len(chunk))
        line = len(rows)
        names = [doc.cell(m.label, "th_right") for m in chunk]
        counts = [doc.cell(doc.number(m.count), "td_right") for m in chunk]
        rows.append([doc.para("col_month", "th"), *names, *filler])
        rows.append([doc.para("col_count", "td_bold"), *counts, *filler])
        commands += [
            ("BACKGROUND", (0, line), (len(chunk), line), NAVY),
            ("GRID", (0, line), (len(chunk), line + 1), 0.4, RULE),
        ]
    return table(
        rows,
        [first] + [(doc.width - first) / per_row] * per_row,
        [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *commands,
        ],
    )


def _by_ordinance(doc: ReportLayout) -> Part:
    heading = doc.para("subheading_by_ordinance", "sub")
    counts = doc.report.issued_by_ordinance
    if not counts:
        return [heading, doc.para("empty_by_ordinance")], []
    named = [item.model_copy(update={"label": f"{item.key}  {item.label}"}) for item in counts]
    chart = _count_bars(doc, named, doc.width, 0.5)
    number_width = 0.8 * inch
    key_width = 1.2 * inch
    grid = grid_table(
        doc,
        [("col_ordinance", False), ("col_title", False), ("col_count", True), SHARE],
        _count_rows(doc, counts, with_key=True),
        [key_width, doc.width - key_width - 2 * number_width, number_width, number_width],
    )
    note = doc.chart_note(min(len(counts), MOST_BARS), len(counts))
    return [heading, chart, *note], [Spacer(1, 4), grid]


def _by_area(doc: ReportLayout) -> Part:
    heading = doc.para("subheading_by_area", "sub")
    counts = doc.report.issued_by_area
    if not counts:
        return [heading, doc.para("empty_by_area")], []
    # A few areas: the chart and the table side by side; many: the table under the chart.
    few = len(counts) <= MOST_BARS
    table_width = 2.6 * inch if few else doc.width
    chart_width = doc.width - table_width - 12 if few else doc.width
    chart = _count_bars(doc, counts, chart_width, 0.4 if few else 0.35)
    number_width = 0.7 * inch if few else 0.8 * inch
    grid = grid_table(
        doc,
        [("col_area", False), ("col_count", True), SHARE],
        _count_rows(doc, counts, with_key=False),
        [table_width - 2 * number_width, number_width, number_width],
    )
    if not few:
        note = doc.chart_note(MOST_BARS, len(counts))
        return [heading, chart, *note], [Spacer(1, 4), grid]
    return [heading, side_by_side(doc, chart, grid, chart_width + 12)], []


def _count_bars(
    doc: ReportLayout, counts: Sequence[Count], width: float, label_share: float
) -> Drawing:
    """The largest counts as bars, each labelled with its count and share of the
    citations issued."""
    ordered = sorted(counts, key=lambda item: -item.count)[:MOST_BARS]
    names = [item.label for item in ordered]
    numbers = [item.count for item in ordered]
    issued = doc.report.issued_total
    labels = [
        f"{doc.number(n)} ({doc.rate(ratio(n, issued))})" if issued else doc.number(n)
        for n in numbers
    ]
    return bar_chart(
        names,
        [Series("", [float(n) for n in numbers], labels, BLUE)],
        width,
        whole_number,
        integer=True,
        label_share=label_share,
    )


def _count_rows(doc: ReportLayout, counts: Sequence[Count], with_key: bool) -> list[list[Cell]]:
    """A row for each count, largest first: its key (when asked), name, count and share."""
    issued = doc.report.issued_total
    return [
        [
            *([doc.cell(item.key)] if with_key else []),
            doc.cell(item.label),
            doc.cell(doc.number(item.count), "td_right"),
            doc.cell(doc.rate(ratio(item.count, issued)), "td_right"),
        ]
        for item in sorted(counts, key=lambda item: -item.count)
    ]
