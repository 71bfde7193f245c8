"""The program report's layout: its wording (`templates/report/en.yaml`, edited by city staff)
with the variables the wording uses, its paragraph styles, and the small pieces every section
is made of (a cell printed as written, a number, a share, a section's start).

Fonts, wording, formatting helpers, base styles and the "page X of Y" footer are the shared
ones of `citations.documents.layout`; the sections in `citations.reports.sections` take a
`ReportLayout` and return their flowables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.numbers import format_compact_currency
from markupsafe import escape
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import CondPageBreak, Flowable, HRFlowable, KeepTogether, Paragraph

from citations.documents.fonts import BOLD, REGULAR, with_fallback
from citations.documents.formats import helpers
from citations.documents.layout import NAVY, Layout
from citations.documents.wording import clean, load_wording, plain_text
from citations.reports.charts import MUTED, Series
from citations.reports.figures import (
    SMALL_GROUP,
    decided,
    equity_total,
    largest,
    ratio,
    share_text,
    tier_totals,
    too_few,
)
from citations.reports.intervals import FEWEST
from citations.reports.model import Outcome, ProgramReport

REPORT = "report"
"""The wording folder under the templates folder."""
LANGUAGE = "en"
"""The report is for staff and city leaders: English only (another language is a YAML file)."""

Part = tuple[list[Flowable], list[Flowable]]
"""A subsection: the head that must stay together (heading and chart), then what may flow."""


def wording_variables(report: ProgramReport, formats: Mapping[str, object]) -> dict[str, object]:
    """What the wording may use: the report's fields, the formatting helpers (`formats`), and
    figures worked out from the report (the busiest month, the share of contests relieved...).
    """
    variables: dict[str, object] = {
        name: getattr(report, name) for name in type(report).model_fields if name != "money"
    }
    # `money` is the formatting helper, so the report's money figures are `amounts`.
    variables["amounts"] = report.money
    variables.update(formats)
    variables["rate"] = lambda value: share_text(value, report.locale)
    variables["small_group"] = SMALL_GROUP
    variables["fewest"] = FEWEST
    variables["resolved_share"] = ratio(report.resolved_count, report.issued_total)
    variables["collected_share"] = ratio(report.money.collected, report.money.assessed)
    variables["top_outcome"] = largest(report.outcomes)
    variables["busiest_month"] = largest(report.issued_by_month)
    top_ordinance = largest(report.issued_by_ordinance)
    variables["top_ordinance"] = top_ordinance
    variables["top_ordinance_share"] = (
        None if top_ordinance is None else ratio(top_ordinance.count, report.issued_total)
    )
    totals = tier_totals(report.hearing_outcomes)
    contests = sum(decided(row) for row in totals)
    variables["contests_decided"] = contests
    variables["relief_share"] = ratio(sum(row.dismissed + row.reduced for row in totals), contests)
    areas = [row for row in report.equity if row.dimension == "area"]
    variables["area_delinquency_rate"] = equity_total(areas, "area").delinquency_rate
    # The area with the most delinquency, among areas with enough citations to compare.
    compared = [row for row in areas if not too_few(row.issued)]
    highest = max(compared, key=lambda row: row.delinquency_rate, default=None)
    variables["highest_delinquency"] = (
        highest if len(compared) > 1 and highest and highest.delinquency_rate > 0 else None
    )
    return variables


class ReportLayout(Layout):
    """One program report's wording, variables and styles, and the pieces sections use.

    Example::

        doc = ReportLayout(report, TEMPLATES_DIR)
        doc.build([*cover_page(doc)], author=report.jurisdiction_name, language=LANGUAGE)
    """

    def __init__(self, report: ProgramReport, templates_dir: Path) -> None:
        formats = helpers(LANGUAGE, report.locale, report.currency)
        wording = load_wording(templates_dir, LANGUAGE, REPORT)
        super().__init__(wording, wording_variables(report, formats))
        self.report = report
        self.formats = formats
        top = self.variables["top_outcome"]
        self.variables["top_outcome_name"] = (
            self.plain("outcome_name", outcome=top.outcome) if isinstance(top, Outcome) else None
        )
        self._add_styles()

    def _add_styles(self) -> None:
        styles = self.styles

        # Any: each keyword of ParagraphStyle has its own type (str, float, colour...).
        def derive(name: str, parent: str = "body", **changes: Any) -> None:
            styles[name] = ParagraphStyle(name, parent=styles[parent], **changes)

        derive("cover_title", fontName=BOLD, fontSize=22, leading=26, textColor=NAVY)
        derive("subtitle", fontSize=11, leading=14, spaceAfter=4)
        derive("section", fontName=BOLD, fontSize=15, leading=18, textColor=NAVY, spaceBefore=10)
        derive("sub", fontName=BOLD, fontSize=10.5, leading=13, textColor=NAVY, spaceBefore=8)
        derive("figure", fontName=BOLD, fontSize=20, leading=24, textColor=NAVY, spaceAfter=1)
        derive("figure_label", fontSize=8, leading=10, spaceAfter=0)
        derive("reading", fontSize=10.5, leading=14.5, spaceAfter=0)
        derive("intro", fontSize=9.8, leading=13, spaceAfter=4)
        derive("note", fontSize=7.8, leading=9.8, textColor=MUTED, spaceAfter=2)
        derive("th_right", "th", alignment=TA_RIGHT)
        derive("th_centre", "th", alignment=TA_CENTER)
        derive("td_bold", "td", fontName=BOLD)
        derive("td_indent", "td", leftIndent=10)
        derive("td_right_bold", "td_right", fontName=BOLD)
        derive("td_grey", "td", textColor=MUTED)
        derive("td_right_grey", "td_right", textColor=MUTED)
        derive("td_bold_grey", "td_bold", textColor=MUTED)
        derive("td_right_bold_grey", "td_right_bold", textColor=MUTED)
        derive("td_indent_grey", "td_indent", textColor=MUTED)
        derive("example", "td", fontSize=7.6, leading=9.4, leftIndent=8, bulletFontName=REGULAR)

    # Text

    def plain(self, key: str, **extra: object) -> str:
        """A wording key as plain text, for chart labels."""
        return plain_text(self.text(key, **extra))

    def cell(self, text: str, style: str = "td") -> Paragraph:
        """Text from the records or a formatted number, escaped: printed exactly as written."""
        markup = str(escape(clean(text))).replace("\n", "<br/>")
        return Paragraph(with_fallback(markup), self.styles[style])

    def number(self, value: Decimal | int) -> str:
        return self.formats["number"](value)

    def rate(self, value: Decimal | None) -> str:
        """A share as the report prints it, or the wording's "none" when there is no share."""
        return self.plain("none") if value is None else share_text(value, self.report.locale)

    def compact_money(self, value: float | Decimal) -> str:
        """An amount in few characters ($121.3K), for chart labels and axes."""
        return str(
            format_compact_currency(
                value, self.report.currency, locale=self.report.locale, fraction_digits=1
            )
        )

    def rate_series(self, key: str, rates: Sequence[Decimal], colour: colors.Color) -> Series:
        """Shares as bars from 0 to 100, each labelled as the report prints a share."""
        return Series(
            self.plain(key), [100 * float(r) for r in rates], [self.rate(r) for r in rates], colour
        )

    # Sections

    def section_heading(self, key: str) -> list[Flowable]:
        return [
            self.para(key, "section"),
            HRFlowable(width="100%", thickness=1.6, color=NAVY, spaceBefore=2, spaceAfter=5),
        ]

    def start(self, key: str, intro: str | None, first: Sequence[Flowable]) -> list[Flowable]:
        """A section's heading and intro, kept with its first block, not low on a page."""
        head: list[Flowable] = self.section_heading(key)
        if intro is not None:
            head.append(self.para(intro, "intro"))
        return [CondPageBreak(1.5 * inch), KeepTogether([*head, *first])]

    def chart_note(self, shown: int, total: int) -> list[Flowable]:
        """Under a chart that shows only the largest rows, a note that the table has them all."""
        if shown >= total:
            return []
        return [self.para("chart_top_note", "note", extra={"shown": shown, "total": total})]
