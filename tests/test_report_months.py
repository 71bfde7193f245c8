"""Citations by month as a council member reads them: a month only partly inside the period
is marked as partial (a hollow point off the line, a lighter column naming its days, and a
legend line) rather than drawn as a collapse; a month name that comes back on the axis
carries its year; the month table is split into balanced rows, never leaving one month
alone on a row, for any period from 1 to 24 months."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

import pytest
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

from citations.reports.model import Count, ProgramReport
from citations.reports.render import render_report
from citations.reports.sections.issued import citations_issued
from tests.pdfs import pdf_text
from tests.report_drawn import cells, drawings, layout, shapes, style_of, tables, text_of
from tests.test_report_render import make_report


def months_from(first: date, count: int) -> list[Count]:
    result = []
    year, month = first.year, first.month
    for index in range(count):
        key = f"{year:04d}-{month:02d}"
        label = f"{calendar.month_abbr[month]} {year}"
        result.append(Count(key=key, label=label, count=200 + (index * 7) % 40))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def report_for(start: date, end: date) -> ProgramReport:
    months = months_from(date(start.year, start.month, 1), _months_between(start, end))
    return make_report(start=start, end=end, issued_by_month=months)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_chart(flowables: Sequence[object]) -> Drawing:
    return next(d for d in drawings(flowables) if d.height >= 140)


def axis_labels(chart: Drawing) -> str:
    """The names under the month axis, left to right, each name's lines in order."""
    below = [s for s in shapes(chart).strings if s.y < 20]
    return " ".join(s.text for s in sorted(below, key=lambda s: (round(s.x), -s.y)))


def month_table_rows(flowables: Sequence[object]) -> list[list[str]]:
    """The month table's rows of month names (each without its empty filler cells)."""
    table = next(t for t in tables(flowables) if text_of(cells(t)[0][0]) == "Month")
    return [
        [text_of(cell) for cell in row[1:] if text_of(cell)]
        for row in cells(table)
        if text_of(row[0]) == "Month"
    ]


# Partial months


PERIOD = (date(2025, 11, 15), date(2026, 12, 3))
"""Fourteen months: 16 days of November 2025, 3 days of December 2026 and 12 whole months."""


def test_partial_months_are_hollow_points_off_the_line() -> None:
    chart = month_chart(citations_issued(layout(report_for(*PERIOD))))
    drawn = shapes(chart)
    lines = [line for line in drawn.lines if len(line.points) > 2]
    assert len(lines) == 1
    assert len(lines[0].points) == 2 * 12  # the twelve whole months only
    hollow = [c for c in drawn.circles if c.fillColor == colors.white]
    assert len(hollow) == 2  # November 2025 and December 2026


def test_partial_months_are_named_with_their_days() -> None:
    text = pdf_text(render_report(report_for(*PERIOD)))
    assert "Partial months: Nov 15 – 30, 2025 and Dec 1 – 3, 2026." in text
    flowables = citations_issued(layout(report_for(*PERIOD)))
    names = [name for row in month_table_rows(flowables) for name in row]
    assert names[0] == "Nov 2025 days 15–30"
    assert names[-1] == "Dec 2026 days 1–3"
    assert all("days" not in name for name in names[1:-1])


def test_a_count_of_a_partial_month_is_grey_in_the_table() -> None:
    flowables = citations_issued(layout(report_for(*PERIOD)))
    table = next(t for t in tables(flowables) if text_of(cells(t)[0][0]) == "Month")
    counts = [row for row in cells(table) if text_of(row[0]) == "Citations"]
    drawn = [cell for row in counts for cell in row[1:] if text_of(cell)]
    assert [style_of(cell).endswith("_grey") for cell in drawn] == [True] + [False] * 12 + [True]


def test_whole_months_have_no_partial_mark() -> None:
    report = report_for(date(2026, 1, 1), date(2026, 12, 31))
    text = pdf_text(render_report(report))
    assert "Partial month" not in text
    drawn = shapes(month_chart(citations_issued(layout(report))))
    assert [len(line.points) for line in drawn.lines if len(line.points) > 2] == [24]


def test_a_period_inside_one_month_is_one_partial_point() -> None:
    report = report_for(date(2026, 3, 5), date(2026, 3, 20))
    text = pdf_text(render_report(report))
    assert "Partial month: Mar 5 – 20, 2026." in text


# The year on the axis


def test_a_month_name_that_comes_back_carries_its_year() -> None:
    chart = month_chart(citations_issued(layout(report_for(*PERIOD))))
    labels = axis_labels(chart)
    assert labels.startswith("Nov 2025 Dec 2025 Jan 2026 Feb 2026")
    assert labels.endswith("Oct 2026 Nov 2026 Dec 2026")


def test_a_year_or_less_keeps_the_year_under_the_first_month_and_january() -> None:
    report = report_for(date(2025, 9, 1), date(2026, 8, 31))
    labels = axis_labels(month_chart(citations_issued(layout(report))))
    assert labels == "Sep 2025 Oct Nov Dec Jan 2026 Feb Mar Apr May Jun Jul Aug"


# The month table


@pytest.mark.parametrize("count", range(1, 25))
def test_the_month_table_has_no_orphan_row(count: int) -> None:
    first = date(2025, 3, 1)
    last_month = months_from(first, count)[-1].key
    year, month = int(last_month[:4]), int(last_month[5:])
    end = date(year, month, calendar.monthrange(year, month)[1])
    report = make_report(start=first, end=end, issued_by_month=months_from(first, count))
    rows = month_table_rows(citations_issued(layout(report)))
    sizes = [len(row) for row in rows]
    assert sum(sizes) == count
    assert max(sizes) <= 12
    assert max(sizes) - min(sizes) <= 1, sizes
    assert len(rows) == -(-count // 12)  # as few rows as twelve to a row allows
