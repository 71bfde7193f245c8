"""Contests, reviews, waivers, dockets, scheduling, continuances, defaults and decisions
(both backends)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from citations.database import transaction
from citations.errors import IllegalTransition, InputRejected, PermissionDenied
from citations.hearings.contests import (
    DeadlineMissed,
    decide_review,
    decide_waiver,
    lapse_unpaid_deposits,
    pay_deposit,
    request_hearing,
    request_review,
)
from citations.hearings.decisions import Outcome
from citations.hearings.officers import add_officer, create_session, recuse
from citations.hearings.scheduling import (
    NoSessionAvailable,
    continue_hearing,
    decide_hearing,
    record_no_show,
    schedule_hearing,
    set_aside_default,
)
from citations.hearings.tables import DocketSession, Hearing
from citations.payments.plans import Installment
from citations.record.ledger import balance, entries, paid
from citations.record.lookup import find_citation
from citations.roles import OPERATOR, Actor, Role
from tests.factories import message, prepare, send
from tests.hearing_steps import (
    CLERK,
    INDEPENDENCE,
    REVIEWER,
    SIGNED,
    at,
    issue_one,
    officer_with_session,
    to_ready,
    to_review_upheld,
)

# 2026-11-20 + 20 days = 2026-12-10, a Thursday: the last day to contest.
REVIEW_DEADLINE = "2026-12-10"


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def status(engine: Engine, number: str) -> str:
    with transaction(engine) as session:
        return find_citation(session, number, OPERATOR).status


def money(engine: Engine, number: str) -> tuple[Decimal, Decimal, list[tuple[str, int]]]:
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        return (
            balance(session, citation),
            paid(session, citation),
            [(e.kind, e.amount_cents) for e in entries(session, citation)],
        )


@pytest.mark.parametrize(
    ("received", "on_time"),
    [
        (at(REVIEW_DEADLINE, 23), True),
        # 23:30 local on the last day is already the next day in UTC: still on time.
        (datetime.fromisoformat("2026-12-11T07:30:00+00:00"), True),
        (datetime.fromisoformat("2026-12-11T08:00:00+00:00"), False),  # 00:00 local on the 11th
        (at("2026-12-11", 9), False),
    ],
)
def test_review_deadline_edges(ready: Engine, received: datetime, on_time: bool) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        if on_time:
            request_review(
                session, number, "Not me.", received_at=received, actor=CLERK, now=received
            )
        else:
            with pytest.raises(DeadlineMissed) as raised:
                request_review(
                    session, number, "Not me.", received_at=received, actor=CLERK, now=received
                )
            assert str(raised.value) == (
                "the request to contest was received on 2026-12-11, after the deadline of "
                "2026-12-10 (20 days from the notice served 2026-11-20); a clerk may accept it "
                "late with a reason"
            )
    assert status(ready, number) == ("in_review" if on_time else "issued")


def test_a_deadline_on_a_holiday_moves_to_the_next_business_day(ready: Engine) -> None:
    # Served 2026-12-05: 20 days later is Christmas (Friday), so the deadline is Monday 28.
    body = message(violation_at="2026-12-05T10:00:00-08:00")
    number = send(ready, body, now=at("2026-12-05", 11)).result.citation_number
    assert number is not None
    with transaction(ready) as session:
        request_review(
            session,
            number,
            "Not me.",
            received_at=at("2026-12-28", 16),
            actor=CLERK,
            now=at("2026-12-28", 16),
        )
    other = send(
        ready, message(violation_at="2026-12-05T10:00:00-08:00"), now=at("2026-12-05", 11)
    ).result.citation_number
    assert other is not None
    with transaction(ready) as session, pytest.raises(DeadlineMissed, match="2026-12-28"):
        request_review(
            session,
            other,
            "Not me.",
            received_at=at("2026-12-29"),
            actor=CLERK,
            now=at("2026-12-29"),
        )


def test_a_clerk_may_accept_a_late_request_with_a_reason(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        contest = request_review(
            session,
            number,
            "Not me.",
            received_at=at("2026-12-15"),
            actor=CLERK,
            now=at("2026-12-15"),
            late_reason="Was in hospital 2026-12-01 to 12-14; letter seen.",
        )
        assert contest.review_late_reason == "Was in hospital 2026-12-01 to 12-14; letter seen."
    with transaction(ready) as session, pytest.raises(PermissionDenied):
        request_review(
            session,
            issue_one(ready),
            "x",
            received_at=at("2026-12-01"),
            actor=Actor("officer", Role.OFFICER, "DCPD"),
            now=at("2026-12-01"),
        )


def test_review_outcomes_and_money(ready: Engine) -> None:
    upheld, dismissed, reduced = issue_one(ready), issue_one(ready), issue_one(ready)
    for number in (upheld, dismissed, reduced):
        with transaction(ready) as session:
            request_review(
                session,
                number,
                "Contesting.",
                received_at=at("2026-11-30"),
                actor=CLERK,
                now=at("2026-11-30"),
            )
    with transaction(ready) as session:
        order = decide_review(
            session,
            upheld,
            Outcome.UPHELD,
            "Photo shows the open can.",
            decided_by=SIGNED,
            actor=REVIEWER,
            now=at("2026-12-01"),
        )
        assert order.next_deadline == date(2026, 12, 16)  # 15 days to ask for a hearing
        decide_review(
            session,
            dismissed,
            Outcome.DISMISSED,
            "The can was unopened soda.",
            decided_by=SIGNED,
            actor=REVIEWER,
            now=at("2026-12-01"),
        )
        decide_review(
            session,
            reduced,
            Outcome.REDUCED,
            "First contact; cooperative.",
            new_amount=Decimal("50.00"),
            reduction_reason="Hardship shown",
            decided_by=SIGNED,
            actor=REVIEWER,
            now=at("2026-12-01"),
        )
    assert [status(ready, n) for n in (upheld, dismissed, reduced)] == [
        "review_upheld",
        "dismissed",
        "review_upheld",
    ]
    assert money(ready, dismissed)[0] == Decimal("0.00")
    assert money(ready, reduced)[0] == Decimal("50.00")
    assert money(ready, reduced)[2] == [("fine_assessed", 20000), ("reduction", 15000)]


@pytest.mark.parametrize(
    ("outcome", "findings", "amount", "reason", "fields"),
    [
        (Outcome.UPHELD, "short", None, None, ["findings"]),
        (Outcome.REDUCED, "Findings written out.", None, None, ["new_amount", "reduction_reason"]),
        (Outcome.REDUCED, "Findings written out.", Decimal("300.00"), "r", ["new_amount"]),
        (Outcome.UPHELD, "Findings written out.", Decimal("10.00"), None, ["new_amount"]),
    ],
)
def test_a_decision_needs_findings_and_a_valid_amount(
    ready: Engine,
    outcome: Outcome,
    findings: str,
    amount: Decimal | None,
    reason: str | None,
    fields: list[str],
) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        request_review(
            session,
            number,
            "Contesting.",
            received_at=at("2026-11-30"),
            actor=CLERK,
            now=at("2026-11-30"),
        )
    with transaction(ready) as session, pytest.raises(InputRejected) as raised:
        decide_review(
            session,
            number,
            outcome,
            findings,
            new_amount=amount,
            reduction_reason=reason,
            decided_by=SIGNED,
            actor=REVIEWER,
            now=at("2026-12-01"),
        )
    assert [e.field for e in raised.value.errors] == fields


def test_a_hearing_needs_the_deposit_or_a_waiver(ready: Engine) -> None:
    number = issue_one(ready)
    to_review_upheld(ready, number)
    with transaction(ready) as session, pytest.raises(InputRejected, match="advance deposit"):
        request_hearing(
            session, number, received_at=at("2026-12-03"), actor=CLERK, now=at("2026-12-03")
        )
    with transaction(ready) as session, pytest.raises(InputRejected, match=r"200\.00, not 100"):
        request_hearing(
            session,
            number,
            received_at=at("2026-12-03"),
            actor=CLERK,
            now=at("2026-12-03"),
            deposit=Decimal("100"),
        )
    with transaction(ready) as session, pytest.raises(DeadlineMissed, match="2026-12-16"):
        request_hearing(
            session,
            number,
            received_at=at("2026-12-17"),
            actor=CLERK,
            now=at("2026-12-17"),
            deposit=Decimal("200.00"),
        )
    with transaction(ready) as session:
        request_hearing(
            session,
            number,
            received_at=at("2026-12-16", 23),
            actor=CLERK,
            now=at("2026-12-16", 23),
            deposit=Decimal("200.00"),
        )
    assert money(ready, number)[:2] == (Decimal("0.00"), Decimal("200.00"))


def test_waiver_granted_refused_paid_late_and_lapsed(ready: Engine) -> None:
    granted, refused, lapsed = issue_one(ready), issue_one(ready), issue_one(ready)
    for number in (granted, refused, lapsed):
        to_ready(ready, number, deposit=False)
    with transaction(ready) as session:
        contest = decide_waiver(
            session,
            granted,
            True,
            "Receives CalFresh (card seen).",
            actor=CLERK,
            now=at("2026-12-04"),
        )
        assert contest.deposit_status == "waived"
        for number in (refused, lapsed):
            contest = decide_waiver(
                session,
                number,
                False,
                "No proof of hardship given.",
                actor=CLERK,
                now=at("2026-12-04"),
            )
            assert contest.deposit_due_on == date(2026, 12, 14)  # 10 days, a Monday
    with transaction(ready) as session, pytest.raises(DeadlineMissed, match="2026-12-14"):
        pay_deposit(
            session,
            refused,
            Decimal("200.00"),
            received_at=at("2026-12-15"),
            actor=CLERK,
            now=at("2026-12-15"),
        )
    with transaction(ready) as session:
        pay_deposit(
            session,
            refused,
            Decimal("200.00"),
            received_at=at("2026-12-14"),
            actor=CLERK,
            now=at("2026-12-14"),
        )
    with transaction(ready) as session:
        assert (
            lapse_unpaid_deposits(
                session, today=date(2026, 12, 14), actor=CLERK, now=at("2026-12-14")
            )
            == []
        )
        assert lapse_unpaid_deposits(
            session, today=date(2026, 12, 15), actor=CLERK, now=at("2026-12-15")
        ) == [lapsed]
        assert (
            lapse_unpaid_deposits(
                session, today=date(2026, 12, 16), actor=CLERK, now=at("2026-12-16")
            )
            == []
        )
    assert [status(ready, n) for n in (granted, refused, lapsed)] == [
        "hearing_requested",
        "hearing_requested",
        "upheld",
    ]


def test_hearing_officers_must_be_qualified_and_independent(ready: Engine) -> None:
    with transaction(ready) as session, pytest.raises(InputRejected) as raised:
        add_officer(
            session,
            "A. Neutral",
            "trained_neutral",
            "Mediation course",
            "city staff",
            actor=CLERK,
            now=at("2026-12-01"),
            training_hours=20,
        )
    assert [e.field for e in raised.value.errors] == ["training_hours", "independence"]
    with transaction(ready) as session:
        officer = add_officer(
            session,
            "A. Neutral",
            "trained_neutral",
            "Mediation course",
            INDEPENDENCE,
            actor=CLERK,
            now=at("2026-12-01"),
            training_hours=32,
        )
        assert "32 hours" in officer.qualification_detail


def test_sessions_only_on_business_days_within_availability(ready: Engine) -> None:
    officer_id, _ = officer_with_session(ready, "Judge Ada Ruiz", date(2026, 12, 22))
    with transaction(ready) as session, pytest.raises(InputRejected) as raised:
        create_session(
            session,
            day=date(2026, 12, 25),
            start=time(9, 0),
            officer_id=officer_id,
            capacity=4,
            place="Room 1",
            remote_link=None,
            slot_minutes=None,
            actor=CLERK,
            now=at("2026-12-01"),
        )
    messages = [e.message for e in raised.value.errors]
    assert messages == [
        "2026-12-25 is not a business day",
        "Judge Ada Ruiz is not available on 2026-12-25 at 09:00",
    ]


def test_automatic_scheduling_respects_lead_time_recusal_and_capacity(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number)
    # Scheduling on 2026-12-04: with 10 days' notice the earliest day is 2026-12-14.
    _, too_soon = officer_with_session(ready, "Judge Early", date(2026, 12, 11))
    conflicted, recused_session = officer_with_session(ready, "Judge Conflict", date(2026, 12, 14))
    _, full = officer_with_session(ready, "Judge Busy", date(2026, 12, 15), capacity=1)
    _, fitting = officer_with_session(ready, "Judge Fair", date(2026, 12, 16))
    filler = issue_one(ready, first_name="Other", identifiers=[])
    to_ready(ready, filler)
    with transaction(ready) as session:
        schedule_hearing(session, filler, actor=CLERK, now=at("2026-12-04"), session_id=full)
        recuse(
            session,
            conflicted,
            number,
            "Represented the person's landlord in 2025.",
            actor=CLERK,
            now=at("2026-12-04"),
        )
        hearing = schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"))
        assert hearing.session_id == fitting
        assert (hearing.position, hearing.slot_time.isoformat() if hearing.slot_time else None) == (
            1,
            "09:00:00",
        )
    assert status(ready, number) == "hearing_scheduled"
    assert {too_soon, recused_session, full}.isdisjoint({fitting})


def test_placing_by_hand_still_refuses_a_recused_officer(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number)
    officer_id, session_id = officer_with_session(ready, "Judge Conflict", date(2026, 12, 16))
    with transaction(ready) as session:
        recuse(
            session,
            officer_id,
            number,
            "Former colleague of the citing officer.",
            actor=CLERK,
            now=at("2026-12-04"),
        )
    with transaction(ready) as session, pytest.raises(InputRejected) as raised:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"), session_id=session_id)
    assert raised.value.errors[0].message == "Judge Conflict is recused from this citation"
    with transaction(ready) as session, pytest.raises(NoSessionAvailable):
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"))


def test_a_waiver_must_be_decided_before_scheduling(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number, deposit=False)
    officer_with_session(ready, "Judge Fair", date(2026, 12, 16))
    with transaction(ready) as session, pytest.raises(InputRejected, match="waiver_requested"):
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"))


def test_a_continuance_keeps_history(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number)
    _, first = officer_with_session(ready, "Judge One", date(2026, 12, 16))
    _, second = officer_with_session(ready, "Judge Two", date(2026, 12, 17))
    with transaction(ready) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"), session_id=first)
    with transaction(ready) as session:
        new = continue_hearing(
            session,
            number,
            "Interpreter unavailable that day.",
            actor=CLERK,
            now=at("2026-12-05"),
            session_id=second,
        )
        assert new.session_id == second
    with transaction(ready) as session:
        hearings = session.scalars(select(Hearing).order_by(Hearing.id)).all()
        assert [(h.status, h.session_id) for h in hearings] == [
            ("postponed", first),
            ("scheduled", second),
        ]
        assert hearings[0].replaced_by_id == hearings[1].id
        assert hearings[0].postponed_reason == "Interpreter unavailable that day."
        booked = {d.id: d.booked for d in session.scalars(select(DocketSession))}
        assert (booked[first], booked[second]) == (0, 1)


def test_a_no_show_defaults_and_can_be_set_aside_in_time(ready: Engine) -> None:
    number, late = issue_one(ready), issue_one(ready)
    _, docket = officer_with_session(ready, "Judge Fair", date(2026, 12, 16))
    for n in (number, late):
        to_ready(ready, n)
        with transaction(ready) as session:
            schedule_hearing(session, n, actor=CLERK, now=at("2026-12-04"), session_id=docket)
            order = record_no_show(session, n, actor=CLERK, now=at("2026-12-16", 11))
            assert order.outcome == "default"
            assert order.next_deadline == date(2027, 1, 6)  # 21 days, rolled past the weekend?
    assert status(ready, number) == "paid"  # the deposit covered the fine upheld by default
    with transaction(ready) as session:
        set_aside_default(
            session,
            number,
            "Was in the emergency room; discharge papers shown.",
            received_at=at("2027-01-06", 16),
            actor=CLERK,
            now=at("2027-01-06", 16),
        )
    assert status(ready, number) == "hearing_requested"
    with transaction(ready) as session, pytest.raises(DeadlineMissed, match="2027-01-06"):
        set_aside_default(
            session,
            late,
            "Was in the emergency room; discharge papers shown.",
            received_at=at("2027-01-07"),
            actor=CLERK,
            now=at("2027-01-07"),
        )


def test_a_dismissal_refunds_the_deposit(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number)
    officer_with_session(ready, "Judge Fair", date(2026, 12, 16))
    with transaction(ready) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"))
        order = decide_hearing(
            session,
            number,
            Outcome.DISMISSED,
            "The city did not prove the can held alcohol.",
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
        assert order.refund_cents == 20000
        assert order.next_deadline == date(2027, 1, 5)  # 20 days to appeal, past New Year
    balance_now, paid_now, ledger = money(ready, number)
    assert (balance_now, paid_now) == (Decimal("0.00"), Decimal("0.00"))
    assert ledger == [
        ("fine_assessed", 20000),
        ("deposit", 20000),
        ("dismissal", 20000),
        ("refund", 20000),
    ]
    assert status(ready, number) == "dismissed"


def test_a_reduction_with_a_payment_schedule(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number, deposit=False)
    with transaction(ready) as session:
        decide_waiver(
            session, number, True, "Unemployed; benefits letter.", actor=CLERK, now=at("2026-12-04")
        )
    officer_with_session(ready, "Judge Fair", date(2026, 12, 16))
    with transaction(ready) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"))
    bad = [Installment(due_on=date(2027, 1, 15), amount=Decimal("50.00"))]
    with transaction(ready) as session, pytest.raises(InputRejected, match=r"add up to 50\.00"):
        decide_hearing(
            session,
            number,
            Outcome.REDUCED,
            "Violation shown; hardship shown.",
            new_amount=Decimal("120.00"),
            reduction_reason="Income below guideline",
            payment_schedule=bad,
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
    plan = [
        Installment(due_on=date(2027, 1, 15), amount=Decimal("60.00")),
        Installment(due_on=date(2027, 2, 15), amount=Decimal("60.00")),
    ]
    with transaction(ready) as session:
        order = decide_hearing(
            session,
            number,
            Outcome.REDUCED,
            "Violation shown; hardship.",
            new_amount=Decimal("120.00"),
            reduction_reason="Income below guideline",
            payment_schedule=plan,
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
        assert order.payment_schedule == [
            {"due_on": "2027-01-15", "amount": "60.00"},
            {"due_on": "2027-02-15", "amount": "60.00"},
        ]
    assert money(ready, number)[0] == Decimal("120.00")
    assert status(ready, number) == "on_plan"


def test_officers_cannot_decide_or_schedule(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number)
    officer = Actor("officer", Role.OFFICER, "DCPD")
    with transaction(ready) as session, pytest.raises(PermissionDenied):
        schedule_hearing(session, number, actor=officer, now=at("2026-12-04"))
    with transaction(ready) as session, pytest.raises(PermissionDenied):
        decide_review(
            session,
            number,
            Outcome.DISMISSED,
            "Findings long enough.",
            decided_by=SIGNED,
            actor=officer,
            now=at("2026-12-04"),
        )


def test_steps_out_of_order_name_the_status(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session, pytest.raises(IllegalTransition) as raised:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"))
    assert str(raised.value).startswith(f"citation {number} is issued: cannot schedule a hearing")


def test_an_officer_scheduled_for_the_case_must_hand_it_on_before_recusal(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number)
    officer_id, first = officer_with_session(ready, "Judge One", date(2026, 12, 16))
    _, second = officer_with_session(ready, "Judge Two", date(2026, 12, 17))
    with transaction(ready) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"), session_id=first)
    with transaction(ready) as session, pytest.raises(InputRejected) as raised:
        recuse(
            session,
            officer_id,
            number,
            "Knows the person's family.",
            actor=CLERK,
            now=at("2026-12-05"),
        )
    assert raised.value.errors[0].message == (
        "Judge One is scheduled to hear it on 2026-12-16: continue the hearing to another "
        "session first"
    )
    with transaction(ready) as session:
        continue_hearing(
            session,
            number,
            "Judge One has a conflict.",
            actor=CLERK,
            now=at("2026-12-05"),
            session_id=second,
        )
        recuse(
            session,
            officer_id,
            number,
            "Knows the person's family.",
            actor=CLERK,
            now=at("2026-12-05"),
        )
