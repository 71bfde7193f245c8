"""Lay out the hearing documents as PDFs: the hearing notice, the docket sheet and the order.

Like the citation notice, these renderers only lay out. The facts come from the typed contexts
in `citations.hearings.documents`; the words come from `templates/hearing-notice/`,
`templates/docket/` and `templates/order/` (one YAML file per language, edited by city staff);
fonts, wording, formatting helpers, styles and the footer are the notice's
(`citations.documents.layout`). All text stays text, in embedded fonts that cover any script.

This module is the public entry point; each document's layout is in its own module
(`notice_pdf`, `docket_pdf`, `order_pdf`) over the shared `pdf_layout`.
"""

from __future__ import annotations

from pathlib import Path

from citations.documents.templates import TEMPLATES_DIR
from citations.documents.wording import NoticeTemplateError
from citations.hearings.docket_pdf import DocketLayout
from citations.hearings.documents import DocketSheetContext, HearingNoticeContext, OrderContext
from citations.hearings.notice_pdf import HearingNoticeLayout
from citations.hearings.order_pdf import OrderLayout
from citations.hearings.pdf_layout import HearingDocument

__all__ = [
    "NoticeTemplateError",
    "render_docket_sheet",
    "render_hearing_notice",
    "render_order",
]


def render_hearing_notice(
    context: HearingNoticeContext, templates_dir: Path | None = None
) -> bytes:
    """Render the notice of a hearing (or of its new date) as PDF bytes, US Letter portrait.

    The date and time of the hearing are in a box at the top; a rescheduled hearing is marked
    so, with the date it replaces. `templates_dir` holds `hearing-notice/<language>.yaml`
    (by default the installed `TEMPLATES_DIR`); a missing or broken template raises
    `NoticeTemplateError` naming the file and the key.

    Example::

        Path("hearing-notice.pdf").write_bytes(render_hearing_notice(context))
    """
    return _render(HearingNoticeLayout(context, _folder(templates_dir)), context)


def render_docket_sheet(context: DocketSheetContext, templates_dir: Path | None = None) -> bytes:
    """Render one session's docket for the hearing room as PDF bytes, US Letter landscape.

    Printed in the jurisdiction's language (`context.language`), with a column for the
    hearing officer's handwritten outcome and notes, and the interpreters needed by language.
    Wording from `templates_dir/docket/<language>.yaml`.

    Example::

        Path("docket.pdf").write_bytes(render_docket_sheet(context))
    """
    return _render(DocketLayout(context, _folder(templates_dir)), context)


def render_order(context: OrderContext, templates_dir: Path | None = None) -> bytes:
    """Render the written decision on a review or a hearing as PDF bytes, US Letter portrait.

    The outcome, what is owed and the next deadline (a hearing request, an appeal to the
    court, or setting a default aside) are in a box at the top; the findings print exactly
    as written. Wording from `templates_dir/order/<language>.yaml`.

    Example::

        Path("order.pdf").write_bytes(render_order(context))
    """
    return _render(OrderLayout(context, _folder(templates_dir)), context)


def _folder(templates_dir: Path | None) -> Path:
    return TEMPLATES_DIR if templates_dir is None else templates_dir


def _render(
    layout: HearingDocument, context: HearingNoticeContext | DocketSheetContext | OrderContext
) -> bytes:
    """Lay the document's story out, with the jurisdiction as author and its language."""
    return layout.build(layout.story(), author=context.jurisdiction_name, language=context.language)
