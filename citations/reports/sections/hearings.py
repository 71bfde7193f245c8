"""Reviews and hearings: how each tier's contests were decided (upheld, reduced, dismissed,
default), in total and by hearing officer, as bars stacked to 100% and the table of counts
with the share in which the person got relief. A row with too few contests decided to
compare is grey in the table and pale in the chart."""

from __future__ import annotations

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer

from citations.documents.layout import NAVY, SHADE, Cell
from citations.reports.charts import (
    GREEN,
    MOST_BARS,
    ORANGE,
    SKY,
    Series,
    bar_chart,
    series_legend,
)
from citations.reports.figures import decided, ratio, tier_totals, too_few
from citations.reports.layout import ReportLayout
from citations.reports.model import HearingOutcome
from citations.reports.tables import StyleCommand, grid_table, row_styles

HEARING_OUTCOMES = (("upheld", NAVY), ("reduced", SKY), ("dismissed", GREEN), ("default", ORANGE))
"""The decisions, in the order of the bars and the columns, with each one's colour."""


def hearings(doc: ReportLayout) -> list[Flowable]:
    """The section: each tier's total, then its hearing officers (the busiest in the chart,
    all of them in the table)."""
    report_rows = doc.report.hearing_outcomes
    ordered: list[HearingOutcome] = []
    for total in tier_totals(report_rows):
        ordered.append(total)
        ordered += [r for r in report_rows if r.tier == total.tier and r.hearing_officer]
    ordered = [row for row in ordered if decided(row) > 0]
    if not ordered:
        return doc.start("heading_hearings", None, [doc.para("empty_hearings")])
    # The chart: each tier's total, then the hearing officers with the most decisions.
    officers = [row for row in ordered if row.hearing_officer is not None]
    room = 2 * MOST_BARS - (len(ordered) - len(officers))
    busiest = {id(row) for row in sorted(officers, key=lambda r: -decided(r))[:room]}
    shown = [row for row in ordered if row.hearing_officer is None or id(row) in busiest]
    series = []
    for name, colour in HEARING_OUTCOMES:
        shares = [100 * getattr(row, name) / decided(row) for row in shown]
        labels = [f"{share:.0f}%" if share >= 9 else "" for share in shares]
        series.append(Series(doc.plain(f"hearing_{name}"), shares, labels, colour))
    chart = bar_chart(
        [doc.plain("hearing_row", tier=r.tier, officer=r.hearing_officer) for r in shown],
        series,
        doc.width,
        lambda value: f"{value:.0f}%",
        stacked=True,
        bold=[row.hearing_officer is None for row in shown],
        small=[[too_few(decided(row)) for row in shown]] * len(series),
        label_share=0.32,
    )
    rows: list[list[Cell]] = []
    shading: list[StyleCommand] = []
    for index, row in enumerate(ordered, start=1):
        total_row = row.hearing_officer is None
        contests = decided(row)
        small = too_few(contests)
        name, right = row_styles(total=total_row, small=small)
        first: Cell = (
            doc.para("tier_name", name, extra={"tier": row.tier})
            if total_row
            else doc.cell(row.hearing_officer or "", "td_indent_grey" if small else "td_indent")
        )
        counts = [doc.cell(doc.number(getattr(row, n)), right) for n, _ in HEARING_OUTCOMES]
        relief = ratio(row.dismissed + row.reduced, contests)
        rows.append(
            [
                first,
                *counts,
                doc.cell(doc.number(contests), right),
                doc.cell(doc.rate(relief), right),
            ]
        )
        if total_row:
            shading.append(("BACKGROUND", (0, index), (-1, index), SHADE))
    number_width = 0.72 * inch
    relief_width = 0.85 * inch
    grid = grid_table(
        doc,
        [("col_hearing_row", False)]
        + [(f"col_{name}", True) for name, _ in HEARING_OUTCOMES]
        + [("col_total", True), ("col_relief", True)],
        rows,
        [doc.width - 5 * number_width - relief_width, *([number_width] * 5), relief_width],
        shading,
    )
    few = any(too_few(decided(row)) for row in shown)
    key = series_legend(series, doc.width, doc.plain("too_few_contests") if few else None)
    note = doc.chart_note(len(shown), len(ordered))
    first = [doc.para("hearings_note", "note"), key, Spacer(1, 2), chart, *note]
    return [
        *doc.start("heading_hearings", "hearings_intro", first),
        Spacer(1, 4),
        grid,
    ]
