"""The work queues' library: assigning a contest to a staff member who may take its next step
(and refusing one who may not), and each list of waiting work, filtered by tier, deadline
and assignee, in deadline order (both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.errors import InputRejected, PermissionDenied
from citations.hearings.assign import (
    QueueFilters,
    QueueItem,
    Tier,
    Whose,
    active_staff,
    assign_contest,
    assignment_of,
    may_take,
    work_queue,
)
from citations.hearings.contests import decide_waiver
from citations.hearings.tables import Contest
from citations.record.person import PersonRequest
from citations.record.tables import Citation
from citations.roles import Actor, Role
from tests.browser.desk import CLOCK, Desk, set_desk
from tests.hearing_steps import CLERK
from tests.queue_steps import add_staff

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]


def queue(
    engine: Engine, actor: Actor = CLERK, now: datetime = CLOCK, **filters: Any
) -> list[QueueItem]:
    with transaction(engine) as session:
        return work_queue(session, QueueFilters(**filters), actor, now)


def numbers(items: list[QueueItem]) -> list[str]:
    return [item.number for item in items]


def assign(engine: Engine, number: str, username: str | None, actor: Actor = CLERK) -> None:
    with transaction(engine) as session:
        assign_contest(session, number, username, actor=actor, now=CLOCK)


def assignee_of(engine: Engine, number: str) -> tuple[int | None, datetime | None]:
    with transaction(engine) as session:
        contest = session.scalars(
            select(Contest).join(Citation).where(Citation.number == number)
        ).one()
        return contest.assignee_id, contest.assigned_at


def refusal(engine: Engine, number: str, username: str) -> str:
    with pytest.raises(InputRejected) as refused:
        assign(engine, number, username)
    (error,) = refused.value.errors
    return f"{error.field}: {error.message}"


def test_the_queue_lists_every_tier_by_deadline_then_arrival(filled: Desk, engine: Engine) -> None:
    items = queue(engine)
    assert [(i.number, i.tier, i.deadline, i.days_left) for i in items] == [
        (filled.numbers["review"], Tier.REVIEW, date(2026, 12, 10), 6),
        # the same deadline and arrival: by number
        (filled.numbers["to_schedule"], Tier.SCHEDULE, date(2026, 12, 16), 12),
        (filled.numbers["waiver"], Tier.WAIVER, date(2026, 12, 16), 12),
    ]
    assert filled.numbers["on_docket"] not in numbers(items)  # scheduled: waits on no one
    assert items[1].name == "Sam Okafor" and items[1].assignee is None


def test_a_clerk_assigns_and_unassigns_audited(filled: Desk, engine: Engine) -> None:
    staff = add_staff(engine)
    number = filled.numbers["waiver"]
    assign(engine, number, "JLee")  # usernames are folded to lower case
    assert assignee_of(engine, number) == (staff.ids["jlee"], CLOCK)
    (item,) = [i for i in queue(engine) if i.number == number]
    assert (item.assignee, item.assignee_name) == ("jlee", "Jordan Lee")
    assign(engine, number, "jlee")  # again: nothing changes, nothing more is recorded
    assign(engine, number, None)
    assert assignee_of(engine, number) == (None, None)
    with transaction(engine) as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "contest.assigned", AuditEvent.entity_key == number)
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.actor, e.before, e.after) for e in events] == [
            (CLERK.name, {"assignee": None}, {"assignee": "jlee"}),
            (CLERK.name, {"assignee": "jlee"}, {"assignee": None}),
        ]


def test_an_assignee_must_be_active_and_able_to_take_the_step(filled: Desk, engine: Engine) -> None:
    add_staff(engine)
    waiver, review = filled.numbers["waiver"], filled.numbers["review"]
    assert refusal(engine, waiver, "nobody") == "assignee: there is no staff account 'nobody'"
    assert refusal(engine, waiver, "gone") == "assignee: the account 'gone' is disabled"
    assert refusal(engine, waiver, "pkim") == (
        "assignee: Pat Kim is a hearing officer, who may not decide waiver"
    )
    assert refusal(engine, filled.numbers["to_schedule"], "pkim").endswith("may not manage docket")
    assert refusal(engine, review, "amoss").endswith("is an auditor, who may not decide review")
    assert refusal(engine, filled.numbers["on_docket"], "jlee") == (
        f"number: {filled.numbers['on_docket']} waits on no one (its contest is scheduled)"
    )
    assign(engine, review, "pkim")  # a hearing officer may decide reviews
    assert [i.assignee for i in queue(engine) if i.number == review] == ["pkim"]
    assert [i.assignee for i in queue(engine) if i.number == waiver] == [None]


def test_only_clerks_and_administrators_assign(filled: Desk, engine: Engine) -> None:
    add_staff(engine)
    for role in (Role.HEARING_OFFICER, Role.AUDITOR, Role.OFFICER):
        with pytest.raises(PermissionDenied):
            assign(engine, filled.numbers["review"], "jlee", Actor("x", role, agency="DCPD"))
    assign(engine, filled.numbers["review"], "jlee", Actor("admin", Role.ADMIN))


def test_filters_by_tier_and_assignee_and_mine(filled: Desk, engine: Engine) -> None:
    staff = add_staff(engine)
    review, waiver, ready = (filled.numbers[k] for k in ("review", "waiver", "to_schedule"))
    assign(engine, review, "pkim")
    assign(engine, waiver, "jlee")
    assert numbers(queue(engine, tier=Tier.WAIVER)) == [waiver]
    assert numbers(queue(engine, tier=Tier.DEPOSIT)) == []
    assert numbers(queue(engine, whose=Whose.UNASSIGNED)) == [ready]
    assert numbers(queue(engine, whose=Whose.USER, username="PKim")) == [review]
    jordan = staff.actor("jlee")
    assert numbers(queue(engine, jordan, whose=Whose.MINE)) == [waiver]
    assert numbers(queue(engine, staff.actor("amoss"), whose=Whose.MINE)) == []
    with pytest.raises(InputRejected, match="their own account"):
        queue(engine, CLERK, whose=Whose.MINE)  # a token has no work of its own
    assert numbers(queue(engine, jordan, whose=Whose.MINE, tier=Tier.REVIEW)) == []


def test_filters_by_deadline(filled: Desk, engine: Engine) -> None:
    review, waiver, ready = (filled.numbers[k] for k in ("review", "waiver", "to_schedule"))
    assert numbers(queue(engine, overdue=True)) == []
    assert numbers(queue(engine, due_within=6)) == [review]  # due on the 10th, six days on
    assert numbers(queue(engine, due_within=5)) == []
    later = datetime(2026, 12, 12, 18, 0, tzinfo=UTC)  # the review's deadline has passed
    late = queue(engine, now=later, overdue=True)
    assert [(i.number, i.days_left) for i in late] == [(review, -2)]
    assert numbers(queue(engine, now=later, due_within=4)) == [review, ready, waiver]
    assert numbers(queue(engine, now=later, due_within=4, overdue=True)) == [review]
    with pytest.raises(InputRejected):
        queue(engine, due_within=-1)


def test_a_deposit_due_and_a_set_aside_request_wait_too(filled: Desk, engine: Engine) -> None:
    add_staff(engine)
    waiver, issued = filled.numbers["waiver"], filled.numbers["issued"]
    with transaction(engine) as session:
        contest = decide_waiver(session, waiver, False, "Over the limit.", actor=CLERK, now=CLOCK)
        due = contest.deposit_due_on
        citation = session.scalars(select(Citation).where(Citation.number == issued)).one()
        session.add(
            PersonRequest(
                citation_id=citation.id,
                kind="set_aside",
                received_at=CLOCK,
                statement="I was in hospital.",
                details={"deadline": "2026-12-09"},
                status="waiting",
            )
        )
    items = {i.number: i for i in queue(engine)}
    assert (items[waiver].tier, items[waiver].deadline) == (Tier.DEPOSIT, due)
    assert (items[issued].tier, items[issued].deadline) == (Tier.SET_ASIDE, date(2026, 12, 9))
    assert numbers(queue(engine, tier=Tier.SET_ASIDE)) == [issued]
    assert numbers(queue(engine, due_within=5)) == [issued]
    assert issued not in numbers(queue(engine, whose=Whose.USER, username="jlee"))
    assign(engine, waiver, "jlee")  # a clerk may record the deposit
    assert numbers(queue(engine, tier=Tier.DEPOSIT, whose=Whose.USER, username="jlee")) == [waiver]
    # The set-aside request is assigned by its citation's number, to whoever may answer it.
    assert refusal(engine, issued, "amoss").endswith("may not answer requests")
    assign(engine, issued, "pkim")
    assert numbers(queue(engine, whose=Whose.USER, username="pkim")) == [issued]
    assert issued not in numbers(queue(engine, whose=Whose.UNASSIGNED))
    with transaction(engine) as session:
        request_id = session.scalars(select(PersonRequest.id)).one()
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "request.assigned")
        ).one()
        assert (event.entity_key, event.before, event.after) == (
            issued,
            {"assignee": None},
            {"assignee": "pkim", "request": request_id},
        )
        assert assignment_of(session, issued, CLERK).name == "Pat Kim"
        assert assignment_of(session, waiver, CLERK).assignee == "jlee"
        assert assignment_of(session, filled.numbers["on_docket"], CLERK).assignee is None


def test_an_officer_sees_only_their_agencys_waiting_work(filled: Desk, engine: Engine) -> None:
    everything = numbers(queue(engine))
    assert numbers(queue(engine, Actor("Officer", Role.OFFICER, agency="DCPD"))) == everything
    assert numbers(queue(engine, Actor("Officer", Role.OFFICER, agency="OTHR"))) == []
    person = Actor("them", Role.PERSON, citation=filled.numbers["waiver"])
    assert numbers(queue(engine, person)) == [filled.numbers["waiver"]]


def test_the_choice_of_staff_leaves_out_disabled_accounts(filled: Desk, engine: Engine) -> None:
    add_staff(engine)
    with transaction(engine) as session:
        choices = active_staff(session)
    assert [c.username for c in choices] == ["amoss", "jlee", "pkim"]  # by name
    assert [c.username for c in choices if may_take(c.role, Tier.WAIVER)] == ["jlee"]
    assert not may_take("no_such_role", Tier.REVIEW)
