"""Finding one's citation: by its number and the date of birth on it, or by the access code
printed on a document; with a limit on wrong tries.

The answer never tells an unknown number from a wrong date of birth (both are "no match"),
so the page cannot be used to learn which numbers exist. Wrong tries are counted per
citation number and per client address over the profile's window (`online.lookup_tries` in
`online.lookup_window_minutes`); past the limit every try, right or wrong, waits until the
oldest wrong try leaves the window, and the person is told until when. Every try is kept
(`lookup_tries`) in the same transaction as its answer, so the count holds across server
processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from citations.record.access import citation_id_for_code
from citations.record.numbering import CitationNumber, InvalidCitationNumber
from citations.record.person import LookupTry
from citations.record.tables import Citation
from ordinances.models import Jurisdiction

CODE_TRY = "code"
"""What a try by access code records as its number (the code itself is never stored)."""


@dataclass(frozen=True)
class Found:
    citation_id: int
    number: str


@dataclass(frozen=True)
class NoMatch:
    """No citation has this number with this date of birth (or the code opens none)."""


@dataclass(frozen=True)
class Wait:
    """Too many wrong tries: nothing is checked until `until`."""

    until: datetime


Answer = Found | NoMatch | Wait


def _canonical(number: str) -> str | None:
    try:
        return str(CitationNumber.parse(number))
    except InvalidCitationNumber:
        return None


def _serialize(session: Session, keys: list[str]) -> None:
    """On PostgreSQL, tries on one number or from one client wait for each other (a
    transaction-scoped advisory lock per key, taken in one order), so parallel tries cannot
    all count the same earlier ones and pass the limit together. On SQLite a writing
    transaction already holds the database's write lock from its start."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"citations.lookup:{key}"},
        )


def _wait_until(
    session: Session, *, number: str | None, client: str, now: datetime, profile: Jurisdiction
) -> datetime | None:
    """The moment the person may try again, if the limit is reached for the number or for
    the client; None when they may try now."""
    _serialize(session, [f"client:{client}"] + ([f"number:{number}"] if number else []))
    online = profile.online
    since = now - timedelta(minutes=online.lookup_window_minutes)
    waits: list[datetime] = []
    keys = [LookupTry.client == client]
    if number is not None:
        keys.append(LookupTry.number == number)
    for key in keys:
        failed = (
            select(LookupTry.at)
            .where(key, LookupTry.at > since, LookupTry.succeeded.is_(False))
            .order_by(LookupTry.at.desc())
            .limit(online.lookup_tries)
        )
        times = list(session.scalars(failed))
        if len(times) >= online.lookup_tries:
            # The oldest of the last `lookup_tries` wrong tries leaves the window then.
            waits.append(min(times) + timedelta(minutes=online.lookup_window_minutes))
    return max(waits) if waits else None


def _record(session: Session, number: str, client: str, now: datetime, ok: bool) -> None:
    session.add(LookupTry(at=now, number=number[:40], client=client[:64], succeeded=ok))
    session.flush()


def find_by_birth_date(
    session: Session,
    number: str,
    birth_date: date | None,
    *,
    client: str,
    now: datetime,
    profile: Jurisdiction,
) -> Answer:
    """The citation with `number` whose person was born on `birth_date`, if the tries allow.

    A voided citation is not found: nothing is owed or can be done on it.
    """
    canonical = _canonical(number)
    key = canonical or number.strip().upper()
    wait = _wait_until(session, number=key, client=client, now=now, profile=profile)
    if wait is not None:
        return Wait(wait)
    row = None
    if canonical is not None and birth_date is not None:
        row = session.execute(
            select(Citation.id, Citation.subject, Citation.status).where(
                Citation.number == canonical
            )
        ).first()
    matched = (
        row is not None
        and row.status != "voided"
        and isinstance(row.subject, dict)
        and row.subject.get("date_of_birth") == birth_date.isoformat()  # type: ignore[union-attr]
    )
    _record(session, key, client, now, matched)
    if not matched or row is None or canonical is None:
        return NoMatch()
    return Found(row.id, canonical)


def find_by_code(
    session: Session, code: str, *, client: str, now: datetime, profile: Jurisdiction
) -> Answer:
    """The citation an access code opens, if the client's tries allow."""
    wait = _wait_until(session, number=None, client=client, now=now, profile=profile)
    if wait is not None:
        return Wait(wait)
    citation_id = citation_id_for_code(session, code)
    number = None
    if citation_id is not None:
        row = session.execute(
            select(Citation.number, Citation.status).where(Citation.id == citation_id)
        ).one()
        number = row.number if row.status != "voided" else None
    _record(session, CODE_TRY, client, now, number is not None)
    if citation_id is None or number is None:
        return NoMatch()
    return Found(citation_id, number)


def wrong_tries(session: Session, *, client: str, since: datetime) -> int:
    """Wrong tries from one client since a moment (for the tests and the logs)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(LookupTry)
            .where(
                LookupTry.client == client,
                LookupTry.at > since,
                LookupTry.succeeded.is_(False),
            )
        )
        or 0
    )
