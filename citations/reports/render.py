"""Lay out the program report as a PDF a council member reads at a glance: key figures on the
cover, then one section per question (citations issued, outcomes, referred and declined cases,
money, reviews and hearings, repeat citations, who bears the burden), each with a chart drawn
with reportlab's own graphics and the table behind it.

This module is the entry point and the order of the sections; the pieces live by job in
`layout` (wording, variables, styles), `figures` (the arithmetic), `charts` and `chart_text`
(the drawings and their labels), `tables`, and `sections` (one module per section). The
figures come from `citations.reports.model.ProgramReport`; the words from
`templates/report/en.yaml` (edited by city staff).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.platypus import Flowable, PageBreak

from citations.documents.templates import TEMPLATES_DIR
from citations.documents.wording import NoticeTemplateError
from citations.reports.figures import share_text
from citations.reports.layout import LANGUAGE, ReportLayout
from citations.reports.model import ProgramReport
from citations.reports.sections.cover import cover_page
from citations.reports.sections.equity import who_bears_the_burden
from citations.reports.sections.hearings import hearings
from citations.reports.sections.issued import citations_issued
from citations.reports.sections.money import money
from citations.reports.sections.outcomes import outcomes
from citations.reports.sections.referrals import referred_and_declined
from citations.reports.sections.reminders import reminders
from citations.reports.sections.repeats import repeat_citations

__all__ = ["NoticeTemplateError", "render_report", "share_text"]

SECTIONS: tuple[Callable[[ReportLayout], list[Flowable]], ...] = (
    citations_issued,
    outcomes,
    referred_and_declined,
    money,
    hearings,
    repeat_citations,
    who_bears_the_burden,
    reminders,
)
"""The sections after the cover, in the order the report prints them."""


def render_report(report: ProgramReport, templates_dir: Path | None = None) -> bytes:
    """Render the program report as PDF bytes (US Letter portrait, several pages).

    A cover with the period, the areas, the key figures in large type, where the citations
    stand and a plain reading; then the citations issued by month, ordinance and area;
    outcomes; referred and declined cases with example reasons; money; reviews and hearings
    by tier and hearing officer; repeat citations; and delinquency, collections and
    alternatives by area and language; and, when a reminders experiment runs, whether reminders
    work. A section without data says so in a sentence. Wording
    from `templates_dir/report/en.yaml` (by default the installed `TEMPLATES_DIR`); a
    missing or broken template raises `NoticeTemplateError` naming the file and the key.

    Example::

        Path("report.pdf").write_bytes(render_report(report))
    """
    doc = ReportLayout(report, TEMPLATES_DIR if templates_dir is None else templates_dir)
    story = [*cover_page(doc), PageBreak()]
    for section in SECTIONS:
        story += section(doc)
    return doc.build(story, author=report.jurisdiction_name, language=LANGUAGE)
