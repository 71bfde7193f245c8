"""Steps before their time (both backends): a hearing is decided or defaulted only once it
begins, the set-aside window runs from the hearing's day, a received time must be possible,
and daily processing runs only for a day that has come.

The hearing below is the first of its session: 09:00 on Wednesday 2026-12-16 in Los Angeles
(17:00 UTC). The citations were served at 10:00 on 2026-11-20 (`ISSUED_AT`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.calendar import CLOCK_SKEW
from citations.database import transaction
from citations.errors import ImplausibleTime, InputRejected, PermissionDenied, TooEarly
from citations.hearings.contests import (
    DeadlineMissed,
    decide_waiver,
    lapse_unpaid_deposits,
    pay_deposit,
    request_hearing,
    request_review,
)
from citations.hearings.decisions import Outcome
from citations.hearings.scheduling import (
    decide_hearing,
    record_no_show,
    schedule_hearing,
    set_aside_default,
)
from citations.hearings.tables import Hearing
from citations.payments.lockbox import import_lockbox
from citations.payments.posting import PaymentRequest, record_payment
from citations.payments.processing import process
from citations.roles import Actor, Role
from tests.factories import prepare
from tests.hearing_steps import (
    CLERK,
    ISSUED_AT,
    at,
    issue_one,
    officer_with_session,
    to_ready,
    to_review_upheld,
)
from tests.money_steps import ADMIN, state

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
HEARING_DAY = date(2026, 12, 16)
STARTS = datetime(2026, 12, 16, 17, 0, tzinfo=UTC)
"""09:00 in Los Angeles on the hearing day: the session opens with this hearing."""
SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
FINDINGS = "The city did not prove the can held alcohol."
OFFICER = Actor("officer Ruiz", Role.HEARING_OFFICER)


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def scheduled(engine: Engine, people: int = 1) -> list[str]:
    """`people` citations with a deposit paid, heard one after another in a session of 20-minute
    slots from 09:00 on HEARING_DAY (scheduled on 2026-12-04)."""
    _, docket = officer_with_session(engine, "Judge Fair", HEARING_DAY)
    numbers = []
    for _ in range(people):
        number = issue_one(engine)
        to_ready(engine, number)
        with transaction(engine) as session:
            schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"), session_id=docket)
        numbers.append(number)
    return numbers


def hearing_status(engine: Engine, number: str) -> tuple[str, str]:
    """(the citation's status, its last hearing's status)."""
    with transaction(engine) as session:
        hearing = session.scalars(select(Hearing).order_by(Hearing.id.desc())).first()
        assert hearing is not None
        heard = hearing.status
    return state(engine, number)[0], heard


# -- a hearing is decided, or defaulted, once it begins -----------------------------------------


@pytest.mark.parametrize(
    ("now", "accepted"),
    [
        (STARTS, True),
        (STARTS - SECOND, False),
        (STARTS - MINUTE, False),
        (at("2026-12-04"), False),  # the issue's case: ten days early
        (STARTS + timedelta(days=1), True),
    ],
    ids=["at-the-start", "a-second-before", "a-minute-before", "ten-days-early", "next-day"],
)
def test_a_hearing_is_decided_once_it_begins(ready: Engine, now: datetime, accepted: bool) -> None:
    (number,) = scheduled(ready)
    if accepted:
        with transaction(ready) as session:
            decide_hearing(session, number, Outcome.DISMISSED, FINDINGS, actor=OFFICER, now=now)
        assert hearing_status(ready, number) == ("dismissed", "held")
        return
    with transaction(ready) as session, pytest.raises(TooEarly) as refused:
        decide_hearing(session, number, Outcome.DISMISSED, FINDINGS, actor=OFFICER, now=now)
    local = now.astimezone(LOS_ANGELES)
    assert refused.value.summary == "the hearing has not begun"
    assert [(e.field, e.message) for e in refused.value.errors] == [
        (
            "held_early_reason",
            "the hearing is set for 2026-12-16 09:00 (America/Los_Angeles) and it is now "
            f"{local:%Y-%m-%d %H:%M}: record the decision once it has begun, or, if it was "
            "held early by agreement, a clerk gives the reason",
        )
    ]
    assert hearing_status(ready, number) == ("hearing_scheduled", "scheduled")


@pytest.mark.parametrize(
    ("person", "now", "accepted"),
    [
        (0, STARTS, True),
        (0, STARTS - MINUTE, False),
        (0, at("2026-12-04"), False),
        # the second person's slot is 09:20: absent at 09:10 is not yet absent
        (1, STARTS + 10 * MINUTE, False),
        (1, STARTS + 20 * MINUTE - SECOND, False),
        (1, STARTS + 20 * MINUTE, True),
    ],
    ids=[
        "at-the-start",
        "a-minute-before",
        "ten-days-early",
        "before-own-slot",
        "a-second-before-slot",
        "at-own-slot",
    ],
)
def test_a_no_show_is_recorded_once_the_hearing_begins(
    ready: Engine, person: int, now: datetime, accepted: bool
) -> None:
    number = scheduled(ready, people=2)[person]
    if accepted:
        with transaction(ready) as session:
            record_no_show(session, number, actor=CLERK, now=now)
        assert state(ready, number)[0] == "paid"  # the deposit pays the fine upheld by default
        return
    with transaction(ready) as session, pytest.raises(TooEarly) as refused:
        record_no_show(session, number, actor=CLERK, now=now)
    (problem,) = refused.value.errors
    assert problem.field == "hearing"
    slot = "09:00" if person == 0 else "09:20"
    assert problem.message.startswith(f"the hearing is set for 2026-12-16 {slot} ")
    assert problem.message.endswith("a no-show can be recorded only once it has begun")
    assert state(ready, number)[0] == "hearing_scheduled"


def test_a_clerk_records_a_hearing_held_early_by_agreement_with_the_reason(
    ready: Engine,
) -> None:
    (number,) = scheduled(ready)
    reason = "The person came in on the 4th and asked to be heard at once."
    with transaction(ready) as session, pytest.raises(PermissionDenied) as refused:
        decide_hearing(
            session,
            number,
            Outcome.DISMISSED,
            FINDINGS,
            actor=OFFICER,
            now=at("2026-12-04"),
            held_early_reason=reason,
        )
    assert str(refused.value) == "a hearing_officer may not record early hearing"
    with transaction(ready) as session, pytest.raises(TooEarly):
        decide_hearing(  # a blank reason is no reason
            session,
            number,
            Outcome.DISMISSED,
            FINDINGS,
            actor=CLERK,
            now=at("2026-12-04"),
            held_early_reason="   ",
        )
    with transaction(ready) as session:
        decide_hearing(
            session,
            number,
            Outcome.DISMISSED,
            FINDINGS,
            actor=CLERK,
            now=at("2026-12-04"),
            held_early_reason=f"  {reason} ",
        )
    assert hearing_status(ready, number) == ("dismissed", "held")
    with transaction(ready) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "hearing.dismissed")
        ).one()
        assert event.after is not None and event.after["held_early_reason"] == reason
        assert event.reason == FINDINGS


def test_the_set_aside_window_runs_from_the_hearing_day_not_the_entry(ready: Engine) -> None:
    """The default is entered five days after the hearing: 21 days from 2026-12-16 is
    2027-01-06 (from the entry, 2026-12-21, it would be 2027-01-11)."""
    (number,) = scheduled(ready)
    with transaction(ready) as session:
        order = record_no_show(session, number, actor=CLERK, now=at("2026-12-21"))
        assert order.next_deadline == date(2027, 1, 6)
    with transaction(ready) as session, pytest.raises(DeadlineMissed) as missed:
        set_aside_default(
            session,
            number,
            "Was in the emergency room; discharge papers shown.",
            received_at=at("2027-01-07"),
            actor=CLERK,
            now=at("2027-01-07"),
        )
    assert "after the deadline of 2027-01-06 (21 days from the hearing missed)" in str(missed.value)


# -- a received time must be possible ------------------------------------------------------------

NOW = at("2026-11-25")  # when the review requests below are entered


@pytest.mark.parametrize(
    ("received_at", "problem"),
    [
        (ISSUED_AT, None),
        (NOW, None),
        (NOW + CLOCK_SKEW, None),
        (
            ISSUED_AT - SECOND,
            "2026-11-20T09:59-08:00 is before citation {number} existed (2026-11-20T10:00-08:00)",
        ),
        (
            datetime(2000, 1, 1, tzinfo=UTC),
            "1999-12-31T16:00-08:00 is before citation {number} existed (2026-11-20T10:00-08:00)",
        ),
        (
            NOW + CLOCK_SKEW + SECOND,
            "2026-11-25T10:05-08:00 is in the future: it is now 2026-11-25T10:00-08:00 "
            "(a clock may run at most 5 minutes ahead)",
        ),
        (
            datetime.fromisoformat("2099-01-01T00:00:00+00:00"),
            "2098-12-31T16:00-08:00 is in the future: it is now 2026-11-25T10:00-08:00 "
            "(a clock may run at most 5 minutes ahead)",
        ),
        # times the zone's clocks cannot show are refused, not a crash
        (
            datetime.fromisoformat("0001-01-01T00:00:00+14:00"),
            "0001-01-01T00:00+14:00 is before citation {number} existed (2026-11-20T10:00-08:00)",
        ),
        (
            datetime.fromisoformat("9999-12-31T23:59:59-14:00"),
            "9999-12-31T23:59-14:00 is in the future: it is now 2026-11-25T10:00-08:00 "
            "(a clock may run at most 5 minutes ahead)",
        ),
    ],
    ids=[
        "at-issue",
        "now",
        "skew-edge",
        "a-second-before-issue",
        "year-2000",
        "a-second-past-skew",
        "year-2099",
        "year-1",
        "year-9999",
    ],
)
def test_a_review_request_is_received_at_a_possible_time(
    ready: Engine, received_at: datetime, problem: str | None
) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        if problem is None:
            request_review(session, number, "Soda.", received_at=received_at, actor=CLERK, now=NOW)
            return
        with pytest.raises(ImplausibleTime) as refused:
            request_review(session, number, "Soda.", received_at=received_at, actor=CLERK, now=NOW)
    assert refused.value.summary == "the time given is not possible"
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("received_at", problem.format(number=number))
    ]
    assert state(ready, number)[0] == "issued"


def test_a_late_filing_still_needs_the_clerks_reason_and_no_reason_makes_a_time_possible(
    ready: Engine,
) -> None:
    number = issue_one(ready)
    with transaction(ready) as session, pytest.raises(DeadlineMissed):
        request_review(
            session,
            number,
            "Soda.",
            received_at=at("2026-12-11"),
            actor=CLERK,
            now=at("2026-12-11"),
        )
    with transaction(ready) as session, pytest.raises(ImplausibleTime):
        request_review(
            session,
            number,
            "Soda.",
            received_at=at("2026-12-11"),
            actor=CLERK,
            now=at("2026-12-04"),
            late_reason="Notice mailed to an old address.",
        )
    assert state(ready, number)[0] == "issued"


def test_a_hearing_request_cannot_precede_the_review_it_answers(ready: Engine) -> None:
    number = issue_one(ready)
    to_review_upheld(ready, number)  # decided at 10:00 on 2026-12-01
    with transaction(ready) as session, pytest.raises(ImplausibleTime) as refused:
        request_hearing(
            session,
            number,
            received_at=at("2026-11-30"),
            actor=CLERK,
            now=at("2026-12-03"),
            deposit=Decimal("200.00"),
            deposit_method="card",
        )
    assert refused.value.errors[0].message == (
        "2026-11-30T10:00-08:00 is before the review decision it answers (2026-12-01T10:00-08:00)"
    )


def test_a_deposit_and_a_set_aside_request_are_received_at_possible_times(ready: Engine) -> None:
    waived = issue_one(ready)
    to_ready(ready, waived, deposit=False)
    with transaction(ready) as session:
        decide_waiver(session, waived, False, "Income above.", actor=CLERK, now=at("2026-12-04"))
    with transaction(ready) as session, pytest.raises(ImplausibleTime, match="in the future"):
        pay_deposit(
            session,
            waived,
            Decimal("200.00"),
            received_at=at("2026-12-05"),
            actor=CLERK,
            now=at("2026-12-04"),
        )
    (defaulted,) = scheduled(ready)
    with transaction(ready) as session:
        record_no_show(session, defaulted, actor=CLERK, now=STARTS)
    with transaction(ready) as session, pytest.raises(ImplausibleTime, match="is before citation"):
        set_aside_default(
            session,
            defaulted,
            "Was in the emergency room; discharge papers shown.",
            received_at=datetime(1990, 1, 1, tzinfo=UTC),
            actor=CLERK,
            now=at("2026-12-17"),
        )


@pytest.mark.parametrize(
    ("received_at", "accepted"),
    [
        (ISSUED_AT, True),
        (NOW + CLOCK_SKEW, True),
        (ISSUED_AT - SECOND, False),
        (NOW + CLOCK_SKEW + SECOND, False),
        (datetime(1990, 6, 1, 12, tzinfo=UTC), False),
        (datetime(2099, 6, 1, 12, tzinfo=UTC), False),
    ],
    ids=["at-issue", "skew-edge", "a-second-before-issue", "a-second-past-skew", "1990", "2099"],
)
def test_a_payment_is_received_at_a_possible_time(
    ready: Engine, received_at: datetime, accepted: bool
) -> None:
    number = issue_one(ready)
    request = PaymentRequest(amount=Decimal("50.00"), method="card", received_at=received_at)
    with transaction(ready) as session:
        if accepted:
            result, _ = record_payment(session, number, request, actor=CLERK, now=NOW)
            assert result.received_at == received_at
            return
        with pytest.raises(ImplausibleTime) as refused:
            record_payment(session, number, request, actor=CLERK, now=NOW)
    assert refused.value.errors[0].field == "received_at"
    assert state(ready, number)[1] == Decimal("200.00")  # nothing was taken


def test_a_lockbox_line_dated_today_is_taken_in_the_morning_and_a_later_one_is_not(
    ready: Engine, tmp_path: Path
) -> None:
    number = issue_one(ready)
    path = tmp_path / "lockbox.csv"
    path.write_text(
        "batch_id,item,received_on,citation_number,amount,method\n"
        f"B1,1,2026-11-25,{number},20.00,check\n"
        f"B1,2,2026-11-26,{number},20.00,check\n"
        f"B1,3,1990-01-02,{number},20.00,check\n",
        encoding="utf-8",
    )
    morning = at("2026-11-25", 8)
    results = list(import_lockbox(ready, path, actor=CLERK, clock=lambda: morning))
    assert [r.status for r in results] == ["posted", "error", "error"]
    assert results[1].message.startswith("received_at: 2026-11-26T00:00-08:00 is in the future")
    assert results[2].message.startswith("received_at: 1990-01-02T00:00-08:00 is before citation")
    again = list(import_lockbox(ready, path, actor=CLERK, clock=lambda: at("2026-11-25", 15)))
    assert again[0].status == "replayed"  # the same moment from the same line, all day
    assert state(ready, number)[1] == Decimal("180.00")


# -- daily steps run for a day that has come -----------------------------------------------------

LATE_EVENING = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
"""23:30 on 2026-11-30 in Los Angeles: in UTC it is already 2026-12-01."""


@pytest.mark.parametrize(
    ("as_of", "accepted"),
    [
        (date(2026, 11, 30), True),
        (date(2026, 11, 1), True),  # catching up a missed day
        (date(2026, 12, 1), False),  # UTC's day, not yet the city's
        (date(9000, 12, 31), False),  # the issue's case
        (date(9999, 12, 31), False),
    ],
    ids=["today", "a-past-day", "tomorrow", "year-9000", "year-9999"],
)
def test_daily_processing_runs_only_for_a_day_that_has_come(
    ready: Engine, as_of: date, accepted: bool
) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        if accepted:
            assert process(session, as_of=as_of, actor=ADMIN, now=LATE_EVENING).changed == 0
            return
        with pytest.raises(TooEarly) as refused:
            process(session, as_of=as_of, actor=ADMIN, now=LATE_EVENING)
    assert refused.value.summary == "daily processing cannot be run for a day that has not come"
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("as_of", f"{as_of.isoformat()} is after today, 2026-11-30 in America/Los_Angeles")
    ]
    status, owed, _, ledger = state(ready, number)
    assert (status, owed, ledger) == ("issued", Decimal("200.00"), [("fine_assessed", 20000)])


def test_unpaid_deposits_lapse_only_on_a_day_that_has_come(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number, deposit=False)
    with transaction(ready) as session:
        decide_waiver(session, number, False, "Income above.", actor=CLERK, now=at("2026-12-04"))
    with transaction(ready) as session, pytest.raises(TooEarly, match="2027-03-01 is after today"):
        lapse_unpaid_deposits(session, today=date(2027, 3, 1), actor=CLERK, now=at("2026-12-05"))
    assert state(ready, number)[0] == "hearing_requested"
    with transaction(ready) as session:
        assert lapse_unpaid_deposits(
            session, today=date(2027, 3, 1), actor=CLERK, now=at("2027-03-01")
        ) == [number]


def test_the_time_in_a_refusal_is_the_citys(ready: Engine) -> None:
    """The hearing's time and now are shown on the city's clocks, whatever zone `now` has."""
    (number,) = scheduled(ready)
    with (
        transaction(ready) as session,
        pytest.raises(InputRejected, match="it is now 2026-12-15 23:30"),
    ):
        decide_hearing(
            session,
            number,
            Outcome.UPHELD,
            FINDINGS,
            actor=OFFICER,
            now=datetime(2026, 12, 16, 7, 30, tzinfo=UTC),
        )
