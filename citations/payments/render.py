"""Lay out the money documents as PDFs: the payment receipt and the late notice.

Like the citation notice and the hearing documents, these renderers only lay out. The facts
come from the typed contexts in `citations.payments.documents`; the words come from
`templates/receipt/` and `templates/late-notice/` (one YAML file per language, edited by city
staff); fonts, wording, formatting helpers, styles, tables and the footer are the shared ones
of `citations.documents.layout`. All text stays text, in embedded fonts that cover any script.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from citations.documents.access import qr_payload
from citations.documents.fonts import BOLD
from citations.documents.formats import service_credit, service_hours
from citations.documents.layout import (
    AMENDED,
    AMENDED_FILL,
    INK,
    NAVY,
    RULE,
    SHADE,
    Cell,
    Layout,
    box,
    context_variables,
    section,
    table,
)
from citations.documents.templates import TEMPLATES_DIR
from citations.documents.wording import NoticeTemplateError, load_wording
from citations.payments.documents import LateNoticeContext, LateNoticeLine, ReceiptContext

__all__ = [
    "NoticeTemplateError",
    "late_notice_options",
    "receipt_standing",
    "render_late_notice",
    "render_receipt",
]

RECEIPT = "receipt"
LATE_NOTICE = "late-notice"
"""The wording folders under the templates folder, one per document."""

OPTIONS_FILL = colors.HexColor("#f3f7fc")

# Citation statuses (`citations.record.status.CitationStatus` values) that matter to the receipt.
_CONTEST_PENDING = frozenset({"in_review", "hearing_requested", "hearing_scheduled"})
"""Money paid now is held until the review or the hearing decides."""
_CLOSED_OTHERWISE = frozenset({"dismissed", "voided", "waived", "served", "diverted"})
"""Closed without being paid in full."""


def render_receipt(context: ReceiptContext, templates_dir: Path | None = None) -> bytes:
    """Render the receipt for a payment, a deposit, a refund or a reversal, as PDF bytes.

    One page, US Letter portrait (a receipt printer is not assumed). The receipt number is
    printed large; the box at the top says what happened and where the citation stands now
    (paid in full and closed, on a payment plan, or with a balance remaining). A reversal
    (a returned check or a chargeback) is marked in red: the payment was returned and the
    balance is open again. `received_at` must carry its time zone (the jurisdiction's).

    `templates_dir` holds `receipt/<language>.yaml` (by default the repository's
    `TEMPLATES_DIR`); a missing or broken template raises `NoticeTemplateError` naming the
    file and the key.

    Example::

        Path("receipt.pdf").write_bytes(render_receipt(context))
    """
    if context.received_at.tzinfo is None:
        raise ValueError(f"receipt {context.receipt_number}: received_at must carry its time zone")
    layout = _Receipt(context, _folder(templates_dir))
    return layout.build(layout.story(), author=context.jurisdiction_name, language=context.language)


def render_late_notice(context: LateNoticeContext, templates_dir: Path | None = None) -> bytes:
    """Render the late notice of a past-due citation as PDF bytes (US Letter, 1 or 2 pages).

    The box at the top says, plainly, how much to pay and by when to avoid referral to
    collections. Then what was added (or that no late fees are added, where the law bars
    them), the account statement, the person's options if they cannot pay (only those
    offered), what happens next, and how to get help. Wording from
    `templates_dir/late-notice/<language>.yaml`.

    Example::

        Path("late-notice.pdf").write_bytes(render_late_notice(context))
    """
    layout = _LateNotice(context, _folder(templates_dir))
    return layout.build(layout.story(), author=context.jurisdiction_name, language=context.language)


def receipt_standing(context: ReceiptContext) -> str:
    """Where the citation stands after this receipt: the `status_*` and `next_*` keys used.

    `paid` (paid in full: closed), `plan` (on a payment plan, with a next installment),
    `balance` (something is still owed), `held` (nothing more owed while a review or hearing
    is pending), `closed` (closed otherwise, e.g. dismissed after a refund), `credit` (more
    was paid than owed) or `nothing_owed`.

    >>> from decimal import Decimal
    >>> from citations.payments.documents import ReceiptContext
    >>> context = ReceiptContext.model_construct(
    ...     balance_after=Decimal("0.00"), status_after="paid", next_installment_due=None,
    ...     next_installment_amount=None)
    >>> receipt_standing(context)
    'paid'
    """
    after = context.balance_after
    if after < 0:
        return "credit"
    if after > 0:
        plan = context.next_installment_due is not None
        return "plan" if plan and context.next_installment_amount is not None else "balance"
    if context.status_after in _CONTEST_PENDING:
        return "held"
    if context.status_after in _CLOSED_OTHERWISE:
        return "closed"
    if context.status_after == "paid":
        return "paid"
    return "nothing_owed"


def late_notice_options(context: LateNoticeContext) -> list[str]:
    """The options offered to a person who cannot pay, in print order (`option_*` keys).

    >>> from citations.payments.documents import LateNoticeContext
    >>> context = LateNoticeContext.model_construct(
    ...     ability_to_pay_offered=True, community_service_rate=None, payment_plan_offered=True)
    >>> late_notice_options(context)
    ['ability_to_pay', 'payment_plan']
    """
    options: list[str] = []
    if context.ability_to_pay_offered:
        options.append("ability_to_pay")
    if context.community_service_rate:
        options.append("community_service")
    if context.payment_plan_offered:
        options.append("payment_plan")
    return options


# Shared by the two documents


def _folder(templates_dir: Path | None) -> Path:
    return TEMPLATES_DIR if templates_dir is None else templates_dir


class _MoneyDocument(Layout):
    """What the money documents add to the shared layout: a header, a few styles."""

    def __init__(self, templates_dir: Path, document: str, variables: dict[str, object]) -> None:
        language = str(variables["language"])
        super().__init__(load_wording(templates_dir, language, document), variables)
        base = self.styles["body"]

        def derive(name: str, parent: ParagraphStyle = base, **changes: Any) -> None:
            self.styles[name] = ParagraphStyle(name, parent=parent, **changes)

        top = self.styles["top"]
        derive("big_number", fontName=BOLD, fontSize=22, leading=26, spaceAfter=2)
        derive("top_second", top, fontSize=13, leading=16.5, spaceAfter=2)
        derive("status", self.styles["top_more"], fontSize=12, leading=15)
        derive("amount_label", fontName=BOLD, fontSize=10, leading=13, spaceAfter=0)
        derive("amount_total", fontName=BOLD, fontSize=11, leading=14, spaceAfter=0)
        derive(
            "options_heading",
            fontName=BOLD,
            fontSize=12.5,
            leading=15.5,
            textColor=NAVY,
            spaceAfter=3,
        )
        derive(
            "option",
            parent=self.styles["bullet"],
            fontSize=9.6,
            leading=12.4,
            spaceAfter=4,
        )

    def header(
        self,
        number_label: str,
        number: str,
        under: str,
        *,
        number_style: str = "number",
        qr: str | None = None,
    ) -> Table:
        """Jurisdiction, office and title on the left; the document's number on the right,
        and the QR code of `qr` (the person's link) at the right edge."""
        left: list[Flowable] = [
            self.para("jurisdiction", "jurisdiction"),
            self.para("office", "small"),
            Spacer(1, 5),
            self.para("title", "title"),
            self.para("civil", "small"),
        ]
        number_width = 2.4 * inch
        right: list[Flowable] = [
            self.para(number_label, "number_label"),
            self.fitted(number, number_style, number_width - 14),
            self.para(under, "small"),
        ]
        return self.letterhead(left, right, number_width, qr=qr)

    def help(self) -> list[Flowable]:
        keys = ["questions", "interpretation", "accessible_formats"]
        return section([*self.heading("heading_help"), *self.bullets(keys)])


# The receipt


class _Receipt(_MoneyDocument):
    def __init__(self, context: ReceiptContext, templates_dir: Path) -> None:
        variables = context_variables(context, context.contact)
        self.standing = receipt_standing(context)
        variables["standing"] = self.standing
        variables["change"] = context.balance_after - context.balance_before
        super().__init__(templates_dir, RECEIPT, variables)
        self.context = context

    def story(self) -> list[Flowable]:
        ctx = self.context
        story: list[Flowable] = [
            self.header(
                "receipt_number_label",
                "receipt_number",
                "dated",
                number_style="big_number",
                qr=qr_payload(ctx.access, ctx.contact.website),
            ),
            Spacer(1, 10),
            self.top(),
        ]
        story += self.details()
        story += self.balance()
        story += self.what_next()
        story += self.help()
        return self.with_language_lines(story, self.context.contact)

    def top(self) -> Table:
        """What happened and where the citation stands now; in red for a returned payment."""
        if self.context.kind == "reversal":
            cell: list[Flowable] = [
                self.para("reversal_mark", "mark"),
                self.para("headline", "top"),
                self.para("reversal_explain", "top_note"),
                Spacer(1, 4),
                self.para(f"status_{self.standing}", "status"),
            ]
            return box(
                cell, border=AMENDED, fill=AMENDED_FILL, width=2.5, padding=9, box_width=self.width
            )
        return self.top_box(
            [self.para("headline", "top"), self.para(f"status_{self.standing}", "status")]
        )

    def details(self) -> list[Flowable]:
        rows = [
            ("label_citation", "citation"),
            ("label_person", "person"),
            ("label_kind", "kind"),
            ("label_amount", "amount"),
            ("label_method", "method"),
        ]
        if self.context.reference:
            rows.append(("label_reference", "reference"))
        rows += [("label_received_at", "received_at"), ("label_recorded_by", "recorded_by")]
        return [*self.heading("heading_details"), self.label_table(rows, 1.9 * inch)]

    def balance(self) -> list[Flowable]:
        amount_width = 1.6 * inch
        rows = [
            [self.para("label_balance_before", "cell"), self.para("balance_before", "cell_right")],
            [self.para("label_change", "cell"), self.para("change", "cell_right")],
            [
                self.para("label_balance_after", "amount_total"),
                self.para("balance_after", "total_amount"),
            ],
        ]
        ledger = table(
            rows,
            [self.width - amount_width, amount_width],
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, RULE),
                ("LINEABOVE", (0, -1), (-1, -1), 1.2, INK),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                ("LEFTPADDING", (0, 0), (0, -1), 4),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ],
        )
        return [KeepTogether([*self.heading("heading_balance"), ledger])]

    def what_next(self) -> list[Flowable]:
        keys = [f"next_{self.standing}"]
        if self.context.kind == "reversal":
            # "Pay it again" already says how to pay what is owed.
            keys = ["next_reversal"] if self.standing == "balance" else ["next_reversal", *keys]
        keys.append("keep_receipt")
        return section([*self.heading("heading_next"), *self.bullets(keys)])


# The late notice


class _LateNotice(_MoneyDocument):
    def __init__(self, context: LateNoticeContext, templates_dir: Path) -> None:
        variables = context_variables(context, context.contact)
        variables["referral_on"] = context.pay_by + timedelta(days=1)
        rate = context.community_service_rate
        hours: Decimal | None = None
        credit: Decimal | None = None
        if rate:
            hours = service_hours(context.balance, rate, context.community_service_max_hours)
            credit = service_credit(hours, rate, context.balance)
        variables["service_hours"] = hours
        variables["service_credit"] = credit
        variables["options"] = late_notice_options(context)
        super().__init__(templates_dir, LATE_NOTICE, variables)
        self.context = context

    def story(self) -> list[Flowable]:
        ctx = self.context
        story: list[Flowable] = [
            self.top(),
            Spacer(1, 8),
            self.header(
                "citation_number_label",
                "citation_number",
                "sent",
                qr=qr_payload(ctx.access, ctx.contact.website),
            ),
        ]
        story += self.details()
        story += self.added()
        # The options come before the statement, so a long statement never pushes them off
        # the first page.
        story += self.options()
        story += self.statement()
        story += self.what_next()
        story += self.payment()
        story += self.help()
        return self.with_language_lines(story, self.context.contact)

    def top(self) -> Table:
        return self.top_box(
            [
                self.para("past_due", "top"),
                self.para("pay_by_line", "top_second"),
                Spacer(1, 2),
                self.para("top_more", "top_more"),
            ]
        )

    def details(self) -> list[Flowable]:
        rows = [("label_person", "person")]
        if self.context.subject_address:
            rows.append(("label_address", "address"))
        rows += [
            ("label_original_due", "original_due"),
            ("label_balance", "balance"),
            ("label_pay_by", "pay_by"),
        ]
        return [*self.heading("heading_details"), self.label_table(rows, 1.9 * inch)]

    def added(self) -> list[Flowable]:
        # `added` says what was added, or plainly that the law bars late fees here.
        return section([*self.heading("heading_added"), self.para("added")])

    def statement(self) -> list[Flowable]:
        rows: list[list[Cell]] = [self.line_row(line) for line in self.context.lines]
        if not rows:
            rows.append(
                [self.para("no_lines", "td"), Spacer(0, 0), Spacer(0, 0)],
            )
        rows.append(
            [
                self.para("balance_label", "amount_label"),
                Spacer(0, 0),
                self.para("balance_row", "total_amount"),
            ]
        )
        amount_width = 1.3 * inch
        date_width = 1.1 * inch
        grid = self.grid(
            ["col_date", "col_description", "col_amount"],
            rows,
            [date_width, self.width - date_width - amount_width, amount_width],
            [
                ("SPAN", (0, -1), (1, -1)),
                ("LINEABOVE", (0, -1), (-1, -1), 1.2, INK),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                # The balance stays with the row above it.
                ("NOSPLIT", (0, -2), (-1, -1)),
            ],
        )
        return [
            KeepTogether([*self.heading("heading_statement"), self.para("statement_intro")]),
            grid,
        ]

    def line_row(self, line: LateNoticeLine) -> list[Cell]:
        extra = {"line": line}
        return [
            self.para("line_date", "td", extra=extra),
            self.para("line_description", "td", extra=extra),
            self.para("line_amount", "td_right", extra=extra),
        ]

    def options(self) -> list[Flowable]:
        """What the person can do if they cannot pay: boxed, so it cannot be missed."""
        keys = [f"option_{name}" for name in late_notice_options(self.context)]
        cell: list[Flowable] = [self.para("heading_options", "options_heading")]
        if keys:
            cell.append(self.para("options_intro", "cell"))
            cell.append(Spacer(1, 4))
            cell += [self.para(key, "option", bullet=True) for key in keys]
            cell.append(self.para("options_how", "cell"))
        else:
            cell.append(self.para("options_none", "cell"))
        framed = box(
            cell, border=NAVY, fill=OPTIONS_FILL, width=1.8, padding=8, box_width=self.width
        )
        return [Spacer(1, 8), KeepTogether([framed])]

    def payment(self) -> list[Flowable]:
        keys = ["pay_online", "pay_phone", "pay_mail", "pay_in_person"]
        return [
            KeepTogether(
                [*self.heading("heading_pay"), self.para("pay_intro"), *self.bullets(keys)]
            )
        ]

    def what_next(self) -> list[Flowable]:
        keys = ["next_referral", "not_a_crime"]
        return [KeepTogether([*self.heading("heading_next"), *(self.para(key) for key in keys)])]
