"""Reading, amending and voiding issued citations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citations.audit import record
from citations.decision import Outcome, decide
from citations.errors import FieldError, IllegalTransition, InputRejected, NotFound
from citations.intake import (
    IntakeMessage,
    Location,
    Officer,
    Subject,
    ViolationReport,
    validation_errors,
)
from citations.issuing import local_date_of, resolve_violations
from citations.issuing_write import citation_fields, write_details
from citations.ledger import EntryKind, balance, paid, post
from citations.money import from_cents
from citations.numbering import CitationNumber, InvalidCitationNumber
from citations.priors import count_priors
from citations.repeats import refresh_next_days
from citations.roles import AGENCY_BOUND, Action, Actor
from citations.status import CitationStatus, move, require
from citations.tables import Citation, CitationRevision
from ordinances.store import PublishedCatalog

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


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


def find_citation(session: Session, number: str, actor: Actor) -> Citation:
    """The citation with this number, if the actor may see it (else NotFound, revealing
    nothing about other agencies' numbers)."""
    actor.require(Action.READ_CITATION)
    try:
        canonical = str(CitationNumber.parse(number))
    except InvalidCitationNumber as exc:
        raise InputRejected([FieldError("number", exc.reason)], str(exc)) from None
    citation = session.scalar(
        select(Citation)
        .where(Citation.number == canonical)
        .options(
            selectinload(Citation.violations),
            selectinload(Citation.revisions),
            selectinload(Citation.agency),
        )
    )
    if citation is None or (actor.role in AGENCY_BOUND and citation.agency.code != actor.agency):
        raise NotFound("citation", canonical)
    return citation


def to_public(citation: Citation) -> CitationPublic:
    return CitationPublic(
        number=citation.number,
        agency=citation.agency.code,
        device_id=citation.device_id,
        status=citation.status,
        status_reason=citation.status_reason,
        revision=citation.revision,
        issued_at=citation.issued_at,
        violation_at=citation.violation_at,
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


def void_citation(
    session: Session, number: str, reason: str, *, actor: Actor, now: datetime
) -> CitationPublic:
    """Void a citation issued in error: only before any payment or hearing; after that a
    hearing officer can only dismiss it. A voided citation is never a prior."""
    actor.require(Action.VOID_CITATION)  # a wrong role is refused whether or not it exists
    citation = find_citation(session, number, actor)
    actor.require(Action.VOID_CITATION, citation.agency.code)
    reason = _reason(reason)
    require(
        citation,
        {CitationStatus.ISSUED},
        "void it",
        "only an issued citation without payments or hearings",
    )
    if paid(session, citation) > 0:
        raise IllegalTransition(
            citation.number, "paid in part", "void it", "a hearing officer can only dismiss it now"
        )
    post(
        session,
        citation,
        EntryKind.VOID,
        balance(session, citation),
        actor=actor.name,
        at=now,
        reason=reason,
    )
    before = citation.status
    move(citation, CitationStatus.VOIDED, "void it", at=now)
    refresh_next_days(session, [(citation.subject_name_key, citation.subject_dob)])
    citation.status_reason = reason
    record(
        session,
        at=now,
        actor=actor.name,
        action="citation.void",
        entity_type="citation",
        entity_key=citation.number,
        reason=reason,
        before={"status": before},
        after={"status": citation.status},
    )
    return to_public(citation)


class Amendment(BaseModel):
    """What an amendment changes; anything left out stays as it was."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: Reason
    violation_at: AwareDatetime | None = None
    location: Location | None = None
    officer: Officer | None = None
    subject: Subject | None = None
    violations: Annotated[list[ViolationReport], Field(min_length=1, max_length=4)] | None = None
    screening: dict[str, bool] | None = None
    officer_notes: str | None = None


def parse_amendment(text: str) -> Amendment:
    """An amendment from JSON text, or InputRejected naming each bad field."""
    try:
        return Amendment.model_validate_json(text)
    except ValidationError as exc:
        raise InputRejected(validation_errors(exc), "the amendment was rejected") from None


def amend_citation(
    session: Session, number: str, amendment: Amendment, *, actor: Actor, now: datetime
) -> CitationPublic:
    """Make a new revision of a citation: decided again from the amended message (priors as
    they stood, the citation itself excluded), history kept, the notice marked amended."""
    actor.require(Action.AMEND_CITATION)  # a wrong role is refused whether or not it exists
    citation = find_citation(session, number, actor)
    actor.require(Action.AMEND_CITATION, citation.agency.code)
    require(
        citation,
        {CitationStatus.ISSUED},
        "amend it",
        "only an issued citation without payments or hearings",
    )
    latest = citation.revisions[-1]
    changes = amendment.model_dump(mode="json", exclude={"reason"}, exclude_none=True)
    try:
        message = IntakeMessage.model_validate({**latest.message, **changes})
    except ValidationError as exc:
        raise InputRejected(validation_errors(exc), "the amendment was rejected") from None
    catalog = PublishedCatalog(session)
    profile = catalog.jurisdiction()
    violation_date = local_date_of(message.violation_at, profile)
    resolved = resolve_violations(catalog, message, violation_date)
    priors = [
        count_priors(
            session,
            message.subject,
            item,
            message.violation_at,
            violation_date,
            exclude_citation_id=citation.id,
        )
        for item in resolved
    ]
    decision = decide(
        message.model_copy(update={"declined": None}), resolved, priors, violation_date, profile
    )
    if decision.outcome is not Outcome.ISSUED:
        raise InputRejected(
            [FieldError("amendment", reason) for reason in decision.reasons]
            or [FieldError("amendment", f"the amended case would be a {decision.outcome.value}")],
            f"the amendment would leave no civil citation ({decision.outcome.value}); "
            "void the citation instead",
        )
    before = to_public(citation).model_dump(mode="json")
    change = decision.total_fine - from_cents(citation.total_fine_cents)
    if change:
        kind = EntryKind.FINE_ADJUSTED_UP if change > 0 else EntryKind.FINE_ADJUSTED_DOWN
        post(
            session,
            citation,
            kind,
            abs(change),
            actor=actor.name,
            at=now,
            reason=f"amended: {amendment.reason}",
        )
    person = (citation.subject_name_key, citation.subject_dob)
    for key, value in citation_fields(message, decision, violation_date).items():
        setattr(citation, key, value)
    write_details(session, citation, message, decision, violation_date)
    refresh_next_days(session, [person, (citation.subject_name_key, citation.subject_dob)])
    citation.revision += 1
    session.add(
        CitationRevision(
            citation_id=citation.id,
            revision=citation.revision,
            created_at=now,
            created_by=actor.name,
            reason=amendment.reason,
            message=message.model_dump(mode="json"),
            decision=decision.model_dump(mode="json"),
        )
    )
    session.flush()
    session.expire(citation, ["revisions"])
    after = to_public(citation)
    record(
        session,
        at=now,
        actor=actor.name,
        action="citation.amend",
        entity_type="citation",
        entity_key=citation.number,
        reason=amendment.reason,
        before=before,
        after=after.model_dump(mode="json"),
    )
    return after


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < 3:
        raise InputRejected([FieldError("reason", "a reason of at least 3 characters is required")])
    return reason
