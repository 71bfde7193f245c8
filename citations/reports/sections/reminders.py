"""Do reminders work? The reminders experiment, one block per experiment: which arms it has,
a plain sentence per main outcome (responded by the deadline, came to the hearing, ended in
collections) for each arm against the comparison arm, a chart of those shares by arm, the
table of every outcome by arm with the reminders each arm was sent, and the table of
differences with their 95% confidence intervals. Absent when no experiment runs or ran."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from citations.documents.layout import Cell
from citations.reports.charts import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    Series,
    bar_chart,
    percent,
    series_legend,
)
from citations.reports.evidence import MAIN, OUTCOMES, figure
from citations.reports.intervals import FEWEST
from citations.reports.layout import ReportLayout
from citations.reports.model import ArmDifference, ExperimentArm, ExperimentResult
from citations.reports.tables import Column, grid_table

ARM_COLOURS = (BLUE, GREEN, ORANGE, PURPLE, SKY)
"""The arms' bars in turn; the comparison arm's are grey."""
CHANNELS = ("text", "email", "letter")
ROWS: tuple[tuple[str, bool], ...] = (
    ("issued", False),
    ("past_deadline", False),
    ("responded", False),
    ("paid", True),
    ("contested", True),
    ("asked_for_help", True),
    ("had_hearing", False),
    ("came_to_hearing", True),
    ("defaulted", False),
    ("in_collections", False),
)
"""The rows of the arms' table, and whether each is indented under the row above."""


def whole_percent(share: Decimal) -> int:
    """A share as a whole percent, rounded half up, as the sentences print it.

    >>> whole_percent(Decimal("0.625")), whole_percent(Decimal("0.4849"))
    (63, 48)
    """
    return int((share * 100).quantize(Decimal(1), ROUND_HALF_UP))


def points(value: Decimal, places: int = 1) -> str:
    """A difference of shares (-1 to 1) in percentage points, signed, with a true minus.

    >>> points(Decimal("0.1412")), points(Decimal("-0.0525")), points(Decimal("0.00004"))
    ('+14.1', '−5.3', '0.0')
    >>> points(Decimal("-0.0925"), 0), points(Decimal("0.2101"), 0)
    ('−9', '+21')
    """
    step = Decimal(1).scaleb(-places)
    rounded = (value * 100).quantize(step, ROUND_HALF_UP)
    if rounded == 0:
        return f"{abs(rounded)}"
    return f"+{rounded}" if rounded > 0 else f"−{-rounded}"


def reminders(doc: ReportLayout) -> list[Flowable]:
    """The section: its heading and intro, then each experiment's block."""
    results = doc.report.experiments
    if not results:
        return []
    story: list[Flowable] = []
    for index, result in enumerate(results):
        head, rest = _block(doc, result)
        if index == 0:
            story += doc.start("heading_reminders", "reminders_intro", head)
        else:
            story.append(KeepTogether(head))
        story += rest
    return story


def _block(doc: ReportLayout, result: ExperimentResult) -> tuple[list[Flowable], list[Flowable]]:
    extra = {"result": result}
    heading = doc.para("subheading_experiment", "sub", extra=extra)
    arms_line = doc.para("experiment_arms", "body", extra=extra)
    if not any(arm.issued for arm in result.arms):
        return [heading, arms_line, doc.para("empty_experiment")], []
    base = next(arm for arm in result.arms if arm.arm == result.comparison)
    sentences = [
        doc.para("reminders_sentence", "body", bullet=True, extra=_sentence(doc, d, result, base))
        for d in result.differences
        if d.outcome in MAIN
    ]
    series = _series(doc, result)
    chart = bar_chart(
        [doc.plain("reminders_outcome", outcome=o) for o in MAIN],
        series,
        doc.width,
        percent,
        small=[[figure(arm, o).of < FEWEST for o in MAIN] for arm in result.arms],
        label_share=0.3,
    )
    few = any(figure(arm, o).of < FEWEST for arm in result.arms for o in MAIN)
    key = series_legend(series, doc.width, doc.plain("too_few_experiment") if few else None)
    head: list[Flowable] = [heading, arms_line, doc.para("heading_in_short", "sub"), *sentences]
    rest: list[Flowable] = [
        KeepTogether([Spacer(1, 6), key, Spacer(1, 2), chart]),
        doc.para("subheading_arms", "sub"),
        _arms_table(doc, result),
        *(
            [KeepTogether([doc.para("subheading_differences", "sub", extra=extra), table])]
            if (table := _differences_table(doc, result)) is not None
            else []
        ),
        Spacer(1, 3),
        doc.para("reminders_note", "note", extra=extra),
    ]
    return head, rest


def _who(doc: ReportLayout, arm: ExperimentArm) -> str:
    return doc.plain("arm_who", arm=arm.arm, reminders=arm.reminders)


def _sentence(
    doc: ReportLayout, difference: ArmDifference, result: ExperimentResult, base: ExperimentArm
) -> dict[str, object]:
    """What the sentence on one arm and one outcome needs, rounded as it prints."""
    arm = next(a for a in result.arms if a.arm == difference.arm)
    mine, theirs = figure(arm, difference.outcome), figure(base, difference.outcome)
    gap = difference.difference
    same = gap is None or abs(gap) < Decimal("0.005")
    return {
        "who": _who(doc, arm),
        "than": _who(doc, base),
        "outcome": difference.outcome,
        "share": None if mine.share is None else whole_percent(mine.share),
        "base": None if theirs.share is None else whole_percent(theirs.share),
        "direction": "same" if same else ("more" if gap and gap > 0 else "less"),
        "gap": None if gap is None else abs(whole_percent(gap)),
        "low": None if difference.low is None else points(difference.low, 0),
        "high": None if difference.high is None else points(difference.high, 0),
        "verdict": difference.verdict,
    }


def _series(doc: ReportLayout, result: ExperimentResult) -> list[Series]:
    series = []
    others = iter(ARM_COLOURS * 4)
    for arm in result.arms:
        colour: colors.Color = GREY if arm.arm == result.comparison else next(others)
        shares = [figure(arm, o).share for o in MAIN]
        series.append(
            Series(
                doc.plain("arm_name", arm=arm.arm, reminders=arm.reminders),
                [0.0 if s is None else 100 * float(s) for s in shares],
                [doc.rate(s) for s in shares],
                colour,
            )
        )
    return series


def _arms_table(doc: ReportLayout, result: ExperimentResult) -> Flowable:
    """Every outcome by arm: a count and a share (of the row's own denominator) per arm."""
    everyone = sum(arm.issued for arm in result.arms)
    rows: list[list[Cell]] = []
    for name, indented in ROWS:
        cells: list[Cell] = [
            doc.para("reminders_row", "td_indent" if indented else "td", extra={"row": name})
        ]
        for arm in result.arms:
            count, whole = _count(arm, name, everyone)
            share = None if not whole else Decimal(count) / Decimal(whole)
            cells += [
                doc.cell(doc.number(count), "td_right"),
                doc.cell(doc.rate(share), "td_right"),
            ]
        rows.append(cells)
    channels = [c for c in CHANNELS if any(k.key == c for arm in result.arms for k in arm.sent)]
    sent_row: list[Cell] = [doc.para("reminders_row", "td", extra={"row": "sent"})]
    for arm in result.arms:
        sent_row += [doc.cell(doc.number(sum(c.count for c in arm.sent)), "td_right"), _blank(doc)]
    rows.append(sent_row)
    for channel in channels:
        row: list[Cell] = [doc.para("reminders_channel", "td_indent", extra={"channel": channel})]
        for arm in result.arms:
            count = sum(c.count for c in arm.sent if c.key == channel)
            row += [doc.cell(doc.number(count), "td_right"), _blank(doc)]
        rows.append(row)
    number = 0.62 * inch
    header: list[Column] = [("col_reminders_outcome", False)]
    groups: list[tuple[str | Paragraph, int, int]] = []
    for index, arm in enumerate(result.arms):
        header += [("col_number", True), ("col_share", True)]
        title = doc.para(
            "arm_name", "th_centre", extra={"arm": arm.arm, "reminders": arm.reminders}
        )
        groups.append((title, 1 + 2 * index, 2 + 2 * index))
    widths = [number] * (2 * len(result.arms))
    return grid_table(doc, header, rows, [doc.width - sum(widths), *widths], groups=groups)


def _count(arm: ExperimentArm, row: str, everyone: int) -> tuple[int, int]:
    """A row's count for `arm`, and what its share is of."""
    if row == "issued":
        return arm.issued, everyone
    if row == "past_deadline":
        return arm.past_deadline, arm.issued
    if row == "had_hearing":
        return arm.had_hearing, arm.issued
    f = figure(arm, row)
    return f.count, f.of


def _blank(doc: ReportLayout) -> Cell:
    return doc.cell("", "td_right")


def _differences_table(doc: ReportLayout, result: ExperimentResult) -> Flowable | None:
    """Each arm against the comparison arm, for every outcome: the difference in points,
    its 95% interval, and whether it is clear (grey when too few to compare); None with a
    single arm."""
    compared = [arm for arm in result.arms if arm.arm != result.comparison]
    if not compared or not result.differences:
        return None
    rows: list[list[Cell]] = []
    for outcome in OUTCOMES:
        cells: list[Cell] = [doc.para("reminders_outcome", "td", extra={"outcome": outcome})]
        for arm in compared:
            d = next(d for d in result.differences if d.arm == arm.arm and d.outcome == outcome)
            style = "td_right_grey" if d.verdict == "too_few" else "td_right"
            if d.verdict == "clear":
                style = "td_right_bold"
            cells += [
                doc.cell(
                    doc.plain("none") if d.difference is None else points(d.difference), style
                ),
                doc.cell(
                    doc.plain("none")
                    if d.low is None or d.high is None
                    else doc.plain("interval", low=points(d.low), high=points(d.high)),
                    style,
                ),
                doc.para("verdict", style, extra={"verdict": d.verdict}),
            ]
        rows.append(cells)
    header: list[Column] = [("col_reminders_outcome", False)]
    groups: list[tuple[str | Paragraph, int, int]] = []
    for index, arm in enumerate(compared):
        header += [("col_difference", True), ("col_interval", True), ("col_verdict", True)]
        title = doc.para(
            "arm_against", "th_centre", extra={"arm": arm.arm, "comparison": result.comparison}
        )
        groups.append((title, 1 + 3 * index, 3 + 3 * index))
    widths = [0.78 * inch, 1.12 * inch, 0.6 * inch] * len(compared)
    return grid_table(doc, header, rows, [doc.width - sum(widths), *widths], groups=groups)
