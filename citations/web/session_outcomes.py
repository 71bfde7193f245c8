"""A session's page: its hearings in docket order, where the clerk records every hearing's
outcome in one pass (decided, no-show, continued, or not yet).

Each row goes through the same library function its single form calls (`decide_hearing`,
`record_no_show`, `continue_hearing`), so the rules, the orders, the notices and the audit
events are the same. The whole pass is one transaction and all or nothing: each row is
tried in its own savepoint so that every row's problems are found in one submit, and if any
row is refused, nothing is saved and the page comes back with each problem next to its row
and everything typed kept. A clerk then fixes the marked rows and submits once more, and no
hearing is ever left half recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from fastapi import Path, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, aliased

from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.errors import IllegalTransition, InputRejected, NotFound
from citations.hearings.build import docket_sheet_for
from citations.hearings.contests import DeadlineMissed
from citations.hearings.decisions import Outcome, Signer
from citations.hearings.documents import DocketEntry, DocketSheetContext
from citations.hearings.officers import get_session
from citations.hearings.scheduling import (
    continue_hearing,
    decide_hearing,
    earliest_day,
    record_no_show,
)
from citations.hearings.tables import DocketSession, Hearing, Order
from citations.http.deps import EngineDep
from citations.inputs import MAX_WHOLE
from citations.roles import Action, Actor
from citations.web.auth import ActorDep, ClockDep, FormDep
from citations.web.forms import FormState, Parser, Values
from citations.web.guard import PREFIX, web_router
from citations.web.hearing_forms import SessionChoice, sessions_from
from citations.web.pages import Formats, render

router = web_router()

CHOICES: dict[str, str] = {
    "pending": "Not yet (leave as it is)",
    "upheld": "Appeared: upheld",
    "reduced": "Appeared: reduced",
    "dismissed": "Appeared: dismissed",
    "no_show": "Did not appear (no-show)",
    "continued": "Continued to another session",
}
"""What a row may record, as the page offers it; "pending" leaves the hearing alone."""

ROW_FIELDS = frozenset(
    {"outcome", "findings", "new_amount", "reduction_reason", "session", "reason"}
)
"""The fields of one row; on the page each is named `r{position}-{field}`."""

PAGE_FIELDS = frozenset({"decided_by_name", "decided_by_title"})
"""Who decided: the session's hearing officer, once for the whole pass."""

SessionId = Annotated[int, Path(ge=1, le=MAX_WHOLE)]


def row_name(position: int, name: str) -> str:
    """The page's name of a row's field.

    >>> row_name(3, "findings")
    'r3-findings'
    """
    return f"r{position}-{name}"


@dataclass
class Outcomes:
    """What the page shows: the values typed, the problems by field, and, per row, the
    problems that name no field of the row (a hearing that has not begun yet)."""

    form: FormState = field(default_factory=FormState)
    rows: dict[int, list[str]] = field(default_factory=dict)


class Refused(Exception):
    """Some row was refused: the pass is rolled back and the page shows why."""

    def __init__(self, outcomes: Outcomes) -> None:
        super().__init__("some rows were refused")
        self.outcomes = outcomes


def _signer(read: Parser) -> Signer:
    return Signer(read.text("decided_by_name"), read.optional("decided_by_title"))


def _record_row(
    session: Session, entry: DocketEntry, read: Parser, signer: Signer, actor: Actor, now: datetime
) -> None:
    """Record one row's outcome through the library, as the single forms do."""
    number = entry.citation_number
    chosen = read.text("outcome")
    if chosen == "no_show":
        read.submit(lambda: record_no_show(session, number, actor=actor, now=now))
    elif chosen == "continued":
        picked = read.text("session")
        target = None if picked in ("", "earliest") else read.integer("session")
        reason = read.text("reason")
        read.submit(
            lambda: continue_hearing(
                session, number, reason, actor=actor, now=now, session_id=target
            )
        )
    else:
        outcome = Outcome(read.need(read.choice("outcome", ("upheld", "reduced", "dismissed"))))
        new_amount = read.money("new_amount")
        read.submit(
            lambda: decide_hearing(
                session,
                number,
                outcome,
                read.text("findings"),
                actor=actor,
                now=now,
                new_amount=new_amount,
                reduction_reason=read.optional("reduction_reason"),
                decided_by=signer,
            )
        )


def record_outcomes(
    session: Session, session_id: int, values: Values, actor: Actor, now: datetime
) -> int:
    """Record every row with an outcome chosen; the number recorded. Raises `Refused` (after
    trying every row) if any row is refused: the caller's transaction must then roll back."""
    actor.require(Action.MANAGE_DOCKET)
    sheet = docket_sheet_for(session, session_id, actor, now=now)
    formats = Formats.of(PublishedCatalog(session).jurisdiction())
    page = Parser(values, formats)
    signer = _signer(page)
    outcomes = Outcomes()
    recorded = 0
    for entry in sheet.entries:
        chosen = values.get(row_name(entry.position, "outcome"), "pending")
        if chosen == "pending" or entry.status != "scheduled":
            continue
        row = {name: values.get(row_name(entry.position, name), "") for name in ROW_FIELDS}
        read = Parser(row, formats)
        if chosen not in CHOICES:
            read.refuse("outcome", "choose the outcome from the list")
        savepoint = session.begin_nested()
        try:
            _record_row(session, entry, read, signer, actor, now)
            read.done()
        except (InputRejected, IllegalTransition, NotFound, DeadlineMissed) as exc:
            savepoint.rollback()
            _absorb(outcomes, entry, exc)
            continue
        savepoint.commit()
        recorded += 1
    if page.errors:
        outcomes.form.absorb(InputRejected(page.errors), PAGE_FIELDS)
    if outcomes.form.errors or outcomes.form.general or outcomes.rows:
        raise Refused(outcomes)
    return recorded


def _absorb(outcomes: Outcomes, entry: DocketEntry, exc: Exception) -> None:
    """One row's problems, next to that row's fields (or the page's "decided by"); a problem
    of no field goes at the top of the row and in the page's summary."""
    position = entry.position
    row = FormState()
    row.absorb(exc, ROW_FIELDS | PAGE_FIELDS)
    for name, messages in row.errors.items():
        for message in messages:
            if name in PAGE_FIELDS:
                if message not in outcomes.form.errors.get(name, []):
                    outcomes.form.errors.setdefault(name, []).append(message)
            else:
                outcomes.form.errors.setdefault(row_name(position, name), []).append(message)
    if row.general:
        outcomes.rows.setdefault(position, []).extend(row.general)
        outcomes.form.general.extend(
            f"#{position} {entry.citation_number}: {message}" for message in row.general
        )


def continue_choices(session: Session, now: datetime, here: int) -> list[SessionChoice]:
    """Sessions a hearing may be continued to: from the first day a hearing may be set."""
    first = earliest_day(PublishedCatalog(session).jurisdiction(), now)
    return sessions_from(session, first, leave_out=here)


@dataclass(frozen=True)
class Recorded:
    """What became of a hearing no longer scheduled: its order's outcome, or the day it was
    continued to."""

    outcome: str | None = None
    continued_to: date | None = None


def recorded(session: Session, session_id: int) -> dict[int, Recorded]:
    """By docket position, what each decided, defaulted or continued hearing became."""
    found: dict[int, Recorded] = {}
    rows = session.execute(
        select(Hearing.position, Order.outcome)
        .join(Order, Order.hearing_id == Hearing.id)
        .where(Hearing.session_id == session_id)
    )
    for position, outcome in rows:
        found[position] = Recorded(outcome=outcome)
    later = aliased(Hearing)
    moved = session.execute(
        select(Hearing.position, DocketSession.day)
        .join(later, Hearing.replaced_by_id == later.id)
        .join(DocketSession, later.session_id == DocketSession.id)
        .where(Hearing.session_id == session_id)
    )
    for position, day in moved:
        found[position] = Recorded(continued_to=day)
    return found


def defaults(sheet: DocketSheetContext) -> Values:
    """Every row "not yet", continued to "the earliest that fits", signed by the officer."""
    values = {"decided_by_name": sheet.hearing_officer_name}
    for entry in sheet.entries:
        values[row_name(entry.position, "outcome")] = "pending"
        values[row_name(entry.position, "session")] = "earliest"
    return values


def show(
    request: Request,
    session_id: int,
    actor: Actor,
    engine: Engine,
    now: datetime,
    outcomes: Outcomes | None = None,
) -> Response:
    actor.require(Action.MANAGE_DOCKET)
    with transaction(engine) as session:
        sheet = docket_sheet_for(session, session_id, actor, now=now)
        docket = get_session(session, session_id)
        formats = Formats.of(PublishedCatalog(session).jurisdiction())
        if outcomes is None:
            outcomes = Outcomes(FormState(values=defaults(sheet)))
        done = request.query_params.get("done", "")
        return render(
            request,
            "docket_session.html",
            422 if outcomes.rows or outcomes.form.errors or outcomes.form.general else 200,
            fmt=formats,
            sheet=sheet,
            session_id=session_id,
            booked=docket.booked,
            left=docket.capacity - docket.booked,
            form=outcomes.form,
            row_problems=outcomes.rows,
            recorded=recorded(session, session_id),
            choices=CHOICES,
            sessions=continue_choices(session, now, session_id),
            open_rows=sum(1 for e in sheet.entries if e.status == "scheduled"),
            done=int(done) if done.isdigit() else None,
            action=f"{PREFIX}/sessions/{session_id}",
        )


@router.get("/sessions/{session_id}")
def session_page(
    session_id: SessionId, request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    """The session's hearings in docket order, each with its outcome to record."""
    return show(request, session_id, actor, engine, now)


@router.post("/sessions/{session_id}")
def session_submit(
    session_id: SessionId,
    request: Request,
    form: FormDep,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
) -> Response:
    """Record the whole pass, or nothing: see the module's docstring."""
    typed = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        with transaction(engine) as session:
            recorded = record_outcomes(session, session_id, typed, actor, now)
    except Refused as refused:
        refused.outcomes.form.values = typed
        refused.outcomes.form.summary = "nothing was saved; fix the marked rows"
        return show(request, session_id, actor, engine, now, refused.outcomes)
    return RedirectResponse(
        f"{PREFIX}/sessions/{session_id}?done={recorded}#outcomes", status_code=303
    )
