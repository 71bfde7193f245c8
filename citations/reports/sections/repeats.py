"""Repeat citations: for each ordinance, the share of people cited again within 6 and within
12 months (counted only where the follow-up window has fully passed), small groups in grey."""

from __future__ import annotations

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer

from citations.documents.layout import NAVY, Cell
from citations.reports.charts import MOST_BARS, SKY, bar_chart, percent, series_legend
from citations.reports.figures import SMALL_GROUP
from citations.reports.layout import ReportLayout
from citations.reports.model import RepeatRate
from citations.reports.tables import Column, grid_table, row_styles

WINDOWS = (("repeat_6", "rate_6_months", SKY), ("repeat_12", "rate_12_months", NAVY))
"""The two follow-up windows: legend key, the rate's field, and the bars' colour."""


def repeat_citations(doc: ReportLayout) -> list[Flowable]:
    """The section: the ordinances with the most people cited as bars, all of them in the
    table; a sentence instead when no window has passed yet."""
    rates = sorted((r for r in doc.report.repeat_rates if r.people > 0), key=lambda r: -r.people)
    if not rates:
        return doc.start("heading_repeat", None, [doc.para("empty_repeat")])
    shown = rates[:MOST_BARS]
    series = [
        doc.rate_series(key, [getattr(r, field) for r in shown], colour)
        for key, field, colour in WINDOWS
    ]
    chart = bar_chart(
        [f"{r.ordinance}  {r.title}" for r in shown],
        series,
        doc.width,
        percent,
        grey=[r.people < SMALL_GROUP for r in shown],
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
    first = [doc.para("repeat_note", "note"), series_legend(series, doc.width), Spacer(1, 2), chart]
    return [
        *doc.start(
            "heading_repeat", "repeat_intro", [*first, *doc.chart_note(len(shown), len(rates))]
        ),
        Spacer(1, 4),
        grid,
    ]


def _repeat_row(doc: ReportLayout, rate: RepeatRate) -> list[Cell]:
    style, right = row_styles(small=rate.people < SMALL_GROUP)
    return [
        doc.cell(rate.ordinance, style),
        doc.cell(rate.title, style),
        doc.cell(doc.number(rate.people), right),
        doc.cell(doc.number(rate.again_6_months), right),
        doc.cell(doc.rate(rate.rate_6_months), right),
        # 0 people with repeats counted: a report made before the 12-month denominator.
        doc.cell(
            doc.plain("none")
            if rate.people_12_months == 0 and rate.again_12_months
            else doc.number(rate.people_12_months),
            right,
        ),
        doc.cell(doc.number(rate.again_12_months), right),
        doc.cell(doc.rate(rate.rate_12_months), right),
    ]
