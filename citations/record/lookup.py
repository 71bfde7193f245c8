"""Finding an issued citation, and how staff see it: the record's public view."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citations.errors import FieldError, InputRejected, NotFound
from citations.money import from_cents
from citations.record.numbering import CitationNumber, InvalidCitationNumber
from citations.record.tables import Citation
from citations.roles import AGENCY_BOUND, Action, Actor, Role


class ViolationPublic(BaseModel):
    position: int
    ordinance: str
    title: str
    category: str
    version_effective: date
    disposition: str
    prior_count: int
    offense_count: int
    fine: Decimal
    narrative: str


class RevisionPublic(BaseModel):
    revision: int
    created_at: datetime
    created_by: str
    reason: str | None


class CitationPublic(BaseModel):
    """A citation as staff see it (the notice is what the person sees)."""

    number: str
    agency: str
    device_id: str
    status: str
    status_reason: str | None
    revision: int
    issued_at: datetime
    violation_at: datetime
    violation_date: date
    location: dict[str, Any]
    officer: dict[str, str]
    subject: dict[str, Any]
    notice_language: str
    total_fine: Decimal
    violations: list[ViolationPublic]
    revisions: list[RevisionPublic]
    officer_notes: str | None


def find_citation(
    session: Session, number: str, actor: Actor, *, for_update: bool = False
) -> Citation:
    """The citation with this number, if the actor may see it (else NotFound, revealing
    nothing about other agencies' numbers). With `for_update`, see `lock_citation`."""
    actor.require(Action.READ_CITATION)
    try:
        canonical = str(CitationNumber.parse(number))
    except InvalidCitationNumber as exc:
        raise InputRejected([FieldError("number", exc.reason)], exc.headline) from None
    query = (
        select(Citation)
        .where(Citation.number == canonical)
        .options(
            selectinload(Citation.violations),
            selectinload(Citation.revisions),
            selectinload(Citation.agency),
        )
    )
    if for_update:
        # Wait for the row lock, then read the row (and its collections) as it stands now,
        # even over a copy this session loaded earlier.
        query = query.with_for_update(of=Citation).execution_options(populate_existing=True)
    citation = session.scalar(query)
    if (
        citation is None
        or (actor.role in AGENCY_BOUND and citation.agency.code != actor.agency)
        or (actor.role is Role.PERSON and citation.number != actor.citation)
    ):
        raise NotFound("citation", canonical)
    return citation


def lock_citation(session: Session, number: str, actor: Actor) -> Citation:
    """The citation, locked until this transaction ends, as it stands once the lock is held.

    Every step that changes a citation (its status, its ledger, its contest, hearing, plan or
    alternative) calls this first and checks the status and balance only after it, so two
    steps on one citation at the same moment run one after another: the second sees what the
    first did (a void after a payment is refused, a second void finds it voided). The lock is
    PostgreSQL's row lock (`SELECT ... FOR UPDATE`); on SQLite every writing transaction
    already holds the database's write lock from its start. Lock order: the citation first,
    then the audit chain's head (taken by the step's first audit event), never the reverse.

    >>> # with transaction(engine) as session:
    >>> #     citation = lock_citation(session, "DCPD-2026-000001-5", clerk)
    """
    return find_citation(session, number, actor, for_update=True)


def lock_if_free(session: Session, citation_id: int) -> Citation | None:
    """For batch steps (daily processing, lapsing deposits): the citation, locked and re-read
    as `lock_citation` does, or None while another step holds it (the batch leaves it for its
    next run, which changes only what is still due). A batch never waits for a citation: from
    its first audit event on it holds the chain's head, which a step holding a citation may be
    waiting for, so waiting would deadlock."""
    return session.scalar(
        select(Citation)
        .where(Citation.id == citation_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


def violation_as_sent(citation: Citation) -> datetime:
    """The violation's moment with the UTC offset its sender wrote (`-08:00` from a device in
    Los Angeles), read from the message the latest revision was decided from; the database
    keeps only the instant (in UTC). Either compares equal to the other: the same instant.
    The stored instant when that message holds no such time (a row restored or seeded
    without one).

    >>> from datetime import UTC
    >>> from citations.record.tables import CitationRevision
    >>> citation = Citation(violation_at=datetime(2026, 11, 21, 6, 15, tzinfo=UTC))
    >>> citation.revisions = [
    ...     CitationRevision(revision=1, message={"violation_at": "2026-11-20T22:15:00-08:00"})
    ... ]
    >>> violation_as_sent(citation).isoformat()
    '2026-11-20T22:15:00-08:00'
    """
    stored = citation.violation_at
    message = citation.revisions[-1].message if citation.revisions else None
    sent = message.get("violation_at") if isinstance(message, dict) else None
    if not isinstance(sent, str):
        return stored
    try:
        moment = datetime.fromisoformat(sent)
    except ValueError:
        return stored
    if moment.utcoffset() is None or moment != stored:
        return stored
    return moment


def to_public(citation: Citation) -> CitationPublic:
    return CitationPublic(
        number=citation.number,
        agency=citation.agency.code,
        device_id=citation.device_id,
        status=citation.status,
        status_reason=citation.status_reason,
        revision=citation.revision,
        issued_at=citation.issued_at,
        violation_at=violation_as_sent(citation),
        violation_date=citation.violation_date,
        location=citation.location,
        officer={"badge": citation.officer_badge, "name": citation.officer_name},
        subject=citation.subject,
        notice_language=citation.notice_language,
        total_fine=from_cents(citation.total_fine_cents),
        violations=[
            ViolationPublic(
                position=v.position,
                ordinance=v.ordinance_code,
                title=v.snapshot["title"].get(citation.notice_language)
                or next(iter(v.snapshot["title"].values())),
                category=v.category,
                version_effective=v.snapshot["effective_from"],
                disposition=v.disposition,
                prior_count=v.prior_count,
                offense_count=v.offense_count,
                fine=from_cents(v.fine_cents),
                narrative=v.narrative,
            )
            for v in citation.violations
        ],
        revisions=[
            RevisionPublic(
                revision=r.revision,
                created_at=r.created_at,
                created_by=r.created_by,
                reason=r.reason,
            )
            for r in citation.revisions
        ],
        officer_notes=citation.officer_notes,
    )


def get_citation(session: Session, number: str, actor: Actor) -> CitationPublic:
    return to_public(find_citation(session, number, actor))
