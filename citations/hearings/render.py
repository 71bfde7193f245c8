"""Lay out the hearing documents as PDFs: the hearing notice, the docket sheet and the order.

Like the citation notice, these renderers only lay out. The facts come from the typed contexts
in `citations.hearings.documents`; the words come from `templates/hearing-notice/`,
`templates/docket/` and `templates/order/` (one YAML file per language, edited by city staff);
fonts, wording, formatting helpers, styles and the footer are the notice's
(`citations.notice.layout`). All text stays text, in embedded fonts that cover any script.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Paragraph, Spacer, Table

from citations.hearings.documents import (
    DocketEntry,
    DocketSheetContext,
    HearingNoticeContext,
    OrderContext,
)
from citations.notice.context import NoticeContact
from citations.notice.fonts import BOLD
from citations.notice.formats import helpers
from citations.notice.layout import (
    AMENDED,
    AMENDED_FILL,
    DEADLINE_FILL,
    INK,
    NAVY,
    RULE,
    SHADE,
    Layout,
    box,
    section,
    table,
)
from citations.notice.render import TEMPLATES_DIR
from citations.notice.wording import NoticeTemplateError, load_wording

__all__ = [
    "TEMPLATES_DIR",
    "NoticeTemplateError",
    "render_docket_sheet",
    "render_hearing_notice",
    "render_order",
]

HEARING_NOTICE = "hearing-notice"
DOCKET = "docket"
ORDER = "order"
"""The wording folders under the templates folder, one per document."""

FOR_NOTES = colors.HexColor("#fbfbf7")

Cell = Flowable | list[Flowable]
"""What a table cell holds: one flowable or a list of them."""


def render_hearing_notice(
    context: HearingNoticeContext, templates_dir: Path | None = None
) -> bytes:
    """Render the notice of a hearing (or of its new date) as PDF bytes, US Letter portrait.

    The date and time of the hearing are in a box at the top; a rescheduled hearing is marked
    so, with the date it replaces. `templates_dir` holds `hearing-notice/<language>.yaml`
    (by default the repository's `TEMPLATES_DIR`); a missing or broken template raises
    `NoticeTemplateError` naming the file and the key.

    Example::

        Path("hearing-notice.pdf").write_bytes(render_hearing_notice(context))
    """
    layout = _HearingNotice(context, _folder(templates_dir))
    return layout.build(layout.story(), author=context.jurisdiction_name, language=context.language)


def render_docket_sheet(context: DocketSheetContext, templates_dir: Path | None = None) -> bytes:
    """Render one session's docket for the hearing room as PDF bytes, US Letter landscape.

    Printed in the jurisdiction's language (`context.language`), with a column for the
    hearing officer's handwritten outcome and notes, and the interpreters needed by language.
    Wording from `templates_dir/docket/<language>.yaml`.

    Example::

        Path("docket.pdf").write_bytes(render_docket_sheet(context))
    """
    layout = _Docket(context, _folder(templates_dir))
    return layout.build(layout.story(), author=context.jurisdiction_name, language=context.language)


def render_order(context: OrderContext, templates_dir: Path | None = None) -> bytes:
    """Render the written decision on a review or a hearing as PDF bytes, US Letter portrait.

    The outcome, what is owed and the next deadline (a hearing request, an appeal to the
    court, or setting a default aside) are in a box at the top; the findings print exactly
    as written. Wording from `templates_dir/order/<language>.yaml`.

    Example::

        Path("order.pdf").write_bytes(render_order(context))
    """
    layout = _Order(context, _folder(templates_dir))
    return layout.build(layout.story(), author=context.jurisdiction_name, language=context.language)


# Shared by the three documents


def _folder(templates_dir: Path | None) -> Path:
    return TEMPLATES_DIR if templates_dir is None else templates_dir


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The aware moment of a local date and time (the time's own zone, if any, is ignored)."""
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone)


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored moment in the jurisdiction's zone; a naive one is taken as already local."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def _variables(context: BaseModel, contact: NoticeContact | None = None) -> dict[str, object]:
    """Every field of the context, the formatting helpers, and the contact, phone unbroken."""
    variables: dict[str, object] = {
        name: getattr(context, name) for name in type(context).model_fields
    }
    if contact is not None:
        # A phone number never breaks across lines.
        variables["contact"] = contact.model_copy(
            update={"phone": contact.phone.replace(" ", "\N{NO-BREAK SPACE}")}
        )
    language, locale, currency = (
        getattr(context, name) for name in ("language", "locale", "currency")
    )
    variables.update(helpers(language, locale, currency))
    return variables


class _Document(Layout):
    """What the hearing documents add to the shared layout: extra styles, a letter header."""

    def __init__(
        self,
        templates_dir: Path,
        document: str,
        language: str,
        variables: dict[str, object],
        *,
        pagesize: tuple[float, float] = LETTER,
    ) -> None:
        super().__init__(
            load_wording(templates_dir, language, document), variables, pagesize=pagesize
        )
        base = self.styles["body"]

        def derive(name: str, **changes: Any) -> None:
            self.styles[name] = ParagraphStyle(name, parent=base, **changes)

        derive("top", fontName=BOLD, fontSize=15, leading=19, alignment=TA_CENTER, spaceAfter=3)
        derive("top_more", fontSize=10.5, leading=13.5, alignment=TA_CENTER, spaceAfter=1)
        derive("top_note", alignment=TA_CENTER, spaceAfter=0)
        derive(
            "mark", fontName=BOLD, fontSize=12, leading=15, textColor=AMENDED, alignment=TA_CENTER
        )
        derive("mark_more", alignment=TA_CENTER, textColor=AMENDED, spaceAfter=3)
        derive("warning", fontName=BOLD, fontSize=10.5, leading=13, textColor=AMENDED)
        derive("findings", leftIndent=10, rightIndent=6, fontSize=9.8, leading=13, spaceAfter=4)
        derive("th", fontName=BOLD, fontSize=7.6, leading=9.2, textColor=colors.white, spaceAfter=0)
        derive("td", fontSize=8, leading=10, spaceAfter=0)
        derive("td_right", fontSize=8, leading=10, spaceAfter=0, alignment=TA_RIGHT)
        derive("choices", fontSize=7.4, leading=10.5, spaceAfter=0, textColor=INK)
        derive("cell_right", spaceAfter=0, alignment=TA_RIGHT)
        derive("signature", fontSize=9.2, leading=12, spaceAfter=0)
        derive("subheading", fontName=BOLD, fontSize=9.5, leading=12, textColor=NAVY, spaceAfter=2)

    def letter_header(self, number_line: str) -> Table:
        """Jurisdiction, office and title on the left; the citation number on the right."""
        left: list[Flowable] = [
            self.para("jurisdiction", "jurisdiction"),
            self.para("office", "small"),
            Spacer(1, 5),
            self.para("title", "title"),
            self.para("civil", "small"),
        ]
        number_width = 2.1 * inch
        right: list[Flowable] = [
            self.para("citation_number_label", "number_label"),
            self.fitted("citation_number", "number", number_width - 14),
            self.para(number_line, "small"),
        ]
        return table(
            [[left, right]],
            [self.width - number_width, number_width],
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (-1, 0), (-1, 0), 0),
                ("LINEBEFORE", (1, 0), (1, 0), 0.6, RULE),
                ("LEFTPADDING", (1, 0), (1, 0), 8),
            ],
        )


# The hearing notice


class _HearingNotice(_Document):
    def __init__(self, context: HearingNoticeContext, templates_dir: Path) -> None:
        zone = _zone(context.time_zone)
        variables = _variables(context, context.contact)
        variables["hearing_at"] = _at(context.hearing_date, context.start_time, zone)
        variables["rescheduled_from"] = _local(context.rescheduled_from, zone)
        super().__init__(templates_dir, HEARING_NOTICE, context.language, variables)
        self.context = context

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [self.when_box(), Spacer(1, 8), self.letter_header("sent")]
        story += self.details()
        story += self.about()
        story += self.bring()
        story += self.help()
        story += self.reschedule()
        story += self.no_show()
        story += self.questions()
        return story

    def when_box(self) -> Table:
        ctx = self.context
        cell: list[Flowable] = []
        if ctx.rescheduled_from is not None:
            cell += [
                self.para("rescheduled", "mark"),
                self.para("rescheduled_from_line", "mark_more"),
            ]
        cell += [self.para("when", "top"), Spacer(1, 3)]
        if ctx.place:
            cell.append(self.para("where_in_person", "top_more"))
        if ctx.remote_link:
            cell.append(self.para("where_remote", "top_more"))
        cell += [Spacer(1, 2), self.para("when_more", "top_note")]
        if ctx.rescheduled_from is not None:
            return box(
                cell, border=AMENDED, fill=DEADLINE_FILL, width=2.5, padding=9, box_width=self.width
            )
        return self.top_box(cell)

    def details(self) -> list[Flowable]:
        ctx = self.context
        rows = [("label_date", "date"), ("label_time", "time")]
        if ctx.place:
            rows.append(("label_place", "place"))
        if ctx.remote_link:
            rows.append(("label_remote", "remote"))
        rows += [("label_officer", "officer"), ("label_person", "person")]
        if ctx.subject_address:
            rows.append(("label_address", "address"))
        rows += [("label_amount", "amount"), ("label_deposit", "deposit")]
        return [*self.heading("heading_details"), self.label_table(rows, 1.6 * inch)]

    def about(self) -> list[Flowable]:
        return section([*self.heading("heading_about"), self.para("about")])

    def bring(self) -> list[Flowable]:
        keys = ["bring_citation", "bring_evidence", "bring_witnesses", "bring_id"]
        if self.context.remote_link:
            keys.append("bring_remote")
        return section(
            [*self.heading("heading_bring"), self.para("bring_intro"), *self.bullets(keys)]
        )

    def help(self) -> list[Flowable]:
        interpreter = "interpreter" if self.context.interpreter_language else "interpreter_request"
        return section(
            [*self.heading("heading_help"), *self.bullets([interpreter, "accommodation"])]
        )

    def reschedule(self) -> list[Flowable]:
        return section(
            [*self.heading("heading_reschedule"), self.para("reschedule"), self.para("pay_instead")]
        )

    def no_show(self) -> list[Flowable]:
        cell: list[Flowable] = [
            self.para("heading_no_show", "warning"),
            Spacer(1, 2),
            self.para("no_show", "cell"),
            Spacer(1, 3),
            self.para("set_aside", "cell"),
        ]
        return [
            Spacer(1, 9),
            KeepTogether(
                [
                    box(
                        cell,
                        border=AMENDED,
                        fill=AMENDED_FILL,
                        width=1.2,
                        padding=7,
                        box_width=self.width,
                    )
                ]
            ),
        ]

    def questions(self) -> list[Flowable]:
        return section(
            [*self.heading("heading_questions"), *self.bullets(["questions", "accessible_formats"])]
        )


# The docket sheet


class _Docket(_Document):
    def __init__(self, context: DocketSheetContext, templates_dir: Path) -> None:
        self.zone = _zone(context.time_zone)
        variables = _variables(context)
        variables["session_at"] = _at(context.session_date, context.start_time, self.zone)
        variables["printed_at"] = _local(context.printed_at, self.zone)
        variables["total_at_issue"] = sum(
            (entry.amount_at_issue for entry in context.entries), Decimal(0)
        )
        super().__init__(
            templates_dir, DOCKET, context.language, variables, pagesize=landscape(LETTER)
        )
        self.context = context

    def story(self) -> list[Flowable]:
        return [
            self.header(),
            Spacer(1, 8),
            *self.entries(),
        ]

    def header(self) -> Table:
        """Title and the interpreters needed on the left; the session's facts on the right."""
        ctx = self.context
        left_width = 3.2 * inch
        left: list[Flowable] = [
            self.para("jurisdiction", "jurisdiction"),
            self.para("title", "title"),
            self.para("staff_only", "small"),
            Spacer(1, 8),
            *self.interpreters(left_width),
        ]
        rows = [("label_session", "session"), ("label_start", "start")]
        if ctx.place:
            rows.append(("label_place", "place"))
        if ctx.remote_link:
            rows.append(("label_remote", "remote"))
        rows += [("label_officer", "officer"), ("label_capacity", "capacity")]
        facts = table(
            [[self.para(label, "label"), self.para(value, "cell")] for label, value in rows],
            [1.6 * inch, self.width - left_width - 1.6 * inch - 10],
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ],
        )
        return table(
            [[left, facts]],
            [left_width, self.width - left_width],
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (-1, 0), (-1, 0), 0),
                ("LEFTPADDING", (1, 0), (1, 0), 0),
            ],
        )

    # Column keys and widths (in points); the outcome column takes what is left.
    COLUMNS = (
        ("col_position", "cell_position", 16),
        ("col_time", "cell_time", 52),
        ("col_citation", "cell_citation", 60),
        ("col_person", "cell_person", 86),
        ("col_ordinances", "cell_ordinances", 102),
        ("col_amount", "cell_amount", 50),
        ("col_interpreter", "cell_interpreter", 62),
        ("col_deposit", "cell_deposit", 48),
        ("col_rescheduled", "cell_rescheduled", 48),
        ("col_status", "cell_status", 58),
    )

    def entries(self) -> list[Flowable]:
        signature = self.para("signature", "signature")
        if not self.context.entries:
            return [self.para("no_entries"), Spacer(1, 26), signature]
        fixed = [width for _, _, width in self.COLUMNS]
        widths = [*fixed, self.width - sum(fixed)]
        header = [key for key, _, _ in self.COLUMNS] + ["col_outcome"]
        rows = [self.entry_row(entry) for entry in self.context.entries]
        shading = [("BACKGROUND", (0, row), (-2, row), SHADE) for row in range(2, len(rows) + 1, 2)]
        return [
            self.grid(
                header,
                rows,
                widths,
                [
                    ("BACKGROUND", (-1, 1), (-1, -2), FOR_NOTES),
                    ("LINEBEFORE", (-1, 0), (-1, -2), 1.2, INK),
                    *shading,
                ],
                closing=signature,
            )
        ]

    def entry_row(self, entry: DocketEntry) -> list[Cell]:
        slot = (
            None
            if entry.slot_time is None
            else _at(self.context.session_date, entry.slot_time, self.zone)
        )
        extra = {"entry": entry, "slot_at": slot}
        cells: list[Cell] = []
        for _, key, _ in self.COLUMNS:
            style = "td_right" if key == "cell_amount" else "td"
            cells.append(self.para(key, style, extra=extra))
        # Room to write: the choices to tick, then blank space under them.
        cells.append([self.para("outcome_choices", "choices", extra=extra), Spacer(1, 12)])
        return cells

    def interpreters(self, width: float) -> list[Flowable]:
        needed = sorted(
            ((code, count) for code, count in self.context.interpreters_needed.items() if count),
            key=lambda item: (-item[1], item[0]),
        )
        flowables: list[Flowable] = [self.para("heading_interpreters", "subheading")]
        if not needed:
            return [*flowables, self.para("no_interpreters", "td")]
        rows = []
        for code, count in needed:
            positions = [e.position for e in self.context.entries if e.interpreter_language == code]
            extra = {"language_code": code, "count": count, "positions": positions}
            rows.append(
                [
                    self.para("interpreter_language", "td", extra=extra),
                    self.para("interpreter_count", "td_right", extra=extra),
                    self.para("interpreter_positions", "td", extra=extra),
                ]
            )
        widths = [0.4 * width, 0.25 * width, 0.35 * width]
        return [*flowables, self.grid(["col_language", "col_count", "col_positions"], rows, widths)]


# The decision order


class _Order(_Document):
    def __init__(self, context: OrderContext, templates_dir: Path) -> None:
        variables = _variables(context, context.contact)
        schedule = context.payment_schedule
        variables["first_installment"] = schedule[0] if schedule else None
        variables["installments_total"] = sum((i.amount for i in schedule), Decimal(0))
        super().__init__(templates_dir, ORDER, context.language, variables)
        self.context = context

    def next_steps(self) -> list[str]:
        """What the person can do next, most urgent first (the first one goes in the top box)."""
        ctx = self.context
        if ctx.outcome == "dismissed":
            return ["closed"]
        steps: list[str] = []
        if ctx.outcome == "default":
            steps.append("set_aside")
        if ctx.tier == "review":
            steps.append("hearing_request")
        elif ctx.outcome != "default" or ctx.appeal_by is not None:
            # A hearing decision can be appealed to the court; after a default, only when the
            # jurisdiction gave an appeal deadline.
            steps.append("appeal")
        return steps

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [self.top(), Spacer(1, 8), self.letter_header("decided")]
        story += self.decision()
        story += self.findings()
        story += self.amounts()
        story += self.schedule()
        # The signature closes the decision itself; what follows tells the person what to do.
        story += self.signature()
        story += self.what_next()
        story += self.payment()
        story += self.help()
        return story

    def top(self) -> Table:
        cell: list[Flowable] = [
            self.para("headline", "top"),
            self.para("owe", "top_more"),
            Spacer(1, 2),
            self.para(f"next_{self.next_steps()[0]}", "top_more"),
        ]
        return self.top_box(cell)

    def decision(self) -> list[Flowable]:
        rows = [("label_person", "person")]
        if self.context.subject_address:
            rows.append(("label_address", "address"))
        rows += [
            ("label_tier", "tier"),
            ("label_outcome", "outcome"),
            ("label_decided_on", "decided_on"),
            ("label_decided_by", "decided_by"),
        ]
        return [*self.heading("heading_decision"), self.label_table(rows, 1.6 * inch)]

    def findings(self) -> list[Flowable]:
        # A plain paragraph, not a table cell: long findings simply continue on the next page.
        return [
            KeepTogether([*self.heading("heading_findings"), self.para("findings_intro")]),
            self.para("findings", "findings"),
        ]

    def amounts(self) -> list[Flowable]:
        ctx = self.context
        rows = [("label_original", "original"), ("label_new", "new")]
        if ctx.reduction_reason:
            rows.append(("label_reduction_reason", "reduction_reason"))
        rows += [("label_paid", "paid"), ("label_due", "due")]
        if ctx.pay_by is not None and ctx.amount_due > 0 and not ctx.payment_schedule:
            rows.append(("label_pay_by", "pay_by"))
        if ctx.refund:
            rows.append(("label_refund", "refund"))
        flowables: list[Flowable] = [
            *self.heading("heading_amounts"),
            self.label_table(rows, 2.3 * inch),
        ]
        if ctx.refund:
            flowables += [Spacer(1, 4), self.para("refund_line")]
        return [KeepTogether(flowables)]

    def schedule(self) -> list[Flowable]:
        schedule = self.context.payment_schedule
        if not schedule:
            return []
        rows = []
        for number, installment in enumerate(schedule, start=1):
            extra = {"number": number, "installment": installment}
            rows.append(
                [
                    self.para("installment_number", "td", extra=extra),
                    self.para("installment_due_on", "td", extra=extra),
                    self.para("installment_amount", "td_right", extra=extra),
                ]
            )
        rows.append(
            [
                self.para("schedule_total_label", "label"),
                Paragraph("", self.styles["td"]),
                self.para("schedule_total", "td_right"),
            ]
        )
        grid = self.grid(
            ["col_number", "col_due_on", "col_amount"],
            rows,
            [0.9 * inch, 3.2 * inch, 1.3 * inch],
            [("LINEABOVE", (0, -1), (-1, -1), 1.1, INK), ("BACKGROUND", (0, -1), (-1, -1), SHADE)],
        )
        grid.hAlign = "LEFT"
        return section([*self.heading("heading_schedule"), self.para("schedule_intro"), grid])

    def payment(self) -> list[Flowable]:
        if self.context.amount_due <= 0:
            return []
        keys = ["pay_online", "pay_phone", "pay_mail", "pay_in_person"]
        # The ways to pay are short and only make sense together with their heading.
        ways = KeepTogether(
            [*self.heading("heading_pay"), self.para("pay_intro"), *self.bullets(keys)]
        )
        return [
            ways,
            KeepTogether([self.para("cannot_pay")]),
            KeepTogether([self.para("not_paid")]),
        ]

    def what_next(self) -> list[Flowable]:
        keys = [step if step == "closed" else f"right_{step}" for step in self.next_steps()]
        return section([*self.heading("heading_next"), *self.bullets(keys)])

    def help(self) -> list[Flowable]:
        keys = ["questions", "interpretation", "accessible_formats"]
        return section([*self.heading("heading_help"), *self.bullets(keys)])

    def signature(self) -> list[Flowable]:
        rule = HRFlowable(width=3.2 * inch, thickness=0.7, color=INK, hAlign="LEFT", spaceAfter=3)
        return [
            KeepTogether(
                [
                    Spacer(1, 26),
                    rule,
                    self.para("signature_name", "signature"),
                    self.para("signature_role", "small"),
                ]
            )
        ]
