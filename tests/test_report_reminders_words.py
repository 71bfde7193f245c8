"""The reminders experiment's statistics and words: the confidence interval against Newcombe's
published examples, the verdict's thresholds, the plain sentences (clear, not clear yet, too
few), and the section in the PDF (present with an experiment, absent without)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from citations.reports.evidence import OUTCOMES
from citations.reports.intervals import FEWEST, Verdict, compare, newcombe, wilson
from citations.reports.model import (
    ArmDifference,
    ArmFigure,
    Count,
    ExperimentArm,
    ExperimentResult,
    ProgramReport,
)
from citations.reports.render import render_report
from citations.reports.sections.reminders import reminders
from tests.pdfs import pdf_text
from tests.report_drawn import flat, layout, tables, text_of

# Newcombe (1998), "Interval estimation for the difference between independent proportions:
# comparison of eleven methods", Statistics in Medicine 17: 873-890, Table II, method 10
# (the hybrid score interval), contrasts (a) to (h).
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]
# Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
# seven methods", Statistics in Medicine 17: 857-872, Table I, the score method (3).
NEWCOMBE_WILSON = [
    ((81, 263), (0.2553, 0.3662)),
    ((15, 148), (0.0624, 0.1605)),
    ((0, 20), (0.0, 0.1611)),
    ((1, 29), (0.0061, 0.1718)),
]


@pytest.mark.parametrize(("counts", "interval"), NEWCOMBE_TABLE_II)
def test_the_interval_is_newcombes_hybrid_score_interval(
    counts: tuple[int, int, int, int], interval: tuple[float, float]
) -> None:
    x1, n1, x2, n2 = counts
    difference, low, high = newcombe(x1, n1, x2, n2)
    assert difference == pytest.approx(x1 / n1 - x2 / n2)
    assert (round(low, 4), round(high, 4)) == interval


@pytest.mark.parametrize(("counts", "interval"), NEWCOMBE_WILSON)
def test_each_share_has_its_wilson_interval(
    counts: tuple[int, int], interval: tuple[float, float]
) -> None:
    low, high = wilson(*counts)
    assert (round(low, 4), round(high, 4)) == interval


def test_the_interval_turns_round_when_the_arms_swap() -> None:
    _, low, high = newcombe(56, 70, 48, 80)
    _, swapped_low, swapped_high = newcombe(48, 80, 56, 70)
    assert (swapped_low, swapped_high) == pytest.approx((-high, -low))


def test_the_verdict() -> None:
    clear = compare(630, 1000, 480, 1000)  # Tulsa's shares, over 1,000 a side
    assert clear.verdict is Verdict.CLEAR
    assert (clear.difference, clear.low, clear.high) == (
        Decimal("0.1500"),
        Decimal("0.1066"),
        Decimal("0.1926"),
    )
    assert compare(480, 1000, 630, 1000).verdict is Verdict.CLEAR  # clearly lower
    assert compare(52, 100, 48, 100).verdict is Verdict.NOT_CLEAR
    # Too few: under 30 in either arm, even with a large gap; exactly 30 is enough.
    assert compare(29, FEWEST - 1, 0, 500).verdict is Verdict.TOO_FEW
    assert compare(30, FEWEST, 0, 500).verdict is Verdict.CLEAR
    empty = compare(0, 0, 3, 40)
    assert (empty.difference, empty.low, empty.verdict) == (None, None, Verdict.TOO_FEW)
    with pytest.raises(ValueError, match="5 successes out of 4 trials"):
        wilson(5, 4)


# The words


def arm(
    name: str, reminders: bool | None, counts: dict[str, tuple[int, int]], sent: int = 0
) -> ExperimentArm:
    issued = counts["in_collections"][1]
    return ExperimentArm(
        arm=name,
        share=None if reminders is None else 50,
        reminders=reminders,
        wording="standard" if reminders else None,
        issued=issued,
        past_deadline=counts["responded"][1],
        had_hearing=counts["came_to_hearing"][1],
        figures=[
            ArmFigure(
                outcome=o,
                count=x,
                of=n,
                share=(Decimal(x) / n).quantize(Decimal("0.0001")) if n else None,
            )
            for o, (x, n) in ((o, counts.get(o, (0, issued))) for o in OUTCOMES)
        ],
        sent=[Count(key="text", label="text", count=sent)] if sent else [],
    )


def experiment(*arms: ExperimentArm) -> ExperimentResult:
    base = arms[0]
    differences = []
    for other in arms[1:]:
        for outcome in OUTCOMES:
            mine = next(f for f in other.figures if f.outcome == outcome)
            theirs = next(f for f in base.figures if f.outcome == outcome)
            c = compare(mine.count, mine.of, theirs.count, theirs.of)
            differences.append(
                ArmDifference(
                    arm=other.arm,
                    outcome=outcome,
                    difference=c.difference,
                    low=c.low,
                    high=c.high,
                    verdict=c.verdict.value,
                )
            )
    return ExperimentResult(
        experiment="reminders-2026",
        starts=date(2026, 1, 1),
        ends=None,
        comparison=base.arm,
        arms=list(arms),
        differences=differences,
    )


NONE = arm(
    "none",
    False,
    {
        "responded": (240, 500),  # 48%
        "came_to_hearing": (40, 50),  # 80%
        "in_collections": (60, 520),  # 11.5%
    },
)
STANDARD = arm(
    "standard",
    True,
    {
        "responded": (630, 1000),  # 63%
        "came_to_hearing": (86, 100),  # 86%: not clear yet
        "in_collections": (70, 1040),  # 6.7%
    },
    sent=1800,
)
PLAIN = arm(
    "plain",
    True,
    {
        "responded": (20, 25),  # too few
        "came_to_hearing": (2, 3),
        "in_collections": (1, 26),
    },
    sent=40,
)


NOTHING = {"responded": (0, 0), "came_to_hearing": (0, 0), "in_collections": (0, 0)}
EMPTY = experiment(arm("none", False, NOTHING), arm("texts", True, NOTHING))
"""An experiment in which no citation of the period is yet."""
SAMPLE_EXPERIMENTS = [experiment(NONE, STANDARD, PLAIN), EMPTY]
"""Every kind of block the section prints (tests/test_report_render.py renders them to see
that every wording key is used)."""


def make_report(**changes: Any) -> ProgramReport:
    from tests.test_report_render import make_report as report  # it imports this module

    return report(**changes)


def sentences(report: ProgramReport) -> list[str]:
    story = reminders(layout(report))
    return [
        text_of(item) for item in flat(story) if text_of(item).startswith(("People", "Whether"))
    ]


def test_a_sentence_per_arm_and_main_outcome() -> None:
    said = sentences(make_report(experiments=[experiment(NONE, STANDARD, PLAIN)]))
    assert said == [
        "People reminded (arm “standard”) responded by their deadline more often than people"
        " sent no reminders (arm “none”): 63% against 48%, 15 points more (95% CI +10 to +20"
        " points). The difference is clear.",
        "People reminded (arm “standard”) came to their hearing more often than people sent no"
        " reminders (arm “none”): 86% against 80%, 6 points more (95% CI −6 to +20 points)."
        " The difference is not clear yet: the interval includes zero.",
        "People reminded (arm “standard”) ended in collections less often than people sent no"
        " reminders (arm “none”): 7% against 12%, 5 points fewer (95% CI −8 to −2 points)."
        " The difference is clear.",
        "Whether people reminded (arm “plain”) responded by their deadline more or less"
        " often than people sent no reminders (arm “none”): too few citations yet to compare"
        " (fewer than 30 in an arm).",
        "Whether people reminded (arm “plain”) came to their hearing more or less often than"
        " people sent no reminders (arm “none”): too few citations yet to compare (fewer than 30 in"
        " an arm).",
        "Whether people reminded (arm “plain”) ended in collections more or less often than"
        " people sent no reminders (arm “none”): too few citations yet to compare (fewer than 30 in"
        " an arm).",
    ]


def test_the_same_share_reads_as_often() -> None:
    same = arm(
        "standard",
        True,
        {"responded": (240, 500), "came_to_hearing": (40, 50), "in_collections": (60, 520)},
    )
    said = sentences(make_report(experiments=[experiment(NONE, same)]))
    assert said[0].startswith(
        "People reminded (arm “standard”) responded by their deadline as often as people sent"
        " no reminders (arm “none”): 48% against 48% (95% CI"
    )
    assert said[0].endswith("The difference is not clear yet: the interval includes zero.")


def test_the_tables_show_every_outcome_and_the_reminders_sent() -> None:
    story = reminders(layout(make_report(experiments=[experiment(NONE, STANDARD, PLAIN)])))
    arms_table, differences = tables(story)[-2:]
    rows = [[text_of(cell) for cell in row] for row in vars(arms_table)["_cellvalues"]]
    assert rows[0][1:] == ["none (no reminders)", "", "standard", "", "plain", ""]
    by_name = {row[0]: row[1:] for row in rows[2:]}
    assert by_name["Responded by the deadline"] == ["240", "48.0%", "630", "63.0%", "20", "80.0%"]
    assert by_name["Reminders sent"] == ["0", "", "1,800", "", "40", ""]
    assert by_name["by text"] == ["0", "", "1,800", "", "40", ""]
    cells = [[text_of(cell) for cell in row] for row in vars(differences)["_cellvalues"]]
    assert cells[0][1:4] == ["standard against none", "", ""]
    responded = next(row for row in cells if row[0] == "Responded by the deadline")
    assert responded[1:] == ["+15.0", "+9.7 to +20.3", "Yes", "+32.0", "+12.4 to +44.0", "Too few"]


def test_the_pdf_has_the_section_and_an_empty_experiment_says_so() -> None:
    text = pdf_text(render_report(make_report(experiments=[experiment(NONE, STANDARD, PLAIN)])))
    assert "Do reminders work?" in text
    assert "Experiment “reminders-2026”: citations issued from January 1, 2026" in text
    assert "whether reminders work" in text  # the cover's list of contents
    assert "63% against 48%, 15 points more" in text
    text = pdf_text(render_report(make_report(experiments=[EMPTY])))
    assert "No citation issued in this period is part of the experiment yet." in text


def test_without_an_experiment_there_is_no_section() -> None:
    text = pdf_text(render_report(make_report()))
    assert "Do reminders work?" not in text and "whether reminders work" not in text
