"""The contests waiting on the clerks, oldest first, with the deadline each one faces.

- Initial reviews requested and not yet decided: the deadline is the one the request had to
  meet (the contest deadline), with whether it met it or was accepted late.
- Hardship waivers requested with a hearing request: the deadline is the hearing-request
  deadline the request had to meet.
- Deposits due after a refused waiver: the deadline is the day the deposit is due; after it
  the hearing request lapses.
- Hearings ready to schedule (deposit paid or waived).
- Requests to set a default aside that people sent online.

Each row marks what the person sent online (the request itself, how many files, the hearing
mode and accommodation they asked for).

Above them, the citations flagged for a clerk's attention (a mailed document came back).

The work queues (citations.hearings.assign): each list is in deadline order and shows who
the contest is assigned to; a GET form filters them by tier, deadline and assignee ("Mine":
the signed-in account's own), and a clerk assigns each contest from its row (to one of the
staff who may take its next step, or to themselves).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from citations.attachments.tables import Attachment
from citations.audit import AuditEvent
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.database import reading, transaction
from citations.errors import InputRejected
from citations.hearings.assign import (
    QueueFilters,
    QueueItem,
    Tier,
    Whose,
    active_staff,
    assign_contest,
    may_take,
    work_queue,
)
from citations.hearings.tables import Contest
from citations.http.deps import EngineDep
from citations.online.requests import RequestKind
from citations.record.person import PersonRequest
from citations.record.tables import Citation
from citations.roles import CITED_PERSON_ONLINE, Action, Actor
from citations.web.auth import ActorDep, ClockDep, FormDep
from citations.web.guard import PREFIX, web_router
from citations.web.pages import Formats, person, render

router = web_router()
ONLINE = CITED_PERSON_ONLINE


@dataclass(frozen=True)
class Waiting:
    number: str
    name: str
    since: datetime
    """When the request arrived (the queue's order: oldest first)."""
    deadline: date | None
    late_reason: str | None
    days_waiting: int
    interpreter: str | None
    online: bool = False
    """The person took this step themselves, on the public pages."""
    files: int = 0
    hearing_mode: str | None = None
    accommodation: str | None = None
    days_left: int | None = None
    assignee: str | None = None
    """The username the contest is assigned to (None: anyone's)."""
    assignee_name: str | None = None


STEP_EVENT = {
    "review_requested": "contest.review_requested",
    "waiver_pending": "contest.hearing_requested",
    "deposit_due": "contest.hearing_requested",
    "ready": "contest.hearing_requested",
}


def _sent_online(session: Session, numbers: list[str], action: str) -> set[str]:
    """The citations among `numbers` whose `action` the person took online."""
    if not numbers:
        return set()
    return set(
        session.scalars(
            select(AuditEvent.entity_key).where(
                AuditEvent.entity_type == "citation",
                AuditEvent.entity_key.in_(numbers),
                AuditEvent.action == action,
                AuditEvent.actor == ONLINE,
            )
        )
    )


def _file_counts(session: Session, citation_ids: list[int]) -> dict[int, int]:
    if not citation_ids:
        return {}
    rows = session.execute(
        select(Attachment.citation_id, func.count())
        .where(Attachment.citation_id.in_(citation_ids), Attachment.source == "person")
        .group_by(Attachment.citation_id)
    )
    return {int(citation_id or 0): int(count) for citation_id, count in rows}


def _waiting(
    session: Session, stage: str, since: str, today: date, formats: Formats
) -> list[Waiting]:
    order = getattr(Contest, since)
    contests = session.scalars(
        select(Contest)
        .where(Contest.stage == stage)
        .order_by(order, Contest.id)
        .options(selectinload(Contest.citation))
    ).all()
    online = _sent_online(session, [c.citation.number for c in contests], STEP_EVENT[stage])
    files = _file_counts(session, [c.citation_id for c in contests])
    rows = []
    for contest in contests:
        arrived: datetime = getattr(contest, since)
        deadline: date | None
        if stage == "review_requested":
            deadline, late = contest.review_deadline, contest.review_late_reason
        elif stage == "deposit_due":
            deadline, late = contest.deposit_due_on, None
        else:
            deadline, late = contest.hearing_deadline, contest.hearing_late_reason
        rows.append(
            Waiting(
                number=contest.citation.number,
                name=person(contest.citation.subject),
                since=arrived,
                deadline=deadline,
                late_reason=late,
                days_waiting=(today - formats.local(arrived).date()).days,
                interpreter=contest.interpreter_language,
                online=contest.citation.number in online,
                files=files.get(contest.citation_id, 0),
                hearing_mode=contest.hearing_mode if contest.hearing_requested_at else None,
                accommodation=contest.accommodation,
            )
        )
    return rows


@dataclass(frozen=True)
class SetAsideWaiting:
    number: str
    name: str
    since: datetime
    deadline: date | None
    files: int
    days_left: int | None = None
    assignee: str | None = None
    assignee_name: str | None = None


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def set_asides_waiting(session: Session, actor: Actor) -> list[SetAsideWaiting]:
    """Requests to set a default aside sent online and not yet answered, oldest first."""
    actor.require(Action.READ_CITATION)
    requests = session.scalars(
        select(PersonRequest)
        .where(PersonRequest.kind == RequestKind.SET_ASIDE.value, PersonRequest.status == "waiting")
        .order_by(PersonRequest.received_at, PersonRequest.id)
        .options(selectinload(PersonRequest.citation))
    ).all()
    files = _file_counts(session, [r.citation_id for r in requests])
    return [
        SetAsideWaiting(
            number=r.citation.number,
            name=person(r.citation.subject),
            since=r.received_at,
            deadline=_day((r.details or {}).get("deadline")),
            files=files.get(r.citation_id, 0),
        )
        for r in requests
    ]


@dataclass(frozen=True)
class Flagged:
    number: str
    name: str
    attention: str


def flagged(session: Session) -> list[Flagged]:
    """Citations a clerk must look at (a returned letter), oldest citation first."""
    citations = session.scalars(
        select(Citation).where(Citation.attention.is_not(None)).order_by(Citation.id)
    )
    return [Flagged(c.number, person(c.subject), c.attention or "") for c in citations]


def _attention(session: Session, actor: Actor) -> list[Flagged]:
    actor.require(Action.READ_CITATION)
    return flagged(session)


TIER_LIST = {
    Tier.REVIEW: "reviews",
    Tier.WAIVER: "waivers",
    Tier.DEPOSIT: "deposits",
    Tier.SCHEDULE: "ready",
}
"""The page's list (and section) for each tier of contest."""

WINDOWS = {"overdue": "Overdue", "0": "Due today", "3": "Within 3 days", "7": "Within 7 days"}
"""The deadline windows the filter offers (a window includes what is overdue)."""


@dataclass(frozen=True)
class View:
    """The filters as the page's GET form sends them (and as links keep them)."""

    tier: str = ""
    due: str = ""
    assignee: str = ""

    @classmethod
    def read(cls, tier: str, due: str, assignee: str) -> View:
        """Unknown values show everything rather than an error (a link from an old page)."""
        return cls(
            tier=tier if tier in Tier.__members__.values() else "",
            due=due if due in WINDOWS else "",
            assignee=assignee.strip().lower()[:64],
        )

    def filters(self) -> QueueFilters:
        whose = {"": Whose.ANYONE, "unassigned": Whose.UNASSIGNED, "mine": Whose.MINE}
        return QueueFilters(
            tier=Tier(self.tier) if self.tier else None,
            overdue=self.due == "overdue",
            due_within=int(self.due) if self.due.isdigit() else None,
            whose=whose.get(self.assignee, Whose.USER),
            username=self.assignee if self.assignee not in whose else None,
        )

    def query(self) -> str:
        fields = {"tier": self.tier, "due": self.due, "assignee": self.assignee}
        return urlencode({k: v for k, v in fields.items() if v})

    @property
    def filtered(self) -> bool:
        return bool(self.tier or self.due or self.assignee)


def _in_queue(rows: list[Any], items: list[QueueItem]) -> list[Any]:
    """The rows of `items`, in the queue's order, with its deadline arithmetic and assignee."""
    by_number = {row.number: row for row in rows}
    return [
        replace(
            by_number[item.number],
            days_left=item.days_left,
            assignee=item.assignee,
            assignee_name=item.assignee_name,
        )
        for item in items
        if item.number in by_number
    ]


def _contests_page(
    request: Request,
    actor: Actor,
    engine: Any,
    now: datetime,
    view: View,
    *,
    done: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with reading(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        formats = Formats.of(profile)
        try:
            items = work_queue(session, view.filters(), actor, now)
        except InputRejected as refused:
            items, error, status_code = [], "; ".join(e.message for e in refused.errors), 422
        lists: dict[str, Any] = {}
        for tier, name in TIER_LIST.items():
            rows = _tier_rows(session, tier, now, formats) if view.tier in ("", tier) else []
            lists[name] = _in_queue(rows, [i for i in items if i.tier is tier])
        asides = set_asides_waiting(session, actor) if view.tier in ("", Tier.SET_ASIDE) else []
        lists["set_asides"] = _in_queue(asides, [i for i in items if i.tier is Tier.SET_ASIDE])
        lists["attention"] = [] if view.filtered else _attention(session, actor)
        staff = active_staff(session)
        return render(
            request,
            "contests.html",
            status_code,
            fmt=formats,
            today=local_date(now, profile),
            view=view,
            windows=WINDOWS,
            tiers={tier.value: label for tier, label in TIER_LABELS.items()},
            staff=staff,
            eligible={tier.value: [s for s in staff if may_take(s.role, tier)] for tier in Tier},
            me=next((s for s in staff if s.id == actor.user_id), None),
            done=done,
            error=error,
            mine_view=view.assignee == "mine",
            **lists,
        )


TIER_LABELS = {
    Tier.REVIEW: "Initial reviews",
    Tier.WAIVER: "Hardship waivers",
    Tier.DEPOSIT: "Deposits due",
    Tier.SCHEDULE: "Hearings to schedule",
    Tier.SET_ASIDE: "Set-aside requests",
}


def _tier_rows(session: Session, tier: Tier, now: datetime, formats: Formats) -> list[Waiting]:
    """One tier's contests with what the person sent online (three queries, any length)."""
    stage, since = {
        Tier.REVIEW: ("review_requested", "review_requested_at"),
        Tier.WAIVER: ("waiver_pending", "hearing_requested_at"),
        Tier.DEPOSIT: ("deposit_due", "hearing_requested_at"),
        Tier.SCHEDULE: ("ready", "hearing_requested_at"),
    }[tier]
    return _waiting(session, stage, since, formats.local(now).date(), formats)


@router.get("/contests")
def contests(
    request: Request,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
    tier: str = "",
    due: str = "",
    assignee: str = "",
    done: str = "",
) -> Response:
    return _contests_page(request, actor, engine, now, View.read(tier, due, assignee), done=done)


@router.post("/contests/{number}/assignee")
def assign(
    number: str,
    request: Request,
    form: FormDep,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
) -> Response:
    """Assign (or with an empty choice, unassign) from the queue's row, then back to the
    same view of the queue; a refused assignee is said on the page, the view kept."""
    view = View.read(form.get("tier", ""), form.get("due", ""), form.get("view_assignee", ""))
    chosen = form.get("assignee", "").strip() or None
    try:
        with transaction(engine) as session:
            assign_contest(session, number, chosen, actor=actor, now=now)
    except InputRejected as refused:
        message = "; ".join(e.message for e in refused.errors)
        return _contests_page(
            request, actor, engine, now, view, error=f"{number}: {message}", status_code=422
        )
    query = "&".join(q for q in (view.query(), urlencode({"done": number})) if q)
    return RedirectResponse(f"{PREFIX}/contests?{query}", status_code=303)
