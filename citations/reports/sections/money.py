"""Money: what was assessed, collected, waived, reduced, converted to community service and is
still owed, as bars beside a table that explains each line, and the service hours done."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer

from citations.documents.layout import NAVY, SHADE, Cell
from citations.reports.charts import BLUE, GREEN, GREY, PURPLE, VERMILLION, Series, bar_chart
from citations.reports.figures import ratio
from citations.reports.layout import ReportLayout
from citations.reports.tables import grid_table, side_by_side

MONEY_ITEMS = (
    ("assessed", NAVY),
    ("collected", BLUE),
    ("waived", PURPLE),
    ("reduced", GREY),
    ("converted", GREEN),
    ("outstanding", VERMILLION),
)
"""The lines of the section, in order, with each one's bar colour (wording keys `money_<name>`
and `explain_<name>`)."""


def money(doc: ReportLayout) -> list[Flowable]:
    """The section; when no money moved it says so (with the service hours, if any)."""
    amounts = doc.report.money
    values: dict[str, Decimal] = {
        "assessed": amounts.assessed,
        "collected": amounts.collected,
        "waived": amounts.waived,
        "reduced": amounts.reduced,
        "converted": amounts.converted_to_service,
        "outstanding": amounts.outstanding,
    }
    hours: list[Flowable] = []
    if doc.report.service_hours_completed:
        hours = [Spacer(1, 6), doc.para("service_hours", "intro")]
    if not any(values.values()):
        return doc.start("heading_money", None, [doc.para("empty_money"), *hours])
    series = Series(
        "",
        [float(values[name]) for name, _ in MONEY_ITEMS],
        [doc.compact_money(values[name]) for name, _ in MONEY_ITEMS],
        NAVY,
    )
    table_width = 3.3 * inch
    chart_width = doc.width - table_width - 14
    chart = bar_chart(
        [doc.plain(f"money_{name}") for name, _ in MONEY_ITEMS],
        [series],
        chart_width,
        doc.compact_money,
        bar_colours=[colour for _, colour in MONEY_ITEMS],
        label_share=0.42,
    )
    rows: list[list[Cell]] = [
        [
            [doc.para(f"money_{name}", "td_bold"), doc.para(f"explain_{name}", "note")],
            doc.cell(doc.formats["money"](values[name]), "td_right"),
            doc.cell(
                "" if name == "assessed" else doc.rate(ratio(values[name], amounts.assessed)),
                "td_right",
            ),
        ]
        for name, _ in MONEY_ITEMS
    ]
    amount_width = 0.95 * inch
    share_width = 0.75 * inch
    grid = grid_table(
        doc,
        [("col_money_item", False), ("col_amount", True), ("col_of_assessed", True)],
        rows,
        [table_width - amount_width - share_width, amount_width, share_width],
        [("BACKGROUND", (0, 1), (-1, 1), SHADE)],
    )
    return doc.start(
        "heading_money",
        "money_intro",
        [Spacer(1, 4), side_by_side(doc, chart, grid, chart_width + 14), *hours],
    )
