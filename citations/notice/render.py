"""Lay out a citation notice as a PDF: deadline first, then the facts, then every option.

The renderer only lays out. What it prints comes from the `NoticeContext` (typed values,
formatted here per language with babel) and from the wording templates in
`templates/notice/<language>.yaml`, which city staff edit. All text stays text (searchable,
readable by screen readers and by `pdftotext`); the fonts are embedded TrueType subsets.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Spacer,
    Table,
)

from citations.documents.fonts import register_fonts
from citations.documents.formats import helpers, service_credit, service_hours, share
from citations.documents.layout import (
    AMENDED,
    AMENDED_FILL,
    DEADLINE_FILL,
    INK,
    RULE,
    SHADE,
    WIDTH,
    Layout,
)
from citations.documents.layout import box as _box
from citations.documents.layout import section as _section
from citations.documents.layout import table as _table
from citations.documents.templates import TEMPLATES_DIR
from citations.documents.wording import NoticeTemplateError, Wording, load_wording
from citations.notice.context import NoticeContext, NoticeViolation

__all__ = ["NoticeTemplateError", "render_notice"]

"""The repository's templates/ folder; the notice wording is in its notice/ subfolder."""


def render_notice(context: NoticeContext, templates_dir: Path | None = None) -> bytes:
    """Render the citation notice as PDF bytes (US Letter, usually two pages).

    `templates_dir` is a folder holding `notice/<language>.yaml`; by default the repository's
    `TEMPLATES_DIR`. A missing or broken template raises `NoticeTemplateError`.

    Example (``context`` built by ``citations.notice.context``)::

        pdf = render_notice(context)
        Path("notice.pdf").write_bytes(pdf)
    """
    register_fonts()
    folder = TEMPLATES_DIR if templates_dir is None else templates_dir
    notice = _Notice(context, folder)
    return notice.build(notice.story(), author=context.jurisdiction_name, language=context.language)


class _Notice(Layout):
    """One notice being laid out: the context, its wording, and the flowables built from them."""

    def __init__(self, context: NoticeContext, templates_dir: Path) -> None:
        variables: dict[str, object] = {
            name: getattr(context, name) for name in NoticeContext.model_fields
        }
        # A phone number never breaks across lines.
        variables["contact"] = context.contact.model_copy(
            update={"phone": context.contact.phone.replace(" ", "\N{NO-BREAK SPACE}")}
        )
        variables.update(helpers(context.language, context.locale, context.currency))
        super().__init__(load_wording(templates_dir, context.language), variables)
        self.context = context
        self.extra: tuple[Wording, dict[str, object]] | None = None
        second = context.add_language_line
        if second and second != context.language:
            locale = _locale_for(second, context.locale)
            self.extra = (
                load_wording(templates_dir, second),
                {**self.variables, **helpers(second, locale, context.currency)},
            )

    # The notice, top to bottom

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [
            self.deadline_box(),
            Spacer(1, 6),
            self.header(),
        ]
        if self.context.revision > 1:
            story += [Spacer(1, 6), self.amended_box()]
        story += self.details()
        story += self.violations()
        story += self.payment()
        story += self.contest()
        story += self.alternatives()
        story += self.no_response()
        story += self.help()
        return self.with_language_lines(story, self.context.contact)

    def deadline_box(self) -> Table:
        cell: list[Flowable] = [
            self.para("deadline", "deadline"),
            self.para("deadline_more", "deadline_more"),
        ]
        if self.extra is not None:
            wording, variables = self.extra
            cell.append(Spacer(1, 3))
            cell.append(
                self.para("language_line", "deadline_more", wording=wording, variables=variables)
            )
        return _box(cell, border=colors.black, fill=DEADLINE_FILL, width=2, padding=9)

    def header(self) -> Table:
        ctx = self.context
        left: list[Flowable] = [
            self.para("jurisdiction", "jurisdiction"),
            self.para("agency", "small"),
            Spacer(1, 5),
            self.para("title", "title"),
            self.para("civil", "small"),
        ]
        number_width = 2.45 * inch
        inside = number_width - 14  # less the cell's padding
        right: list[Flowable] = [
            self.para("citation_number_label", "number_label"),
            self.fitted("citation_number", "number", inside),
            _barcode(ctx.citation_number, inside),
            Spacer(1, 3),
            self.para("issued", "small"),
        ]
        return self.letterhead(left, right, number_width, qr=ctx.qr_payload)

    def amended_box(self) -> Table:
        cell: list[Flowable] = [
            self.para("amended", "amended"),
            self.para("amended_reason", "cell"),
        ]
        return _box(cell, border=AMENDED, fill=AMENDED_FILL, width=1.5, padding=6)

    def details(self) -> list[Flowable]:
        ctx = self.context
        rows = [("label_when", "when"), ("label_where", "where"), ("label_officer", "officer")]
        rows.append(("label_person", "person"))
        if ctx.subject_address:
            rows.append(("label_address", "address"))
        table = self.label_table(rows, 1.45 * inch)
        return [*self.heading("heading_details"), table]

    def violations(self) -> list[Flowable]:
        flowables: list[Flowable] = self.heading("heading_violations")
        for number, violation in enumerate(self.context.violations, start=1):
            if number > 1:
                flowables.append(HRFlowable(width="100%", thickness=0.5, color=RULE, spaceAfter=6))
            flowables += self.violation_block(number, violation)
        total = _table(
            [[self.para("total_label", "total"), self.para("total", "total_amount")]],
            [WIDTH - 2 * inch, 2 * inch],
            [
                ("LINEABOVE", (0, 0), (-1, 0), 1.2, INK),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (-1, 0), (-1, 0), 6),
            ],
        )
        flowables.append(total)
        return flowables

    def violation_block(self, number: int, violation: NoticeViolation) -> list[Flowable]:
        v = {**self.violation_variables(violation), "number": number}
        title = _table(
            [
                [
                    self.para("violation_title", "violation", extra=v),
                    self.para("violation_fine", "fine", extra=v),
                ]
            ],
            [WIDTH - 1.9 * inch, 1.9 * inch],
            [
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ],
        )
        # Plain paragraphs rather than table cells, so a long narrative simply continues on
        # the next page.
        body = [
            self.para("violation_description", "indented", extra=v),
            self.para("violation_reference", "indented_small", extra=v),
            self.para("violation_narrative", "indented", extra=v),
            self.para("violation_fine_basis", "indented", extra=v),
        ]
        if violation.correction_due is not None:
            body.append(self.para("violation_correct", "indented", extra=v))
        body.append(self.para("violation_do_not_repeat", "indented", extra=v))
        return [KeepTogether([title, Spacer(1, 4), *body[:2]]), *body[2:]]

    def payment(self) -> list[Flowable]:
        flowables = self.heading("heading_pay")
        flowables.append(self.para("pay_intro"))
        for key in ("pay_online", "pay_phone", "pay_mail", "pay_in_person"):
            flowables.append(self.para(key, "bullet", bullet=True))
        return _section(flowables)

    def contest(self) -> list[Flowable]:
        flowables = self.heading("heading_contest")
        flowables.append(self.para("contest_intro"))
        for key in ("contest_review", "contest_hearing", "contest_deposit"):
            flowables.append(self.para(key, "bullet", bullet=True))
        return _section(flowables)

    def alternatives(self) -> list[Flowable]:
        offered = [
            (number, violation, keys)
            for number, violation in enumerate(self.context.violations, start=1)
            if (keys := self.offers(violation))
        ]
        if not offered:
            return []
        flowables = self.heading("heading_alternatives")
        flowables.append(self.para("alternatives_intro"))
        several = len(self.context.violations) > 1
        for number, violation, keys in offered:
            v = {**self.violation_variables(violation), "number": number}
            group: list[Flowable] = [self.para(key, "bullet", bullet=True, extra=v) for key in keys]
            if several:
                # "For TC 41.27(c), ...:" stays on the same page as its options.
                group.insert(0, self.para("alternatives_for", "label", extra=v))
                flowables.append(KeepTogether(group))
            else:
                flowables += group
        return _section(flowables)

    @staticmethod
    def offers(violation: NoticeViolation) -> list[str]:
        """The wording keys of the alternatives this violation offers, in print order."""
        keys: list[str] = []
        rule = violation.ability_to_pay_rule
        if rule == "reduced_payment" and violation.ability_to_pay_percent is not None:
            keys.append("ability_to_pay_reduced_payment")
        elif rule in ("waiver", "community_service"):
            keys.append(f"ability_to_pay_{rule}")
        if violation.community_service_rate:
            keys.append("community_service")
        if violation.programs:
            keys.append("programs")
        return keys

    @staticmethod
    def violation_variables(violation: NoticeViolation) -> dict[str, object]:
        v: dict[str, object] = {
            "violation": violation,
            "reduced_payment": None,
            "service_hours": None,
            "service_credit": None,
        }
        if violation.ability_to_pay_percent is not None:
            v["reduced_payment"] = share(violation.fine, violation.ability_to_pay_percent)
        rate = violation.community_service_rate
        if rate:
            hours = service_hours(violation.fine, rate, violation.community_service_max_hours)
            v["service_hours"] = hours
            v["service_credit"] = service_credit(hours, rate, violation.fine)
        return v

    def no_response(self) -> list[Flowable]:
        ctx = self.context
        flowables = self.heading("heading_no_response")
        flowables.append(self.para("no_response"))
        if ctx.late_penalty is None:
            # The law bars added fees for this citation (e.g. sidewalk vending).
            flowables.append(self.para("no_late_fees", "bullet", bullet=True))
        else:
            if ctx.late_penalty_on is not None:
                flowables.append(self.para("late_penalty", "bullet", bullet=True))
            if ctx.collection_fee is not None and ctx.collection_on is not None:
                flowables.append(self.para("collection_fee", "bullet", bullet=True))
        flowables.append(self.para("not_excused"))
        return _section(flowables)

    def help(self) -> list[Flowable]:
        ctx = self.context
        flowables = self.heading("heading_help")
        flowables.append(self.para("interpretation", "bullet", bullet=True))
        if ctx.requested_language:
            flowables.append(self.para("interpretation_requested", "bullet", bullet=True))
        if ctx.accommodation:
            flowables.append(self.para("accommodation", "bullet", bullet=True))
        flowables.append(self.para("accessible_formats", "bullet", bullet=True))
        return _section(flowables)


def _barcode(value: str, max_width: float) -> Flowable:
    """A Code128 barcode of the citation number, narrowed to fit `max_width`."""
    bar_width = 0.9
    barcode = Code128(value, barHeight=0.32 * inch, barWidth=bar_width, humanReadable=False)
    if barcode.width > max_width:
        bar_width *= max_width / barcode.width
        barcode = Code128(value, barHeight=0.32 * inch, barWidth=bar_width, humanReadable=False)
    barcode.hAlign = "LEFT"
    return barcode


def _locale_for(language: str, locale: str) -> str:
    """The babel locale for a second language on this notice: same territory if babel has it."""
    territory = Locale.parse(locale).territory
    for candidate in (f"{language}_{territory}", language):
        try:
            Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
        return candidate
    return locale
