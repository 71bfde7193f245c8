"""Citations issued: by month (a trend line over every month of the period, and the counts
under it), by ordinance and by area (the largest as bars, each with its share of all
citations issued, and the table of them all).

A month only partly inside the period (the period starts or ends inside it) is marked, not
drawn as a fall: a hollow point off the line, a lighter column naming its days in the table,
and a line under the chart naming them. A month name that comes back on the axis (a period
over twelve months) carries its year. The month table is split into balanced rows, so no
month is left alone on a row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from babel.dates import format_date, format_interval
from reportlab.graphics.shapes import Circle, Drawing
from reportlab.lib import colors
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
from citations.reports.figures import balanced_rows, days_inside, every_month, ratio
from citations.reports.layout import Part, ReportLayout
from citations.reports.model import Count
from citations.reports.tables import SHARE, StyleCommand, grid_table, side_by_side

PARTIAL = colors.HexColor("#6f8aab")
"""The heading of a partial month's column: the table's navy, lighter."""


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


def month_names(months: Sequence[Count], locale: str, every: int = 1) -> list[str]:
    """ "Jan" under a month (every `every` months), with its year under the first month and
    Januaries; under every month named when the period is over twelve months, so a name that
    comes back ("Nov" twice) is never without its year.

    >>> from citations.reports.figures import every_month
    >>> def keys(*ks): return every_month([Count(key=k, label="", count=0) for k in ks], "en_US")
    >>> month_names(keys("2026-01", "2026-04"), "en_US")
    ['Jan\\n2026', 'Feb', 'Mar', 'Apr']
    >>> month_names(keys("2025-11", "2026-12"), "en_US")[:3]
    ['Nov\\n2025', 'Dec\\n2025', 'Jan\\n2026']
    """
    names = []
    for index, item in enumerate(months):
        if index % every:
            names.append("")
            continue
        try:
            year, month = (int(part) for part in item.key.split("-"))
            day = date(year, month, 1)
        except ValueError:
            names.append(one_line(item.label))
            continue
        name = str(format_date(day, "MMM", locale=locale))
        dated = len(months) > 12 or index == 0 or month <= every
        names.append(f"{name}\n{year}" if dated else name)
    return names


def _by_month(doc: ReportLayout) -> Part:
    report = doc.report
    months = every_month(report.issued_by_month, report.locale, report.start, report.end)
    heading = doc.para("subheading_by_month", "sub")
    if not months:
        return [heading, doc.para("empty_by_month")], []
    partial = [days_inside(m.key, report.start, report.end) for m in months]
    every = 1 if len(months) <= 18 else math.ceil(len(months) / 12)
    counts = [m.count for m in months]
    labels = [doc.number(n) if len(months) <= 24 else "" for n in counts]
    chart = line_chart(
        month_names(months, report.locale, every),
        counts,
        labels,
        doc.width,
        [days is not None for days in partial],
    )
    spans = [
        str(format_interval(first, last, "yMMMd", locale=report.locale))
        for first, last in (days for days in partial if days is not None)
    ]
    key = [_partial_key(doc, spans)] if spans else []
    return [heading, chart, *key, Spacer(1, 4), _month_table(doc, months, partial)], []


def _partial_key(doc: ReportLayout, spans: Sequence[str]) -> Table:
    """The line under the month chart naming the partial months, after a hollow point."""
    point = Drawing(12, 10)
    point.add(Circle(5, 3.5, 2.5, fillColor=colors.white, strokeColor=BLUE, strokeWidth=1.2))
    note = doc.para("partial_months", "note", extra={"spans": list(spans)})
    return table(
        [[point, note]],
        [12, doc.width - 12],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ],
    )


def _month_table(
    doc: ReportLayout, months: Sequence[Count], partial: Sequence[tuple[date, date] | None]
) -> Table:
    """Months across and their counts under them, at most twelve to a row, the rows
    balanced (13 months are 7 and 6, not 12 and 1); a partial month's column is lighter,
    names its days and has its count in grey."""
    sizes = balanced_rows(len(months))
    per_row = max(sizes)
    first = 0.85 * inch
    column = min((doc.width - first) / per_row, 0.9 * inch)
    rows: list[list[Cell]] = []
    commands: list[StyleCommand] = []
    start = 0
    for size in sizes:
        chunk = list(zip(months[start : start + size], partial[start : start + size], strict=True))
        filler: list[Cell] = [Spacer(0, 0)] * (per_row - size)
        line = len(rows)
        names = [doc.cell(_month_heading(doc, m, days), "th_right") for m, days in chunk]
        counts = [
            doc.cell(doc.number(m.count), "td_right" if days is None else "td_right_grey")
            for m, days in chunk
        ]
        rows.append([doc.para("col_month", "th"), *names, *filler])
        rows.append([doc.para("col_count", "td_bold"), *counts, *filler])
        commands += [
            ("BACKGROUND", (0, line), (size, line), NAVY),
            ("GRID", (0, line), (size, line + 1), 0.4, RULE),
            *(
                ("BACKGROUND", (i, line), (i, line), PARTIAL)
                for i, (_, days) in enumerate(chunk, start=1)
                if days is not None
            ),
        ]
        start += size
    grid = table(
        rows,
        [first] + [column] * per_row,
        [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *commands,
        ],
    )
    grid.hAlign = "LEFT"  # under the chart's left edge when narrower than the page
    return grid


def _month_heading(doc: ReportLayout, month: Count, days: tuple[date, date] | None) -> str:
    """A month's column heading: its name, and for a partial month the days inside."""
    if days is None:
        return month.label
    first, last = days
    return f"{month.label}\n{doc.plain('partial_month_days', first=first.day, last=last.day)}"


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
