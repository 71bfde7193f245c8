"""The program report's figures, section by section, for a program known by hand (both
backends).

The program is tests/report_program.py: eighteen citations from August to November 2026.
Every expected figure below is worked out from its stories, in the comments beside it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from citations.database import transaction
from citations.errors import PermissionDenied
from citations.record.ledger import balance
from citations.record.tables import Citation
from citations.reports.compute import compute_report
from citations.reports.model import (
    Count,
    EquityRow,
    HearingOutcome,
    Money,
    ProgramReport,
    ReasonCount,
    RepeatRate,
)
from citations.roles import Actor, Role
from tests.conftest import NOW
from tests.factories import message, prepare, send, subject
from tests.report_program import (
    DOG,
    DRINKING,
    END,
    START,
    Program,
    program,
)

ATTORNEY = Actor("attorney Kim", Role.ATTORNEY)
D = Decimal

__all__ = ["program"]  # a fixture, used by name


def report_of(
    engine: Engine, start: date = START, end: date = END, areas: list[str] | None = None
) -> ProgramReport:
    with transaction(engine) as session:
        return compute_report(session, start, end, areas=areas or [], actor=ATTORNEY, now=NOW)


@pytest.fixture(scope="module")
def report(program: Program) -> ProgramReport:
    return report_of(program.engine)


def counts(rows: list[Count]) -> list[tuple[str, str, int]]:
    return [(c.key, c.label, c.count) for c in rows]


def test_the_period_and_the_jurisdiction(report: ProgramReport) -> None:
    assert (report.start, report.end, report.areas) == (START, END, [])
    assert (report.jurisdiction_name, report.currency, report.locale) == (
        "Test City",
        "USD",
        "en_US",
    )
    assert report.generated_at == NOW


def test_issued_referred_declined_and_warnings(report: ProgramReport) -> None:
    # 18 citations; referred: the biter (screening), the owner's third (priors), the
    # 14-year-old (age), the blocker (criminal only); one declined; one warning.
    assert (
        report.issued_total,
        report.referred_total,
        report.declined_total,
        report.warnings_total,
    ) == (18, 4, 1, 1)


def test_issued_by_ordinance_month_and_area(report: ProgramReport) -> None:
    assert counts(report.issued_by_ordinance) == [
        (DRINKING, "Drinking in public", 16),
        (DOG, "Dog off leash", 2),
    ]
    assert counts(report.issued_by_month) == [
        ("2026-08", "Aug 2026", 1),
        ("2026-10", "Oct 2026", 2),
        ("2026-11", "Nov 2026", 15),
    ]
    assert counts(report.issued_by_area) == [
        ("Central", "Central", 16),
        ("Westlake", "Westlake", 2),
    ]


def test_referral_and_declined_reasons(report: ProgramReport) -> None:
    # One of each kind: equal counts are listed by kind, on every backend.
    assert report.referral_reasons == [
        ReasonCount(
            kind="criminal_only",
            count=1,
            examples=[
                "TC 41.18(d) is criminal only: no civil citation may be issued "
                "(Test City Code 41.18(d) is a misdemeanor only)"
            ],
        ),
        ReasonCount(
            kind="screening",
            count=1,
            examples=["TC 53.06: Did the dog bite anyone? The officer answered yes."],
        ),
        ReasonCount(
            kind="too_many_priors",
            count=1,
            examples=["2 prior citations within 12 months exceed the limit of 1 for TC 53.06"],
        ),
        ReasonCount(
            kind="under_age",
            count=1,
            examples=["the subject is 14, under the minimum age of 16 for TC 53.06"],
        ),
    ]
    assert report.declined_reasons == [
        ReasonCount(
            kind="declined",
            count=1,
            examples=["officer declined to cite: Warned; poured the beer out."],
        )
    ]


def test_outcomes_and_their_shares(report: ProgramReport) -> None:
    outcomes = [(o.outcome, o.count, o.share) for o in report.outcomes]
    assert outcomes == [
        ("paid", 4, D("0.2222")),  # both dog citations, paid, west-paid
        ("dismissed", 3, D("0.1667")),  # by review, by hearing, after the set-aside
        ("delinquent", 2, D("0.1111")),  # late, west-late
        ("open", 2, D("0.1111")),  # upheld by default and unpaid; still in review
        ("diverted", 1, D("0.0556")),
        ("in_collections", 1, D("0.0556")),
        ("paid_by_plan", 1, D("0.0556")),
        ("paid_reduced_for_inability", 1, D("0.0556")),  # 40.00 after the CalFresh relief
        ("reduced", 1, D("0.0556")),  # 200.00 to 100.00 at the hearing, paid by the deposit
        ("served", 1, D("0.0556")),
        ("voided", 1, D("0.0556")),
    ]
    assert sum(o.count for o in report.outcomes) == report.issued_total


def test_days_to_resolution(report: ProgramReport, program: Program) -> None:
    # Closed: voided 1, dog 2 and 5, paid 5, ability 7, service 8, west-paid 10, review
    # dismissed 11, diversion 19, reduced 26, hearing dismissed 27, plan 30, set aside and
    # dismissed 39: thirteen. Median the 7th (10); 90th percentile at rank 10.8 of 0..12,
    # between 27 and 30: 27 + 0.8 x 3 = 29.4.
    assert report.resolved_count == 13
    assert (report.days_to_resolution_median, report.days_to_resolution_p90) == (
        D("10.0"),
        D("29.4"),
    )
    # October alone: the dog citations, closed in 2 and 5 days. The median lies between
    # them (3.5); the 90th percentile is 2 + 0.9 x 3 = 4.7.
    october = report_of(program.engine, date(2026, 10, 1), date(2026, 10, 31))
    assert october.resolved_count == 2
    assert (october.days_to_resolution_median, october.days_to_resolution_p90) == (
        D("3.5"),
        D("4.7"),
    )


def test_money(report: ProgramReport, program: Program) -> None:
    assert report.money == Money(
        # 16 x 200.00 + 100.00 + 200.00 in fines, 3 late penalties of 50.00, 1 fee of 50.00
        assessed=D("3700.00"),
        # payments 100 + 200 + 200 + 200 + 200 (plan) + 40 (ability), deposits 2 x 200,
        # less the refunds after the reduction (100) and the dismissal (200)
        collected=D("1040.00"),
        waived=D("160.00"),  # the ability-to-pay adjustment: 200.00 less the 40.00 owed
        # the reduction (100), four dismissals (diversion, review, hearing, set-aside) and
        # the void, 200 each
        reduced=D("1100.00"),
        converted_to_service=D("200.00"),
        # what is owed: default 200, in review 200, late 250, west-late 250, collections 300
        outstanding=D("1200.00"),
    )
    with transaction(program.engine) as session:
        citations = session.scalars(
            select(Citation).where(Citation.violation_date.between(START, END))
        ).all()
        owed = sum((balance(session, c) for c in citations), D(0))
    assert owed == report.money.outstanding


def test_service_hours(report: ProgramReport) -> None:
    assert report.service_hours_completed == D("10.00")


def test_hearing_outcomes_by_tier_and_officer(report: ProgramReport) -> None:
    def row(tier: str, officer: str | None, **figures: int) -> HearingOutcome:
        zero = {"upheld": 0, "dismissed": 0, "reduced": 0, "default": 0}
        return HearingOutcome(tier=tier, hearing_officer=officer, **(zero | figures))

    assert report.hearing_outcomes == [
        # The default that was set aside is not an outcome: its case was dismissed later.
        row("hearing", None, dismissed=2, reduced=1, default=1),
        row("review", None, upheld=4, dismissed=1),
        row("hearing", "Judge One", dismissed=1, reduced=1),
        row("hearing", "Judge Two", dismissed=1, default=1),
    ]


def test_no_repeat_rates_before_any_window_has_passed(report: ProgramReport) -> None:
    assert report.repeat_rates == []


def test_repeat_rates_once_windows_have_passed(program: Program) -> None:
    """To the end of April 2027, three windows of 6 months have passed: the August citation
    (never cited again) and both dog citations, of one person cited again 14 days later."""
    later = report_of(program.engine, START, date(2027, 4, 30))
    assert later.repeat_rates == [
        RepeatRate(
            ordinance=DRINKING,
            title="Drinking in public",
            people=1,
            people_12_months=0,
            again_6_months=0,
            again_12_months=0,
            rate_6_months=D(0),
            rate_12_months=D(0),
        ),
        RepeatRate(
            ordinance=DOG,
            title="Dog off leash",
            people=1,
            people_12_months=0,
            again_6_months=1,
            again_12_months=0,
            rate_6_months=D(1),
            rate_12_months=D(0),
        ),
    ]


def equity(dimension: str, value: str, *figures: int) -> EquityRow:
    issued, delinquent, collections, alternatives = figures

    def rate(part: int) -> Decimal:
        return (D(part) / D(issued)).quantize(D("0.0001"))

    return EquityRow(
        dimension=dimension,
        value=value,
        issued=issued,
        delinquent=delinquent,
        in_collections=collections,
        alternatives=alternatives,
        delinquency_rate=rate(delinquent + collections),
        collections_rate=rate(collections),
        alternatives_rate=rate(alternatives),
    )


def test_equity_by_area_and_language(report: ProgramReport) -> None:
    # Alternatives: the plan (paid off), the ability-to-pay relief, service and diversion.
    assert report.equity == [
        equity("area", "Central", 16, 1, 1, 4),
        equity("area", "Westlake", 2, 1, 0, 0),
        equity("language", "en", 3, 1, 0, 1),  # plan, west-paid, west-late
        equity("language", "es", 15, 1, 1, 3),
    ]
    rates = {(e.dimension, e.value): e.delinquency_rate for e in report.equity}
    assert rates == {
        ("area", "Central"): D("0.1250"),
        ("area", "Westlake"): D("0.5000"),
        ("language", "en"): D("0.3333"),
        ("language", "es"): D("0.1333"),
    }


def test_limited_to_an_area(program: Program) -> None:
    west = report_of(program.engine, areas=["Westlake"])
    assert west.areas == ["Westlake"]
    assert (west.issued_total, west.referred_total, west.declined_total, west.warnings_total) == (
        2,
        1,
        0,
        0,
    )
    assert [r.kind for r in west.referral_reasons] == ["criminal_only"]
    assert counts(west.issued_by_area) == [("Westlake", "Westlake", 2)]
    assert counts(west.issued_by_ordinance) == [(DRINKING, "Drinking in public", 2)]
    assert [(o.outcome, o.count, o.share) for o in west.outcomes] == [
        ("delinquent", 1, D("0.5000")),
        ("paid", 1, D("0.5000")),
    ]
    assert (west.resolved_count, west.days_to_resolution_median, west.days_to_resolution_p90) == (
        1,
        D("10.0"),
        D("10.0"),
    )
    assert west.money == Money(
        assessed=D("450.00"),
        collected=D("200.00"),
        waived=D("0.00"),
        reduced=D("0.00"),
        converted_to_service=D("0.00"),
        outstanding=D("250.00"),
    )
    assert west.service_hours_completed == D("0.00")
    assert west.hearing_outcomes == []
    assert west.equity == [
        equity("area", "Westlake", 2, 1, 0, 0),
        equity("language", "en", 2, 1, 0, 0),
    ]
    both = report_of(program.engine, areas=["Westlake", "Central"])
    assert both.issued_total == 18 and both.money.assessed == D("3700.00")


def test_an_empty_period(program: Program) -> None:
    empty = report_of(program.engine, date(2025, 1, 1), date(2025, 12, 31))
    assert (empty.issued_total, empty.referred_total, empty.declined_total) == (0, 0, 0)
    assert empty.warnings_total == 0
    for section in (
        "issued_by_ordinance",
        "issued_by_month",
        "issued_by_area",
        "referral_reasons",
        "declined_reasons",
        "outcomes",
        "hearing_outcomes",
        "repeat_rates",
        "equity",
    ):
        assert getattr(empty, section) == [], section
    assert (
        empty.resolved_count,
        empty.days_to_resolution_median,
        empty.days_to_resolution_p90,
    ) == (
        0,
        None,
        None,
    )
    assert set(empty.money.model_dump().values()) == {D("0.00")}
    assert empty.service_hours_completed == D("0.00")


def test_no_citation_is_loaded_into_python(program: Program) -> None:
    """Every figure is an aggregate in the database: computing the report loads no citation."""
    loaded: list[Any] = []

    def on_load(target: Any, context: Any) -> None:
        loaded.append(target)

    event.listen(Citation, "load", on_load)
    try:
        report_of(program.engine)
        assert loaded == []
        with transaction(program.engine) as session:  # the listener does hear a load
            session.scalars(select(Citation).limit(1)).one()
        assert len(loaded) == 1
    finally:
        event.remove(Citation, "load", on_load)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.CLERK, Role.HEARING_OFFICER])
def test_only_attorneys_admins_and_auditors_read_it(program: Program, role: Role) -> None:
    with transaction(program.engine) as session:
        for allowed in (Role.ATTORNEY, Role.ADMIN, Role.AUDITOR):
            compute_report(session, START, END, actor=Actor("someone", allowed), now=NOW)
        with pytest.raises(PermissionDenied):
            compute_report(session, START, END, actor=Actor("someone", role, "DCPD"), now=NOW)


def test_a_repealed_ordinance_keeps_its_title(engine: Engine) -> None:
    """Park after hours was repealed on 2025-01-01; its 2024 citations still read by title."""
    prepare(engine)
    body = message(
        violation_at="2024-06-01T10:00:00-08:00",
        subject=subject(identifiers=[]),
        violations=[{"ordinance": "TC 63.44", "narrative": "In the park at midnight."}],
    )
    assert send(engine, body).result.citation_number is not None
    later = report_of(engine, date(2024, 1, 1), date(2026, 11, 29))
    assert counts(later.issued_by_ordinance) == [("TC 63.44", "Park after hours", 1)]
