"""The cover: the period, the areas and when the report was made, the key figures in large
type, where the citations stand as one bar, and a plain reading of the whole report for a
council member who reads no further."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer, Table

from citations.documents.layout import NAVY, SHADE, Cell, box, table
from citations.reports.charts import Series, bar_chart, legend
from citations.reports.layout import ReportLayout
from citations.reports.sections.outcomes import coloured_outcomes

KEY_FIGURES = (
    "issued",
    "warnings",
    "referred",
    "declined",
    "resolved",
    "median",
    "p90",
    "collected",
)
"""The figures on the cover, four to a row (wording keys `figure_<name>`, `figure_<name>_label`)."""


def cover_page(doc: ReportLayout) -> list[Flowable]:
    """The cover page's flowables (the page break after it is the caller's)."""
    facts = doc.label_table(
        [
            ("label_period", "period"),
            ("label_areas", "areas"),
            ("label_generated", "generated"),
        ],
        1.1 * inch,
    )
    reading = box(
        [doc.para("heading_reading", "sub"), Spacer(1, 2), doc.para("reading", "reading")],
        border=NAVY,
        fill=SHADE,
        width=1,
        padding=10,
        box_width=doc.width,
    )
    return [
        doc.para("jurisdiction", "jurisdiction"),
        Spacer(1, 4),
        doc.para("title", "cover_title"),
        doc.para("subtitle", "subtitle"),
        Spacer(1, 4),
        facts,
        Spacer(1, 14),
        *doc.section_heading("heading_figures"),
        _key_figures(doc),
        *_standing(doc),
        Spacer(1, 12),
        reading,
        Spacer(1, 10),
        doc.para("contents", "note"),
    ]


def _key_figures(doc: ReportLayout) -> Table:
    """The key figures in large type, four to a row."""
    column = doc.width / 4
    tiles: list[Cell] = [
        [
            doc.fitted(f"figure_{name}", "figure", column - 20),
            doc.para(f"figure_{name}_label", "figure_label"),
        ]
        for name in KEY_FIGURES
    ]
    return table(
        [tiles[:4], tiles[4:]],
        [column] * 4,
        [
            ("BACKGROUND", (0, 0), (-1, -1), SHADE),
            ("GRID", (0, 0), (-1, -1), 5, colors.white),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
            ("LEFTPADDING", (0, 0), (-1, -1), 9),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ],
    )


def _standing(doc: ReportLayout) -> list[Flowable]:
    """Where the citations stand, as one bar of 100% under the key figures."""
    outcomes = coloured_outcomes(doc.report.outcomes)
    if not outcomes:
        return []
    total = sum(o.count for o, _ in outcomes)
    series = [
        Series(
            "",
            [100 * o.count / total],
            [f"{100 * o.count / total:.0f}%" if o.count / total >= 0.06 else ""],
            colour,
        )
        for o, colour in outcomes
    ]
    bar = bar_chart([""], series, doc.width, str, stacked=True, label_share=0, axis=False)
    names = [
        (f"{doc.plain('outcome_name', outcome=o.outcome)} {doc.rate(o.share)}", colour)
        for o, colour in outcomes
    ]
    return [
        Spacer(1, 8),
        doc.para("heading_standing", "sub"),
        bar,
        Spacer(1, 3),
        legend(names, doc.width),
    ]
