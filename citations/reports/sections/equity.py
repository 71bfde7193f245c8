"""Who bears the burden: delinquency, collections and alternatives to payment by area and by
preferred language, rates side by side with a total row, and groups too small to compare in
grey (pale bars), so a council member sees whether some neighbourhoods or languages fare
worse. Every rate of a row is over the row's citations issued, so a row is grey or not."""

from __future__ import annotations

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Spacer

from citations.documents.layout import INK, SHADE, Cell
from citations.reports.charts import (
    GREEN,
    MOST_BARS,
    ORANGE,
    VERMILLION,
    bar_chart,
    percent,
    series_legend,
)
from citations.reports.figures import equity_total, too_few
from citations.reports.layout import Part, ReportLayout
from citations.reports.model import EquityRow
from citations.reports.tables import grid_table, row_styles

EQUITY_RATES = (("delinquency", ORANGE), ("collections", VERMILLION), ("alternatives", GREEN))
"""The rates compared, with each one's colour (fields `<name>_rate`, wording `equity_<name>`)."""


def who_bears_the_burden(doc: ReportLayout) -> list[Flowable]:
    """The section: by area under its heading and note, then by preferred language."""
    head, rest = _part(doc, "area")
    story = [
        *doc.start("heading_equity", "equity_intro", [doc.para("equity_note", "note"), *head]),
        *rest,
    ]
    head, rest = _part(doc, "language")
    return [*story, KeepTogether(head), *rest]


def _part(doc: ReportLayout, dimension: str) -> Part:
    heading = doc.para(f"subheading_equity_{dimension}", "sub")
    rows = sorted(
        (r for r in doc.report.equity if r.dimension == dimension and r.issued > 0),
        key=lambda r: (-r.issued, r.value),
    )
    if not rows:
        return [heading, doc.para(f"empty_equity_{dimension}")], []
    shown = rows[:MOST_BARS]
    series = [
        doc.rate_series(f"equity_{name}", [getattr(r, f"{name}_rate") for r in shown], colour)
        for name, colour in EQUITY_RATES
    ]
    chart = bar_chart(
        [doc.plain("equity_value", dimension=dimension, value=r.value) for r in shown],
        series,
        doc.width,
        percent,
        small=[[too_few(r.issued) for r in shown]] * len(series),
        label_share=0.3,
    )
    body = [_row(doc, r) for r in rows]
    body.append(_row(doc, equity_total(rows, dimension), total=True))
    # Wide enough for each column's heading on at most two lines.
    widths = [0.6 * inch, 0.55 * inch, 0.75 * inch, 0.6 * inch, 0.75 * inch, 0.68 * inch]
    widths.append(0.6 * inch)
    grid = grid_table(
        doc,
        [
            (f"col_equity_{dimension}", False),
            ("col_issued", True),
            *(("col_late", True), ("col_in_collections", True), ("col_rate", True)),
            ("col_collections_rate", True),
            *(("col_count", True), ("col_rate", True)),
        ],
        body,
        [doc.width - sum(widths), *widths],
        [("BACKGROUND", (0, -1), (-1, -1), SHADE), ("LINEABOVE", (0, -1), (-1, -1), 1, INK)],
        groups=[("group_delinquent", 2, 4), ("group_alternatives", 6, 7)],
    )
    few = any(too_few(r.issued) for r in shown)
    key = series_legend(series, doc.width, doc.plain("too_few_citations") if few else None)
    note = doc.chart_note(len(shown), len(rows))
    return [heading, key, Spacer(1, 2), chart, *note], [Spacer(1, 4), grid]


def _row(doc: ReportLayout, row: EquityRow, total: bool = False) -> list[Cell]:
    style, right = row_styles(total=total, small=too_few(row.issued))
    name = (
        doc.para("equity_all", style)
        if total
        else doc.para("equity_value", style, extra={"dimension": row.dimension, "value": row.value})
    )
    return [
        name,
        doc.cell(doc.number(row.issued), right),
        doc.cell(doc.number(row.delinquent), right),
        doc.cell(doc.number(row.in_collections), right),
        doc.cell(doc.rate(row.delinquency_rate), right),
        doc.cell(doc.rate(row.collections_rate), right),
        doc.cell(doc.number(row.alternatives), right),
        doc.cell(doc.rate(row.alternatives_rate), right),
    ]
