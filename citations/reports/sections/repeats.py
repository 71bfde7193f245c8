"""Repeat citations: for each ordinance, the share of people cited again within 6 and within
12 months (counted only where the follow-up window has fully passed). Each rate is grey (a
pale bar) when its own people are too few to compare: the 12-month rate counts fewer people
than the 6-month one, so it can be grey where the 6-month rate is not."""

from __future__ import annotations

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer

from citations.documents.layout import NAVY, Cell
from citations.reports.charts import MOST_BARS, SKY, bar_chart, percent, series_legend
from citations.reports.figures import too_few
from citations.reports.layout import ReportLayout
from citations.reports.model import RepeatRate
from citations.reports.tables import Column, grid_table, row_styles

WINDOWS = (
    ("repeat_6", "rate_6_months", "people", SKY),
    ("repeat_12", "rate_12_months", "people_12_months", NAVY),
)
"""The two follow-up windows: legend key, the rate's field, its people (the denominator),
and the bars' colour."""


def repeat_citations(doc: ReportLayout) -> list[Flowable]:
    """The section: the ordinances with the most people cited as bars, all of them in the
    table; a sentence instead when no window has passed yet."""
    rates = sorted((r for r in doc.report.repeat_rates if r.people > 0), key=lambda r: -r.people)
    if not rates:
        return doc.start("heading_repeat", None, [doc.para("empty_repeat")])
    shown = rates[:MOST_BARS]
    series = [
        doc.rate_series(key, [getattr(r, field) for r in shown], colour)
        for key, field, _, colour in WINDOWS
    ]
    small = [[too_few(getattr(r, people)) for r in shown] for _, _, people, _ in WINDOWS]
    chart = bar_chart(
        [f"{r.ordinance}  {r.title}" for r in shown],
        series,
        doc.width,
        percent,
        small=small,
        label_share=0.45,
    )
    number_width = 0.58 * inch
    key_width = 1.0 * inch
    window: list[Column] = [("col_people", True), ("col_again", True), ("col_rate", True)]
    grid = grid_table(
        doc,
        [("col_ordinance", False), ("col_title", False), *window, *window],
        [_repeat_row(doc, r) for r in rates],
        [key_width, doc.width - key_width - 6 * number_width, *([number_width] * 6)],
        groups=[("group_6_months", 2, 4), ("group_12_months", 5, 7)],
    )
    key = series_legend(
        series, doc.width, doc.plain("too_few_people") if any(map(any, small)) else None
    )
    first = [doc.para("repeat_note", "note"), key, Spacer(1, 2), chart]
    return [
        *doc.start(
            "heading_repeat", "repeat_intro", [*first, *doc.chart_note(len(shown), len(rates))]
        ),
        Spacer(1, 4),
        grid,
    ]


def _repeat_row(doc: ReportLayout, rate: RepeatRate) -> list[Cell]:
    """A row of the table: each window's people, cited again and rate in grey when that
    window's people are too few; the ordinance and title too when both windows' are."""
    six, twelve = too_few(rate.people), too_few(rate.people_12_months)
    name, _ = row_styles(small=six and twelve)
    _, right_6 = row_styles(small=six)
    _, right_12 = row_styles(small=twelve)
    return [
        doc.cell(rate.ordinance, name),
        doc.cell(rate.title, name),
        doc.cell(doc.number(rate.people), right_6),
        doc.cell(doc.number(rate.again_6_months), right_6),
        doc.cell(doc.rate(rate.rate_6_months), right_6),
        # 0 people with repeats counted: a report made before the 12-month denominator.
        doc.cell(
            doc.plain("none")
            if rate.people_12_months == 0 and rate.again_12_months
            else doc.number(rate.people_12_months),
            right_12,
        ),
        doc.cell(doc.number(rate.again_12_months), right_12),
        doc.cell(doc.rate(rate.rate_12_months), right_12),
    ]
