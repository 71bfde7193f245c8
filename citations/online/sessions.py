"""The cited person's sessions: opened when they find their citation, ended after the
profile's idle minutes (`online.session_idle_minutes`, 30 in the demo) or when they leave.

The cookie carries a random key; the database keeps its SHA-256, the one citation it opens
and when it was last used, so a session ends for every copy of the cookie at once, and a
copy of the table opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citations.audit import record
from citations.record.person import PersonSession
from citations.record.tables import Citation
from citations.roles import cited_person


@dataclass(frozen=True)
class Opened:
    """A live session: the citation it opens."""

    citation_id: int
    number: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(
    session: Session, citation_id: int, number: str, *, how: str, now: datetime
) -> str:
    """Start a session for a person who has just found their citation; returns the key for
    the cookie (never stored). Audited: who opened which citation, how, and when."""
    key = secrets.token_urlsafe(32)
    session.add(
        PersonSession(
            key_hash=_hash(key),
            citation_id=citation_id,
            how=how,
            started_at=now,
            last_seen_at=now,
            ended_at=None,
        )
    )
    session.flush()
    record(
        session,
        at=now,
        actor=cited_person(number).name,
        action="online.opened",
        entity_type="citation",
        entity_key=number,
        after={"how": how},
    )
    return key


def resume_session(session: Session, key: str, *, now: datetime, idle: timedelta) -> Opened | None:
    """The session's citation, if the session is live; marks it used now. A session idle
    longer than `idle` is ended here and opens nothing."""
    row = session.execute(
        select(PersonSession, Citation.number)
        .join(Citation, Citation.id == PersonSession.citation_id)
        .where(PersonSession.key_hash == _hash(key), PersonSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    person_session, number = row
    if now - person_session.last_seen_at > idle:
        person_session.ended_at = person_session.last_seen_at + idle
        return None
    person_session.last_seen_at = now
    return Opened(person_session.citation_id, number)


def end_session(session: Session, key: str, *, now: datetime) -> None:
    session.execute(
        update(PersonSession)
        .where(PersonSession.key_hash == _hash(key), PersonSession.ended_at.is_(None))
        .values(ended_at=now)
    )
