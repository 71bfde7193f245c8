"""Outcomes: where the citations issued in the period stand (paid, relieved, closed otherwise,
open, late), as a pie beside the table of counts and shares."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer

from citations.documents.layout import Cell
from citations.reports.charts import (
    BLUE,
    FOG,
    GREEN,
    GREY,
    MINT,
    ORANGE,
    PALE,
    PINK,
    PURPLE,
    SKY,
    VERMILLION,
    pie_chart,
)
from citations.reports.layout import ReportLayout
from citations.reports.model import Outcome
from citations.reports.tables import SHARE, StyleCommand, grid_table, side_by_side

OUTCOME_COLOURS = {
    "paid": BLUE,
    "paid_by_plan": SKY,
    "paid_reduced_for_inability": colors.HexColor("#2b5d8a"),
    "served": GREEN,
    "diverted": MINT,
    "waived": PURPLE,
    "reduced": PINK,
    "dismissed": GREY,
    "voided": PALE,
    "open": FOG,
    "delinquent": ORANGE,
    "in_collections": VERMILLION,
}
"""Also the order outcomes are shown in: paid, relieved, closed otherwise, open, then late."""
OTHER_COLOURS = (colors.HexColor("#4d6a8a"), colors.HexColor("#a8b8c8"), colors.HexColor("#6b6b6b"))
"""For outcomes the report does not know yet, in turn."""


def coloured_outcomes(outcomes: Sequence[Outcome]) -> list[tuple[Outcome, colors.Color]]:
    """The outcomes with any citations, in the order of `OUTCOME_COLOURS` then any unknown
    ones, each with its colour (the same on the cover's bar and in this section's pie).

    >>> [o.outcome for o, _ in coloured_outcomes([
    ...     Outcome(outcome=name, count=count, share=0) for name, count in
    ...     (("open", 2), ("new_kind", 1), ("paid", 3), ("waived", 0))
    ... ])]
    ['paid', 'open', 'new_kind']
    """
    order = list(OUTCOME_COLOURS)
    known = sorted(
        (o for o in outcomes if o.outcome in OUTCOME_COLOURS),
        key=lambda o: order.index(o.outcome),
    )
    unknown = [o for o in outcomes if o.outcome not in OUTCOME_COLOURS]
    coloured = [(o, OUTCOME_COLOURS[o.outcome]) for o in known] + [
        (o, OTHER_COLOURS[i % len(OTHER_COLOURS)]) for i, o in enumerate(unknown)
    ]
    return [(o, colour) for o, colour in coloured if o.count > 0]


def outcomes(doc: ReportLayout) -> list[Flowable]:
    """The outcomes section: a pie of the outcomes, and beside it their counts and shares
    with a swatch of each one's colour."""
    shown = coloured_outcomes(doc.report.outcomes)
    if not shown:
        empty = [doc.para("empty_outcomes")] if doc.report.issued_total else []
        return doc.start("heading_outcomes", "outcomes_intro", empty)
    total = sum(o.count for o, _ in shown)
    pie_size = 2.5 * inch
    pie = pie_chart([100 * o.count / total for o, _ in shown], [c for _, c in shown], pie_size)
    rows: list[list[Cell]] = [
        [
            Spacer(0, 0),
            doc.para("outcome_name", "td", extra={"outcome": o.outcome}),
            doc.cell(doc.number(o.count), "td_right"),
            doc.cell(doc.rate(o.share), "td_right"),
        ]
        for o, _ in shown
    ]
    swatches: list[StyleCommand] = [
        ("BACKGROUND", (0, i), (0, i), c) for i, (_, c) in enumerate(shown, 1)
    ]
    table_width = doc.width - pie_size - 16
    number_width = 0.75 * inch
    grid = grid_table(
        doc,
        [("blank", False), ("col_outcome", False), ("col_count", True), SHARE],
        rows,
        [14, table_width - 14 - 2 * number_width, number_width, number_width],
        swatches,
    )
    right: list[Flowable] = [grid, Spacer(1, 3), doc.para("outcomes_note", "note")]
    return doc.start(
        "heading_outcomes",
        "outcomes_intro",
        [Spacer(1, 4), side_by_side(doc, pie, right, pie_size + 16)],
    )
