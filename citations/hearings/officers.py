"""Hearing officers, their availability, their recusals, and the docket sessions they sit.

A hearing officer must be neutral: a pro tem judge, an administrative law judge, or someone
with at least 25 hours of dispute-resolution training, and never an employee of the city or
an issuing agency. The independence statement is recorded with the officer.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.calendar import BusinessCalendar
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected, NotFound
from citations.hearings.tables import (
    Availability,
    Contest,
    DocketSession,
    Hearing,
    HearingOfficer,
    Recusal,
)
from citations.record.lookup import lock_citation
from citations.roles import Action, Actor

Qualification = Literal["pro_tem_judge", "administrative_law_judge", "trained_neutral"]
MIN_TRAINING_HOURS = 25


def add_officer(
    session: Session,
    name: str,
    qualification: Qualification,
    qualification_detail: str,
    independence: str,
    *,
    actor: Actor,
    now: datetime,
    training_hours: int | None = None,
) -> HearingOfficer:
    """Register a hearing officer with their qualification and independence statement."""
    actor.require(Action.MANAGE_HEARING_OFFICERS)
    errors = []
    if not name.strip():
        errors.append(FieldError("name", "required"))
    if qualification == "trained_neutral" and (training_hours or 0) < MIN_TRAINING_HOURS:
        errors.append(
            FieldError(
                "training_hours",
                f"a trained neutral needs at least {MIN_TRAINING_HOURS} hours of "
                "dispute-resolution training",
            )
        )
    if len(independence.strip()) < 20:
        errors.append(
            FieldError(
                "independence",
                "record how the officer is independent of the city and every issuing agency",
            )
        )
    if errors:
        raise InputRejected(errors, "the hearing officer cannot be registered")
    detail = qualification_detail.strip()
    if training_hours is not None:
        detail = f"{detail} ({training_hours} hours of dispute-resolution training)".strip()
    officer = HearingOfficer(
        name=name.strip(),
        qualification=qualification,
        qualification_detail=detail,
        independence=independence.strip(),
        active=True,
        created_at=now,
        created_by=actor.name,
    )
    session.add(officer)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="hearing_officer.add",
        entity_type="hearing_officer",
        entity_key=str(officer.id),
        after={
            "name": officer.name,
            "qualification": qualification,
            "independence": officer.independence,
        },
    )
    return officer


def get_officer(session: Session, officer_id: int, *, lock: bool = False) -> HearingOfficer:
    officer = session.get(HearingOfficer, officer_id, with_for_update=lock)
    if officer is None:
        raise NotFound("hearing officer", str(officer_id))
    return officer


def list_officers(session: Session) -> list[HearingOfficer]:
    return list(session.scalars(select(HearingOfficer).order_by(HearingOfficer.id)))


def add_availability(
    session: Session,
    officer_id: int,
    day: date,
    start: time,
    end: time,
    *,
    actor: Actor,
    now: datetime,
) -> Availability:
    actor.require(Action.MANAGE_HEARING_OFFICERS)
    # Locked: the same window added twice at the same moment is then refused by the check
    # below, not by the table's unique key (a database error).
    get_officer(session, officer_id, lock=True)
    if end <= start:
        raise InputRejected([FieldError("end", "must be after the start")])
    same = select(Availability.id).where(
        Availability.officer_id == officer_id,
        Availability.day == day,
        Availability.start_time == start,
    )
    if session.scalar(same) is not None:  # one window a start: the table's unique key
        raise InputRejected(
            [FieldError("start", f"a window on {day.isoformat()} already starts at {start:%H:%M}")]
        )
    window = Availability(officer_id=officer_id, day=day, start_time=start, end_time=end)
    session.add(window)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="hearing_officer.availability",
        entity_type="hearing_officer",
        entity_key=str(officer_id),
        after={"day": day.isoformat(), "start": start.isoformat(), "end": end.isoformat()},
    )
    return window


def recuse(
    session: Session, officer_id: int, number: str, reason: str, *, actor: Actor, now: datetime
) -> Recusal:
    """Record an officer's conflict with a citation; they are never scheduled for it.

    An officer already scheduled for it must first have the hearing continued elsewhere.
    """
    actor.require(Action.MANAGE_HEARING_OFFICERS)
    officer = get_officer(session, officer_id)
    # Locked: scheduling the same citation at the same moment must see the recusal, or wait.
    citation = lock_citation(session, number, actor)
    if len(reason.strip()) < 5:
        raise InputRejected([FieldError("reason", "record the conflict")])
    existing = session.scalar(
        select(Recusal).where(Recusal.officer_id == officer.id, Recusal.citation_id == citation.id)
    )
    if existing is not None:
        return existing
    booked = session.scalar(
        select(DocketSession.day)
        .join(Hearing, Hearing.session_id == DocketSession.id)
        .join(Contest, Contest.id == Hearing.contest_id)
        .where(
            Contest.citation_id == citation.id,
            Hearing.status == "scheduled",
            DocketSession.officer_id == officer.id,
        )
    )
    if booked is not None:
        raise InputRejected(
            [
                FieldError(
                    "officer_id",
                    f"{officer.name} is scheduled to hear it on {booked}: "
                    "continue the hearing to another session first",
                )
            ],
            "the recusal cannot be recorded yet",
        )
    recusal = Recusal(
        officer_id=officer.id,
        citation_id=citation.id,
        reason=reason.strip(),
        recorded_at=now,
        recorded_by=actor.name,
    )
    session.add(recusal)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="hearing_officer.recusal",
        entity_type="citation",
        entity_key=citation.number,
        reason=reason,
        after={"officer": officer.id},
    )
    return recusal


def create_session(
    session: Session,
    *,
    day: date,
    start: time,
    officer_id: int,
    capacity: int,
    place: str | None,
    remote_link: str | None,
    slot_minutes: int | None,
    actor: Actor,
    now: datetime,
) -> DocketSession:
    """Open a docket session on a business day, inside the officer's availability."""
    actor.require(Action.MANAGE_DOCKET)
    officer = get_officer(session, officer_id)
    profile = PublishedCatalog(session).jurisdiction()
    errors = []
    if not BusinessCalendar(profile.holiday_calendar).is_business_day(day):
        errors.append(FieldError("day", f"{day.isoformat()} is not a business day"))
    if not (place or "").strip() and not (remote_link or "").strip():
        errors.append(FieldError("place", "a session needs a place or a remote link"))
    if not 1 <= capacity <= 200:
        errors.append(FieldError("capacity", "must be from 1 to 200"))
    if slot_minutes is not None and not 5 <= slot_minutes <= 240:
        errors.append(FieldError("slot_minutes", "must be from 5 to 240"))
    available = session.scalar(
        select(Availability.id).where(
            Availability.officer_id == officer.id,
            Availability.day == day,
            Availability.start_time <= start,
            Availability.end_time > start,
        )
    )
    if available is None:
        errors.append(
            FieldError(
                "officer_id",
                f"{officer.name} is not available on {day.isoformat()} at {start:%H:%M}",
            )
        )
    if not officer.active:
        errors.append(FieldError("officer_id", f"{officer.name} is no longer active"))
    if errors:
        raise InputRejected(errors, "the docket session cannot be created")
    docket = DocketSession(
        day=day,
        start_time=start,
        place=(place or "").strip() or None,
        remote_link=(remote_link or "").strip() or None,
        officer_id=officer.id,
        capacity=capacity,
        slot_minutes=slot_minutes,
        booked=0,
        created_at=now,
        created_by=actor.name,
    )
    session.add(docket)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="docket.session_created",
        entity_type="docket_session",
        entity_key=str(docket.id),
        after={
            "day": day.isoformat(),
            "start": start.isoformat(),
            "officer": officer.id,
            "capacity": capacity,
        },
    )
    return docket


def get_session(session: Session, session_id: int) -> DocketSession:
    docket = session.get(DocketSession, session_id)
    if docket is None:
        raise NotFound("docket session", str(session_id))
    return docket


def list_sessions(session: Session, start: date, end: date) -> list[DocketSession]:
    return list(
        session.scalars(
            select(DocketSession)
            .where(DocketSession.day >= start, DocketSession.day <= end)
            .order_by(DocketSession.day, DocketSession.start_time, DocketSession.id)
        )
    )
