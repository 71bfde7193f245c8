"""Groups too small to compare: every rate the report prints per group (repeat rates within 6
and within 12 months, an area's or a language's rates, a hearing officer's outcomes) is grey
in its table and pale in its chart when its own denominator is under `SMALL_GROUP`, and only
then. The 12-month repeat rate counts fewer people than the 6-month one, so it can be too
small where the 6-month rate is not."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from reportlab.lib import colors
from reportlab.platypus import Flowable

from citations.documents.layout import NAVY
from citations.reports.charts import GREEN, MUTED, ORANGE, SKY, VERMILLION
from citations.reports.figures import SMALL_GROUP
from citations.reports.layout import ReportLayout
from citations.reports.model import HearingOutcome, RepeatRate
from citations.reports.sections.equity import who_bears_the_burden
from citations.reports.sections.hearings import hearings
from citations.reports.sections.repeats import repeat_citations
from tests.report_drawn import drawings, flat, layout, row_of, shapes, style_of, tables, text_of
from tests.test_report_render import equity, make_report

Q = Decimal("0.0001")
Section = Callable[[ReportLayout], list[Flowable]]


def rate(code: str, people: int, again: int, people_12: int, again_12: int) -> RepeatRate:
    return RepeatRate(
        ordinance=code,
        title=f"Ordinance {code}",
        people=people,
        people_12_months=people_12,
        again_6_months=again,
        again_12_months=again_12,
        rate_6_months=(Decimal(again) / people).quantize(Q),
        rate_12_months=(Decimal(again_12) / people_12).quantize(Q),
    )


def grey(cell: object) -> bool:
    return style_of(cell).endswith("_grey")


@pytest.mark.parametrize(
    ("section", "counted"),
    [(repeat_citations, "people"), (who_bears_the_burden, "citations"), (hearings, "contests")],
)
def test_each_note_prints_the_one_threshold(section: Section, counted: str) -> None:
    """The notes print `SMALL_GROUP` (no second copy of it in the wording)."""
    text = " ".join(text_of(item) for item in flat(section(layout(make_report()))))
    assert f"fewer than {SMALL_GROUP} {counted}" in text.lower()
    assert SMALL_GROUP == 20  # the groups of 10 to 19 below are under it


@pytest.mark.parametrize("people_12", range(SMALL_GROUP - 10, SMALL_GROUP + 2))
def test_each_repeat_rate_is_grey_by_its_own_people(people_12: int) -> None:
    """45 people had 6 months to be cited again, `people_12` of them 12 months."""
    report = make_report(repeat_rates=[rate("R 1", 45, 9, people_12, 5)])
    table = tables(repeat_citations(layout(report)))[-1]
    row = row_of(table, "R 1")
    small = people_12 < SMALL_GROUP
    assert [grey(cell) for cell in row[2:5]] == [False] * 3  # people, again, rate: 6 months
    assert [grey(cell) for cell in row[5:8]] == [small] * 3  # the same within 12 months
    assert [grey(cell) for cell in row[:2]] == [False, False]  # the 6-month rate stands


def test_a_row_whose_every_rate_is_small_is_grey_throughout() -> None:
    report = make_report(repeat_rates=[rate("R 2", 15, 4, 10, 3), rate("R 3", 60, 6, 30, 12)])
    table = tables(repeat_citations(layout(report)))[-1]
    assert all(grey(cell) for cell in row_of(table, "R 2"))
    assert not any(grey(cell) for cell in row_of(table, "R 3"))


def test_the_repeat_chart_pales_exactly_the_small_rates() -> None:
    report = make_report(
        repeat_rates=[
            rate("R 1", 45, 9, 12, 5),  # 20.0%, and 41.7% of 12 people
            rate("R 2", 15, 4, 10, 3),  # 26.7% of 15, 30.0% of 10
            rate("R 3", 60, 6, 30, 12),  # 10.0%, 40.0%
            rate("R 4", 20, 7, 19, 8),  # 35.0% of exactly 20, 42.1% of 19
        ]
    )
    drawn = shapes(drawings(repeat_citations(layout(report)))[-1])
    for label in ("41.7%", "26.7%", "30.0%", "42.1%"):
        assert drawn.colour_of(label) == MUTED, label
    for label in ("20.0%", "10.0%", "40.0%", "35.0%"):
        assert drawn.colour_of(label) != MUTED, label
    bars = [r for r in drawn.rects if r.fillColor is not None and r.width > 0]
    strong = [r for r in bars if r.fillColor in (SKY, NAVY)]
    assert len(bars) == 8 and len(strong) == 4  # the four small rates are drawn pale
    key = shapes(drawings(repeat_citations(layout(report)))[0])
    assert f"Fewer than {SMALL_GROUP} people: too few to compare" in key.texts()


@pytest.mark.parametrize("issued", [10, 15, 19, 20])
def test_an_areas_rates_are_grey_and_pale_under_the_threshold(issued: int) -> None:
    rows = [equity("area", "Harbor", 120, 0.2), equity("area", "Pier", issued, 0.3)]
    report = make_report(equity=rows)
    flowables = who_bears_the_burden(layout(report))
    table = tables(flowables)[0]
    small = issued < SMALL_GROUP
    assert [grey(cell) for cell in row_of(table, "Pier")] == [small] * 8
    assert not any(grey(cell) for cell in row_of(table, "Harbor"))
    chart = next(d for d in drawings(flowables) if "Pier" in shapes(d).texts())
    drawn = shapes(chart)
    assert drawn.colour_of("Pier") == (MUTED if small else drawn.colour_of("Harbor"))
    strong = [r for r in drawn.rects if r.fillColor in (ORANGE, VERMILLION, GREEN)]
    assert len(strong) == (3 if small else 6)


def officer(name: str, upheld: int, reduced: int, dismissed: int) -> HearingOutcome:
    return HearingOutcome(
        tier="hearing",
        hearing_officer=name,
        upheld=upheld,
        dismissed=dismissed,
        reduced=reduced,
        default=0,
    )


@pytest.mark.parametrize("decided", [10, 19, 20])
def test_a_hearing_officers_outcomes_are_grey_under_the_threshold(decided: int) -> None:
    few = officer("Few (synthetic)", decided - 4, 2, 2)
    many = officer("Many (synthetic)", 24, 10, 6)
    report = make_report(hearing_outcomes=[few, many])
    flowables = hearings(layout(report))
    table = tables(flowables)[-1]
    small = decided < SMALL_GROUP
    assert [grey(cell) for cell in row_of(table, "Few (synthetic)")] == [small] * 7
    assert not any(grey(cell) for cell in row_of(table, "Many (synthetic)"))
    # The tier's total (the two officers together) is large enough.
    assert not any(grey(cell) for cell in row_of(table, "Administrative hearing"))
    drawn = shapes(next(d for d in drawings(flowables) if "Hearing: all" in shapes(d).texts()))
    few_name = next(s for s in drawn.strings if s.text == "Hearing: Few (synthetic)")
    assert (few_name.fillColor == MUTED) == small
    pale = [r for r in drawn.rects if r.fillColor not in (None, colors.white, *BAR_COLOURS)]
    assert (len(pale) > 0) == small


BAR_COLOURS = (NAVY, SKY, GREEN, ORANGE)
