"""The docket sheet for the hearing room: the session's facts, the interpreters needed, and one
row per hearing with room for the hearing officer's handwritten outcome."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer, Table

from citations.calendar import in_zone, local_at, zone_named
from citations.documents.layout import INK, RULE, SHADE, context_variables, table
from citations.hearings.documents import DocketEntry, DocketSheetContext
from citations.hearings.pdf_layout import Cell, HearingDocument, where_rows

DOCKET = "docket"
"""The wording folder under the templates folder."""

FOR_NOTES = colors.HexColor("#fbfbf7")
"""The outcome column's background: paper for the hearing officer's notes."""


class DocketLayout(HearingDocument):
    """One session's docket sheet, US Letter landscape, in the jurisdiction's language."""

    def __init__(self, context: DocketSheetContext, templates_dir: Path) -> None:
        self.zone = zone_named(context.time_zone)
        variables = context_variables(context)
        variables["session_at"] = local_at(context.session_date, context.start_time, self.zone)
        variables["printed_at"] = in_zone(context.printed_at, self.zone)
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
        rows += where_rows(ctx.place, ctx.remote_link)
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
            else local_at(self.context.session_date, entry.slot_time, self.zone)
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
