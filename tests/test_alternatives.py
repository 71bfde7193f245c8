"""Ability to pay, community service, diversion, daily processing and collections, at their
date edges (both backends)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from citations.database import transaction
from citations.errors import InputRejected
from citations.payments.ability import Declaration, request_ability_to_pay
from citations.payments.collections import export_collections
from citations.payments.diversion import Obligation, fulfil, refer
from citations.payments.processing import process
from citations.payments.service import elect_service, extend, log_hours, sign_off
from tests.conftest import edit
from tests.factories import message, prepare, send
from tests.money_steps import ADMIN, CASHIER, at, issue_one, pay, state


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def run(engine: Engine, day: str) -> list[list[str]]:
    with transaction(engine) as session:
        report = process(session, as_of=date.fromisoformat(day), actor=ADMIN, now=at(day))
    return [
        report.plans_defaulted,
        report.service_failed,
        report.diversion_failed,
        report.delinquent,
        report.referred,
    ]


def test_ability_to_pay_by_benefit_by_income_and_refused(ready: Engine) -> None:
    benefit, income, above = issue_one(ready), issue_one(ready), issue_one(ready)
    with transaction(ready) as session:
        decision = request_ability_to_pay(
            session,
            benefit,
            Declaration(
                benefits=["calfresh"],
                household_size=1,
                monthly_income=Decimal("900.00"),
                sworn=True,
            ),
            actor=CASHIER,
            now=at("2026-11-25"),
        )
        assert decision.qualifies and decision.rule == "reduced_payment"
        assert decision.amount_due == Decimal("40.00")  # 20% of 200.00 in full satisfaction
        # 125% of the 2025 guideline for 3 people (26,650.00) is 33,312.50 a year.
        by_income = request_ability_to_pay(
            session,
            income,
            Declaration(household_size=3, monthly_income=Decimal("2776.04"), sworn=True),
            actor=CASHIER,
            now=at("2026-11-25"),
        )
        assert by_income.qualifies
        refused = request_ability_to_pay(
            session,
            above,
            Declaration(household_size=3, monthly_income=Decimal("2776.05"), sworn=True),
            actor=CASHIER,
            now=at("2026-11-25"),
        )
        assert not refused.qualifies
        assert refused.amount_due == Decimal("200.00")
        assert refused.reasons[0].endswith("that is 33312.50: above the limit")
    pay(ready, benefit, "40.00")
    assert state(ready, benefit)[0] == "paid"


def test_an_unsworn_declaration_is_refused(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session, pytest.raises(InputRejected, match="perjury"):
        request_ability_to_pay(
            session,
            number,
            Declaration(household_size=1, monthly_income=Decimal(0), sworn=False),
            actor=CASHIER,
            now=at("2026-11-25"),
        )


def test_community_service_completed_and_credited(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        chosen = elect_service(session, number, "food-bank", actor=CASHIER, now=at("2026-11-25"))
        assert (chosen.hours_required, chosen.rate) == (Decimal(10), Decimal("20.00"))
        assert chosen.deadline == date(2027, 2, 23)  # 90 days
        with pytest.raises(InputRejected, match="quarter hours"):
            log_hours(
                session,
                number,
                date(2026, 11, 26),
                Decimal("1.1"),
                actor=CASHIER,
                now=at("2026-11-27"),
            )
        log_hours(
            session, number, date(2026, 11, 26), Decimal("6"), actor=CASHIER, now=at("2026-11-27")
        )
        partial = sign_off(
            session, number, "Lee, food bank volunteer lead", actor=CASHIER, now=at("2026-11-27")
        )
        assert (partial.hours_signed_off, partial.status) == (Decimal("6.00"), "active")
        log_hours(
            session, number, date(2026, 11, 28), Decimal("4"), actor=CASHIER, now=at("2026-11-28")
        )
        done = sign_off(
            session, number, "Lee, food bank volunteer lead", actor=CASHIER, now=at("2026-11-28")
        )
        assert done.status == "completed"
    status, owed, _, ledger = state(ready, number)
    assert (status, owed) == ("served", Decimal("0.00"))
    assert ledger[-1] == ("service_credit", 20000)


def test_community_service_expires_after_its_extension(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        elect_service(session, number, "parks-cleanup", actor=CASHIER, now=at("2026-11-25"))
        log_hours(
            session, number, date(2026, 11, 30), Decimal("2.5"), actor=CASHIER, now=at("2026-11-30")
        )
        sign_off(session, number, "Crew chief Ortiz", actor=CASHIER, now=at("2026-11-30"))
        extended = extend(
            session, number, "Worked double shifts in December", actor=CASHIER, now=at("2027-02-01")
        )
        assert extended.deadline == date(2027, 3, 25)
        with pytest.raises(InputRejected, match="the most allowed"):
            extend(session, number, "Again please", actor=CASHIER, now=at("2027-02-02"))
    assert run(ready, "2027-03-25")[1] == []  # the deadline day itself is still in time
    assert run(ready, "2027-03-26")[1] == [number]
    status, owed, _, _ = state(ready, number)
    assert (status, owed) == ("upheld", Decimal("150.00"))  # 2.5 hours credited at 20.00


def test_diversion_completed_dismisses_and_expired_returns_to_the_fine(ready: Engine) -> None:
    done, lapsed = issue_one(ready), issue_one(ready)
    obligations = [
        Obligation(kind="apology_letter", description="Letter to the park staff"),
        Obligation(kind="service_hours", description="8 hours of park cleanup"),
    ]
    with transaction(ready) as session:
        with pytest.raises(InputRejected, match="not offered"):
            refer(session, done, "teen-court", obligations, actor=CASHIER, now=at("2026-11-25"))
        for number in (done, lapsed):
            referral = refer(
                session,
                number,
                "neighborhood-justice",
                obligations,
                actor=CASHIER,
                now=at("2026-11-25"),
            )
            assert referral.deadline == date(2027, 1, 24)  # 60 days
        # Done between the referral's day and today: not before it, not tomorrow.
        for impossible in (date(2026, 11, 24), date(2026, 12, 3)):
            with pytest.raises(InputRejected) as refused:
                fulfil(session, done, 0, impossible, actor=CASHIER, now=at("2026-12-02"))
            assert refused.value.errors[0].as_dict() == {
                "field": "done_on",
                "message": "must be between the referral (2026-11-25) and today",
            }
        fulfil(session, done, 0, date(2026, 11, 25), actor=CASHIER, now=at("2026-12-02"))
        fulfil(session, done, 1, date(2026, 12, 9), actor=CASHIER, now=at("2026-12-09"))
    assert state(ready, done)[:2] == ("diverted", Decimal("0.00"))
    assert run(ready, "2027-01-24")[2] == []
    assert run(ready, "2027-01-25")[2] == [lapsed]
    assert state(ready, lapsed)[:2] == ("upheld", Decimal("200.00"))


def test_late_penalty_delinquency_and_collections_at_their_edges(ready: Engine) -> None:
    number = issue_one(ready)  # due 2026-12-10; penalty after 15 days; collections after 103
    assert run(ready, "2026-12-25")[3] == []
    assert run(ready, "2026-12-26")[3] == [number]
    assert run(ready, "2026-12-26") == [[], [], [], [], []]  # a second run changes nothing
    status, owed, _, ledger = state(ready, number)
    assert (status, owed, ledger[-1]) == ("delinquent", Decimal("250.00"), ("late_penalty", 5000))
    assert run(ready, "2027-03-23")[4] == []  # 103 days after the due date
    assert run(ready, "2027-03-24")[4] == [number]
    assert state(ready, number)[:2] == ("in_collections", Decimal("300.00"))
    with transaction(ready) as session:
        exported = export_collections(session, since=None, actor=CASHIER)
    lines = exported.splitlines()
    assert lines[0].startswith("record,citation_number,referred_on")
    assert lines[1].startswith(f"refer,{number},2027-03-24,,,300.00,Maria,Lopez,1990-04-02")
    pay(ready, number, "300.00", when="2027-03-30")
    with transaction(ready) as session:
        recalled = export_collections(session, since=date(2027, 3, 30), actor=CASHIER)
    assert recalled.splitlines()[1].startswith(
        f"recall,{number},2027-03-24,2027-03-30,paid in full"
    )


def test_no_added_fees_where_the_law_bars_them(engine: Engine, catalog_dir: Path) -> None:
    edit(
        catalog_dir / "jurisdiction.yaml",
        "    name: {en: Public order, es: Orden público}\n",
        "    name: {en: Public order, es: Orden público}\n"
        "    added_fees_barred_by: Test City Code 9.9\n",
    )
    prepare(engine, catalog_dir)
    number = send(
        engine, message(violation_at="2026-11-20T10:00:00-08:00"), now=at("2026-11-20", 11)
    ).result.citation_number
    assert number is not None
    run(engine, "2026-12-26")
    run(engine, "2027-03-24")
    status, owed, _, ledger = state(engine, number)
    assert (status, owed) == ("in_collections", Decimal("200.00"))
    assert [kind for kind, _ in ledger] == ["fine_assessed"]


@pytest.mark.parametrize(
    ("worked_on", "logged_at", "accepted"),
    [
        ("2026-11-24", at("2026-11-25", 12), False),  # the day before the election
        ("2026-11-25", at("2026-11-25", 12), True),  # the election's own day
        ("2026-11-26", at("2026-11-25", 23), False),  # tomorrow in the city, though UTC's today
        ("2026-11-25", at("2026-11-25", 23), True),  # 23:00 in Los Angeles is 07:00 UTC next day
        ("2026-12-01", at("2026-12-01", 0), True),  # today, at its first hour
    ],
)
def test_service_hours_are_dated_by_the_citys_days(
    ready: Engine, worked_on: str, logged_at: datetime, accepted: bool
) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        # Elected at 08:00 on 2026-11-25 in Los Angeles (16:00 UTC).
        elect_service(session, number, "food-bank", actor=CASHIER, now=at("2026-11-25", 8))
    day = date.fromisoformat(worked_on)
    with transaction(ready) as session:
        if accepted:
            logged = log_hours(session, number, day, Decimal("2"), actor=CASHIER, now=logged_at)
            assert logged.hours_pending == Decimal("2")
        else:
            with pytest.raises(InputRejected, match=r"between the election \(2026-11-25\)"):
                log_hours(session, number, day, Decimal("2"), actor=CASHIER, now=logged_at)
