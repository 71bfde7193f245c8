"""The hearing forms: schedule, continue, no-show, set aside a default, and the decision.

Each reads what the clerk typed and calls the one library function the CLI and API call.
Where a form proposes something (the earliest session that fits), the library decides it:
the step is rehearsed in a savepoint and undone, so the proposal is exactly what the library
would do now, recusals, capacity and the notice lead time included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from citations.errors import IllegalTransition, InputRejected
from citations.hearings.build import HearingPublic, contest_summary
from citations.hearings.decisions import Outcome
from citations.hearings.officers import list_sessions
from citations.hearings.scheduling import (
    continue_hearing,
    decide_hearing,
    earliest_day,
    record_no_show,
    schedule_hearing,
    set_aside_default,
)
from citations.roles import Action
from citations.web.forms import Desk, FormPage, Parser, Values, local_now, rehearse

LOOK_AHEAD = timedelta(days=180)
"""How far ahead the session list of the schedule and continue forms reaches."""

OUTCOMES = ("upheld", "dismissed", "reduced")


@dataclass(frozen=True)
class SessionChoice:
    id: int
    day: date
    start: time
    officer: str
    place: str
    capacity: int
    left: int


def session_choices(desk: Desk) -> list[SessionChoice]:
    """Sessions from the first day a hearing may be set, with the places left in each."""
    return sessions_from(desk.session, earliest_day(desk.profile, desk.now))


def sessions_from(
    session: Session, first: date, leave_out: int | None = None
) -> list[SessionChoice]:
    """The sessions a hearing may be set or continued to, from `first` (the first day a
    hearing may be set) for LOOK_AHEAD, with the places left in each; `leave_out` is the
    session a hearing is continued from."""
    return [
        SessionChoice(
            id=s.id,
            day=s.day,
            start=s.start_time,
            officer=s.officer.name,
            place=s.place or s.remote_link or "",
            capacity=s.capacity,
            left=s.capacity - s.booked,
        )
        for s in list_sessions(session, first, first + LOOK_AHEAD)
        if s.id != leave_out
    ]


def proposal(desk: Desk, continuing: bool) -> tuple[int | None, str | None]:
    """The session the library would choose now, or why it cannot choose one."""
    number = desk.citation.number

    def step() -> int:
        if continuing:
            hearing = continue_hearing(
                desk.session, number, "proposal only", actor=desk.actor, now=desk.now
            )
        else:
            hearing = schedule_hearing(desk.session, number, actor=desk.actor, now=desk.now)
        return hearing.session_id

    try:
        return rehearse(desk.session, step), None
    except InputRejected as exc:
        return None, "; ".join(e.message for e in exc.errors) or exc.summary
    except IllegalTransition as exc:
        return None, str(exc)


def _chosen_session(read: Parser) -> int | None:
    """None for "the earliest that fits"; else the session picked from the list."""
    if read.text("session") in ("", "earliest"):
        return None
    return read.integer("session")


def current_hearing(desk: Desk) -> HearingPublic | None:
    try:
        contest = contest_summary(desk.session, desk.citation.number, desk.actor)
    except InputRejected:
        return None
    return next((h for h in reversed(contest.hearings) if h.status == "scheduled"), None)


class Schedule(FormPage):
    slug = "schedule"
    template = "forms/schedule.html"
    fields = frozenset({"session"})
    action = Action.SCHEDULE_HEARING

    def defaults(self, desk: Desk) -> Values:
        return {"session": "earliest"}

    def extra(self, desk: Desk) -> dict[str, Any]:
        proposed, problem = proposal(desk, continuing=False)
        return {"sessions": session_choices(desk), "proposed": proposed, "problem": problem}

    def act(self, desk: Desk, read: Parser) -> None:
        chosen = _chosen_session(read)
        read.submit(
            lambda: schedule_hearing(
                desk.session,
                desk.citation.number,
                actor=desk.actor,
                now=desk.now,
                session_id=chosen,
            )
        )


class Continue(FormPage):
    slug = "continue"
    template = "forms/continue.html"
    fields = frozenset({"reason", "session"})
    action = Action.SCHEDULE_HEARING

    def defaults(self, desk: Desk) -> Values:
        return {"session": "earliest"}

    def extra(self, desk: Desk) -> dict[str, Any]:
        proposed, problem = proposal(desk, continuing=True)
        return {
            "sessions": session_choices(desk),
            "proposed": proposed,
            "problem": problem,
            "current": current_hearing(desk),
        }

    def act(self, desk: Desk, read: Parser) -> None:
        chosen = _chosen_session(read)
        reason = read.text("reason")
        read.submit(
            lambda: continue_hearing(
                desk.session,
                desk.citation.number,
                reason,
                actor=desk.actor,
                now=desk.now,
                session_id=chosen,
            )
        )


class NoShow(FormPage):
    slug = "no-show"
    template = "forms/no_show.html"
    fields = frozenset()
    action = Action.DECIDE_HEARING

    def extra(self, desk: Desk) -> dict[str, Any]:
        return {"current": current_hearing(desk)}

    def act(self, desk: Desk, read: Parser) -> None:
        record_no_show(desk.session, desk.citation.number, actor=desk.actor, now=desk.now)


class SetAside(FormPage):
    slug = "set-aside"
    template = "forms/set_aside.html"
    fields = frozenset({"reason", "received_at"})
    action = Action.DECIDE_HEARING

    def defaults(self, desk: Desk) -> Values:
        return {"received_at": local_now(desk)}

    def act(self, desk: Desk, read: Parser) -> None:
        received = read.moment("received_at")
        reason = read.text("reason")
        read.submit(
            lambda: set_aside_default(
                desk.session,
                desk.citation.number,
                reason,
                received_at=received or desk.now,
                actor=desk.actor,
                now=desk.now,
            )
        )


class Decision(FormPage):
    """The hearing officer's decision, recorded by the clerk (or the officer)."""

    slug = "decision"
    template = "forms/decision.html"
    fields = frozenset(
        {
            "outcome",
            "findings",
            "new_amount",
            "reduction_reason",
            "installments",
            "held_early_reason",
        }
    )
    action = Action.DECIDE_HEARING

    def extra(self, desk: Desk) -> dict[str, Any]:
        return {"current": current_hearing(desk)}

    def act(self, desk: Desk, read: Parser) -> None:
        chosen = read.choice("outcome", OUTCOMES, "choose the outcome")
        new_amount = read.money("new_amount")
        schedule = read.installments("installments")
        outcome = Outcome(read.need(chosen))
        read.submit(
            lambda: decide_hearing(
                desk.session,
                desk.citation.number,
                outcome,
                read.text("findings"),
                actor=desk.actor,
                now=desk.now,
                new_amount=new_amount,
                reduction_reason=read.optional("reduction_reason"),
                payment_schedule=schedule,
                held_early_reason=read.optional("held_early_reason"),
            )
        )


PAGES: list[FormPage] = [Schedule(), Continue(), NoShow(), SetAside(), Decision()]
