"""The written decision on a review or a hearing: outcome, what is owed and the next deadline
first, then the findings exactly as written, the amounts, any payment schedule and the rights."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Paragraph, Spacer, Table

from citations.documents.access import qr_payload
from citations.documents.layout import INK, SHADE, context_variables, section
from citations.hearings.documents import OrderContext
from citations.hearings.pdf_layout import HearingDocument

ORDER = "order"
"""The wording folder under the templates folder."""


class OrderLayout(HearingDocument):
    """The decision order on a review or a hearing, US Letter portrait."""

    def __init__(self, context: OrderContext, templates_dir: Path) -> None:
        variables = context_variables(context, context.contact)
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
        ctx = self.context
        story: list[Flowable] = [
            self.top(),
            Spacer(1, 8),
            self.letter_header("decided", qr=qr_payload(ctx.access, ctx.contact.website)),
        ]
        story += self.decision()
        story += self.findings()
        story += self.amounts()
        story += self.schedule()
        # The signature closes the decision itself; what follows tells the person what to do.
        story += self.signature()
        story += self.what_next()
        story += self.payment()
        story += self.help()
        return self.with_language_lines(story, self.context.contact)

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
