"""Work queues: who takes each contest waiting on the clerks, and each person's list.

A contest waits on staff at four points (its tier): the initial review to decide, a hardship
waiver to decide, a deposit due after a refused waiver, and a hearing ready to schedule.
Requests to set a default aside, sent online, wait too. A clerk assigns a contest to a staff
member whose role may take its next step (a hearing officer may decide reviews, never
waivers), so that the work shared out is work each person can finish; "mine" is the list of
the signed-in person's account (Actor.user_id), never a name.

The assignment stays with the contest as it moves on: the person who decided the review is
the one who sees the waiver next, until a clerk hands it to someone else.

A request to set a default aside waits on staff too, and is assigned the same way, by its
citation's number: a citation's contest waits at one of the four points, or (after a
default) its set-aside request does, never both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, false, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from citations.audit import record
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected
from citations.hearings.lookup import contest_of
from citations.hearings.tables import Contest
from citations.issuing.intake import Subject
from citations.record.lookup import find_citation, lock_citation
from citations.record.person import PersonRequest
from citations.record.staff import StaffUser
from citations.record.tables import Agency, Citation
from citations.roles import AGENCY_BOUND, PERMISSIONS, Action, Actor, Role


class Tier(StrEnum):
    """What a waiting item needs next."""

    REVIEW = "review"
    WAIVER = "waiver"
    DEPOSIT = "deposit"
    SCHEDULE = "schedule"
    SET_ASIDE = "set_aside"


STAGE_TIER = {
    "review_requested": Tier.REVIEW,
    "waiver_pending": Tier.WAIVER,
    "deposit_due": Tier.DEPOSIT,
    "ready": Tier.SCHEDULE,
}
"""The contest stages that wait on staff, and the tier each is in."""

TIER_ACTION = {
    Tier.REVIEW: Action.DECIDE_REVIEW,
    Tier.WAIVER: Action.DECIDE_WAIVER,
    Tier.DEPOSIT: Action.RECEIVE_CONTEST,
    Tier.SCHEDULE: Action.MANAGE_DOCKET,
    Tier.SET_ASIDE: Action.ANSWER_REQUESTS,
}
"""The permission the next step of each tier needs: an assignee's role must have it."""


def may_take(role: str, tier: Tier) -> bool:
    """Whether a staff account of `role` may take the next step of a `tier` item.

    >>> may_take("hearing_officer", Tier.REVIEW), may_take("hearing_officer", Tier.WAIVER)
    (True, False)
    """
    try:
        return Role(role) in PERMISSIONS[TIER_ACTION[tier]]
    except ValueError:
        return False


@dataclass(frozen=True)
class StaffChoice:
    """A staff account work can be given to."""

    id: int
    username: str
    name: str
    role: str


def active_staff(session: Session) -> list[StaffChoice]:
    """Every account not disabled, by name (one query; filter by tier with `may_take`)."""
    rows = session.execute(
        select(StaffUser.id, StaffUser.username, StaffUser.name, StaffUser.role)
        .where(StaffUser.disabled_at.is_(None))
        .order_by(StaffUser.name, StaffUser.username)
    )
    return [StaffChoice(int(i), u, n, r) for i, u, n, r in rows]


def _refused(message: str) -> InputRejected:
    return InputRejected([FieldError("assignee", message)], "the contest cannot be assigned")


def _assignee(session: Session, username: str, tier: Tier) -> StaffUser:
    folded = username.strip().lower()
    user = session.scalar(select(StaffUser).where(StaffUser.username == folded))
    if user is None:
        raise _refused(f"there is no staff account {folded!r}")
    if user.disabled_at is not None:
        raise _refused(f"the account {folded!r} is disabled")
    if not may_take(user.role, tier):
        role = user.role.replace("_", " ")
        step = TIER_ACTION[tier].value.replace("_", " ")
        article = "an" if role[0] in "aeiou" else "a"
        raise _refused(f"{user.name} is {article} {role}, who may not {step}")
    return user


def _set_aside_waiting(session: Session, citation_id: int) -> PersonRequest | None:
    return session.scalar(
        select(PersonRequest)
        .where(
            PersonRequest.citation_id == citation_id,
            PersonRequest.kind == "set_aside",
            PersonRequest.status == "waiting",
        )
        .order_by(PersonRequest.id)
        .limit(1)
    )


def _work_of(session: Session, citation: Citation) -> tuple[Contest | PersonRequest, Tier | None]:
    """What waits on staff for this citation, and its tier: the contest at a waiting stage,
    else a set-aside request waiting for an answer, else the contest (waiting on no one)."""
    contest = session.scalar(select(Contest).where(Contest.citation_id == citation.id))
    if contest is not None and contest.stage in STAGE_TIER:
        return contest, STAGE_TIER[contest.stage]
    request = _set_aside_waiting(session, citation.id)
    if request is not None:
        return request, Tier.SET_ASIDE
    return contest_of(session, citation), None


def assign_contest(
    session: Session, number: str, assignee: str | None, *, actor: Actor, now: datetime
) -> Contest | PersonRequest:
    """Give the work waiting on citation `number` (its contest, or a request to set a
    default aside) to the staff account `assignee` (a username), or take it back into the
    shared queue with None. Audited as `contest.assigned` (or `request.assigned`) with the
    usernames before and after; giving it to whoever has it already changes nothing.

    >>> # assign_contest(session, "DCPD-2026-000001-5", "jlee", actor=clerk, now=now)
    """
    actor.require(Action.ASSIGN_WORK)
    citation = lock_citation(session, number, actor)
    work, tier = _work_of(session, citation)
    before = work.assignee.username if work.assignee is not None else None
    user: StaffUser | None = None
    if assignee is not None:
        if tier is None:
            stage = work.stage.replace("_", " ") if isinstance(work, Contest) else work.status
            waits = f"{citation.number} waits on no one (its contest is {stage})"
            raise InputRejected(
                [FieldError("number", waits)],
                "the contest cannot be assigned",
            )
        user = _assignee(session, assignee, tier)
    after = user.username if user is not None else None
    if after == before:
        return work
    work.assignee = user
    work.assignee_id = user.id if user is not None else None
    work.assigned_at = now if user is not None else None
    what = "contest" if isinstance(work, Contest) else "request"
    record(
        session,
        at=now,
        actor=actor.name,
        action=f"{what}.assigned",
        entity_type="citation",
        entity_key=citation.number,
        before={"assignee": before},
        after={"assignee": after, **({"request": work.id} if what == "request" else {})},
    )
    return work


@dataclass(frozen=True)
class Assignment:
    number: str
    assignee: str | None
    """The username (None: in the shared queue)."""
    name: str | None
    since: datetime | None


def assignment_of(session: Session, number: str, actor: Actor) -> Assignment:
    """Who the work waiting on citation `number` is assigned to, for its page and the API."""
    citation = find_citation(session, number, actor)
    try:
        work, _ = _work_of(session, citation)
    except InputRejected:  # never contested, nothing asked: nobody's
        return Assignment(citation.number, None, None, None)
    user = work.assignee
    if user is None:
        return Assignment(citation.number, None, None, None)
    return Assignment(citation.number, user.username, user.name, work.assigned_at)


class Whose(StrEnum):
    """Whose work a queue shows."""

    ANYONE = "anyone"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    """The acting person's own (Actor.user_id)."""
    USER = "user"
    """One staff account's, by username (QueueFilters.username)."""


@dataclass(frozen=True)
class QueueFilters:
    tier: Tier | None = None
    overdue: bool = False
    """Only items whose deadline has passed."""
    due_within: int | None = None
    """Only items due within this many days from today (the overdue ones included)."""
    whose: Whose = Whose.ANYONE
    username: str | None = None


@dataclass(frozen=True)
class QueueItem:
    number: str
    name: str
    tier: Tier
    deadline: date | None
    days_left: int | None
    """Days from today to the deadline; negative once it has passed."""
    arrived: datetime
    assignee: str | None
    """The assignee's username."""
    assignee_name: str | None


def _name(subject: Any) -> str:
    return Subject.model_validate(subject).full_name()


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _last_day(filters: QueueFilters, today: date) -> date | None:
    """The latest deadline the filters let through (None: any, or none at all)."""
    if filters.due_within is not None and filters.due_within < 0:
        raise InputRejected([FieldError("due_within", "give a number of days, 0 or more")])
    days = [
        *([-1] if filters.overdue else []),
        *([filters.due_within] if filters.due_within is not None else []),
    ]
    return today + timedelta(days=min(days)) if days else None


def _whose(
    filters: QueueFilters, actor: Actor, assignee_id: InstrumentedAttribute[int | None]
) -> ColumnElement[bool] | None:
    if filters.whose is Whose.UNASSIGNED:
        return assignee_id.is_(None)
    if filters.whose is Whose.MINE:
        if actor.user_id is None:
            alone = "only a person signed in with their own account has work of their own"
            raise InputRejected([FieldError("assignee", alone)])
        return assignee_id == actor.user_id
    if filters.whose is Whose.USER:
        if not filters.username:
            raise InputRejected([FieldError("assignee", "name the staff account")])
        return StaffUser.username == filters.username.strip().lower()
    return None


def _visible(actor: Actor) -> ColumnElement[bool] | None:
    """What the actor may read of the queue: an officer their agency's citations only, the
    cited person their own (as find_citation has it); staff everything."""
    if actor.role is Role.PERSON:
        return Citation.number == (actor.citation or "")
    if actor.role in AGENCY_BOUND:
        agency = select(Agency.id).where(Agency.code == (actor.agency or "")).scalar_subquery()
        return Citation.agency_id == agency
    return None


def _contests(
    session: Session, filters: QueueFilters, actor: Actor, today: date
) -> list[QueueItem]:
    deadline = case(
        (Contest.stage == "review_requested", Contest.review_deadline),
        (Contest.stage == "deposit_due", Contest.deposit_due_on),
        else_=Contest.hearing_deadline,
    )
    arrived = case(
        (Contest.stage == "review_requested", Contest.review_requested_at),
        else_=Contest.hearing_requested_at,
    )
    stages = [s for s, t in STAGE_TIER.items() if filters.tier in (None, t)]
    query = (
        select(
            Contest.stage,
            Citation.number,
            Citation.subject,
            deadline,
            arrived,
            StaffUser.username,
            StaffUser.name,
        )
        .join(Citation, Contest.citation_id == Citation.id)
        .outerjoin(StaffUser, Contest.assignee_id == StaffUser.id)
        .where(Contest.stage.in_(stages) if stages else false())
    )
    last = _last_day(filters, today)
    if last is not None:
        query = query.where(deadline <= last)
    for condition in (_whose(filters, actor, Contest.assignee_id), _visible(actor)):
        if condition is not None:
            query = query.where(condition)
    return [
        QueueItem(
            number=number,
            name=_name(subject),
            tier=STAGE_TIER[stage],
            deadline=due,
            days_left=(due - today).days if due is not None else None,
            arrived=came,
            assignee=username,
            assignee_name=staff_name,
        )
        for stage, number, subject, due, came, username, staff_name in session.execute(query)
    ]


def _set_asides(
    session: Session, filters: QueueFilters, actor: Actor, today: date
) -> list[QueueItem]:
    if filters.tier not in (None, Tier.SET_ASIDE):
        return []
    query = (
        select(
            PersonRequest.received_at,
            PersonRequest.details,
            Citation.number,
            Citation.subject,
            StaffUser.username,
            StaffUser.name,
        )
        .join(Citation, PersonRequest.citation_id == Citation.id)
        .outerjoin(StaffUser, PersonRequest.assignee_id == StaffUser.id)
        .where(PersonRequest.kind == "set_aside", PersonRequest.status == "waiting")
    )
    for condition in (_whose(filters, actor, PersonRequest.assignee_id), _visible(actor)):
        if condition is not None:
            query = query.where(condition)
    last = _last_day(filters, today)
    items = []
    for received, details, number, subject, username, staff_name in session.execute(query):
        # The deadline is in the request's details (JSON): filtered here, not in SQL.
        due = _day((details or {}).get("deadline"))
        if last is not None and (due is None or due > last):
            continue
        items.append(
            QueueItem(
                number=number,
                name=_name(subject),
                tier=Tier.SET_ASIDE,
                deadline=due,
                days_left=(due - today).days if due is not None else None,
                arrived=received,
                assignee=username,
                assignee_name=staff_name,
            )
        )
    return items


def work_queue(
    session: Session, filters: QueueFilters, actor: Actor, now: datetime
) -> list[QueueItem]:
    """The items waiting on staff that pass `filters`, the nearest deadline first (those
    without one last), then the earliest arrival. Two queries, whatever the length.

    >>> # work_queue(session, QueueFilters(whose=Whose.MINE, due_within=7), clerk, now)
    """
    actor.require(Action.READ_CITATION)
    today = local_date(now, PublishedCatalog(session).jurisdiction())
    items = _contests(session, filters, actor, today) + _set_asides(session, filters, actor, today)
    return sorted(
        items,
        key=lambda i: (i.deadline is None, i.deadline or today, _aware(i.arrived), i.number),
    )


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes through a CASE (the column type is lost): UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
