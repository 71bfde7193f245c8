"""The notice of a hearing (or of its new date): when and where first, then what to bring,
the help offered, how to reschedule and what happens if the person does not come."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from citations.calendar import in_zone, local_at, zone_named
from citations.documents.access import qr_payload
from citations.documents.layout import (
    AMENDED,
    AMENDED_FILL,
    DEADLINE_FILL,
    box,
    context_variables,
    section,
)
from citations.hearings.documents import HearingNoticeContext
from citations.hearings.pdf_layout import HearingDocument, where_rows

HEARING_NOTICE = "hearing-notice"
"""The wording folder under the templates folder."""


class HearingNoticeLayout(HearingDocument):
    """The hearing notice, US Letter portrait; a rescheduled hearing is marked so."""

    def __init__(self, context: HearingNoticeContext, templates_dir: Path) -> None:
        zone = zone_named(context.time_zone)
        variables = context_variables(context, context.contact)
        variables["hearing_at"] = local_at(context.hearing_date, context.start_time, zone)
        variables["rescheduled_from"] = in_zone(context.rescheduled_from, zone)
        super().__init__(templates_dir, HEARING_NOTICE, context.language, variables)
        self.context = context

    def story(self) -> list[Flowable]:
        ctx = self.context
        story: list[Flowable] = [
            self.when_box(),
            Spacer(1, 8),
            self.letter_header("sent", qr=qr_payload(ctx.access, ctx.contact.website)),
        ]
        story += self.details()
        story += self.about()
        story += self.bring()
        story += self.help()
        story += self.reschedule()
        story += self.no_show()
        story += self.questions()
        return self.with_language_lines(story, self.context.contact)

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
        rows += where_rows(ctx.place, ctx.remote_link)
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
