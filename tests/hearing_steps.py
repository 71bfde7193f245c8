"""Steps that bring citations through a contest, for the hearings tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from citations.database import transaction
from citations.hearings.contests import decide_review, request_hearing, request_review
from citations.hearings.decisions import Outcome, Signer
from citations.hearings.officers import add_availability, add_officer, create_session
from citations.roles import Actor, Role
from tests.factories import message, send, subject

CLERK = Actor("clerk Jordan", Role.CLERK)
REVIEWER = Actor("reviewer Pat", Role.HEARING_OFFICER)
SIGNED = Signer("Pat Morgan", "Senior Review Officer")
"""How the reviewer signs review orders in these tests (REVIEWER is who enters them)."""
ISSUED_AT = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
"""10:00 on 2026-11-20 in Los Angeles: the citations below are served then."""
INDEPENDENCE = "Retired judge under contract; not employed by the city or any agency."


def at(day: str, hour: int = 10) -> datetime:
    """A moment in Los Angeles on `day` (YYYY-MM-DD) at `hour` local (PST, UTC-8)."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00-08:00")


def issue_one(engine: Engine, **subject_overrides: Any) -> str:
    body = message(violation_at="2026-11-20T10:00:00-08:00", subject=subject(**subject_overrides))
    number = send(engine, body, now=ISSUED_AT).result.citation_number
    assert number is not None
    return number


def to_review_upheld(engine: Engine, number: str) -> None:
    with transaction(engine) as session:
        request_review(
            session,
            number,
            "I was not drinking; it was a soda can.",
            received_at=at("2026-11-25"),
            actor=CLERK,
            now=at("2026-11-25"),
        )
    with transaction(engine) as session:
        decide_review(
            session,
            number,
            Outcome.UPHELD,
            "The officer's report and photo show an open beer can.",
            decided_by=SIGNED,
            actor=REVIEWER,
            now=at("2026-12-01"),
        )


def to_ready(engine: Engine, number: str, deposit: bool = True) -> None:
    """Reviewed, upheld, hearing requested with the $200 deposit (or a waiver request)."""
    to_review_upheld(engine, number)
    with transaction(engine) as session:
        if deposit:
            request_hearing(
                session,
                number,
                received_at=at("2026-12-03"),
                actor=CLERK,
                now=at("2026-12-03"),
                deposit=Decimal("200.00"),
                deposit_method="card",
            )
        else:
            request_hearing(
                session,
                number,
                received_at=at("2026-12-03"),
                actor=CLERK,
                now=at("2026-12-03"),
                waiver_declaration="I declare under penalty of perjury that I "
                "receive CalFresh and cannot pay the deposit.",
            )


def officer_with_session(
    engine: Engine,
    name: str,
    day: date,
    capacity: int = 5,
    slot_minutes: int | None = 20,
    start: time = time(9, 0),
) -> tuple[int, int]:
    """A hearing officer available on `day`, and a session of theirs; returns (officer, session)."""
    with transaction(engine) as session:
        officer = add_officer(
            session,
            name,
            "pro_tem_judge",
            "Judge pro tem, LA Superior Court",
            INDEPENDENCE,
            actor=CLERK,
            now=at("2026-12-01"),
        )
        add_availability(
            session, officer.id, day, time(8, 0), time(17, 0), actor=CLERK, now=at("2026-12-01")
        )
        docket = create_session(
            session,
            day=day,
            start=start,
            officer_id=officer.id,
            capacity=capacity,
            place="City Hall East, Room 101",
            remote_link=None,
            slot_minutes=slot_minutes,
            actor=CLERK,
            now=at("2026-12-01"),
        )
        return officer.id, docket.id
