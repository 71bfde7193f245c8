"""Referred and declined cases: why cases went to the prosecutor instead of a citation, and
why officers declined to cite, each reason with its count, share and up to three examples as
recorded (printed literally, never as markup)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import escape
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from citations.documents.fonts import with_fallback
from citations.documents.layout import Cell
from citations.reports.chart_text import one_line
from citations.reports.figures import ratio
from citations.reports.layout import ReportLayout
from citations.reports.model import ReasonCount
from citations.reports.tables import SHARE, grid_table


def referred_and_declined(doc: ReportLayout) -> list[Flowable]:
    """The section: the referred cases under its heading, then the declined ones."""
    report = doc.report
    referred = _reasons(doc, "referred", report.referral_reasons, report.referred_total)
    declined = _reasons(doc, "declined", report.declined_reasons, report.declined_total)
    return [
        *doc.start("heading_referrals", "referrals_intro", referred),
        KeepTogether(declined),
    ]


def _reasons(
    doc: ReportLayout, what: str, reasons: Sequence[ReasonCount], total: int
) -> list[Flowable]:
    heading = doc.para(f"subheading_{what}", "sub")
    if not reasons:
        return [heading, doc.para(f"empty_{what}")]
    ordered = sorted(reasons, key=lambda item: -item.count)
    whole = total or sum(item.count for item in ordered)
    rows: list[list[Cell]] = []
    for item in ordered:
        examples: list[Flowable] = [
            Paragraph(
                with_fallback(str(escape(one_line(example)))),
                doc.styles["example"],
                bulletText="•",
            )
            for example in item.examples
        ] or [doc.para("no_examples", "td_grey")]
        rows.append(
            [
                doc.para("reason_name", "td_bold", extra={"kind": item.kind}),
                doc.cell(doc.number(item.count), "td_right"),
                doc.cell(doc.rate(ratio(item.count, whole)), "td_right"),
                examples,
            ]
        )
    number_width = 0.7 * inch
    reason_width = 1.75 * inch
    grid = grid_table(
        doc,
        [("col_reason", False), ("col_count", True), SHARE, ("col_examples", False)],
        rows,
        [reason_width, number_width, number_width, doc.width - reason_width - 2 * number_width],
    )
    return [heading, grid]
