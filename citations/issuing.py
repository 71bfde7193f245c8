"""Issuing: from an officer's intake message to a citation, a referral, or a reject.

`issue` is the one implementation behind `citations issue`, `POST /v1/citations` and the demo.
It runs in the caller's transaction; everything it writes (the intake record, the citation,
its number and the audit event) commits or rolls back together.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citations.agencies import accept_device_number, assign_number, get_agency
from citations.audit import record
from citations.database import transaction
from citations.decision import Decision, Outcome, decide
from citations.errors import FieldError, IdempotencyConflict, InputRejected, NotFound
from citations.intake import IntakeMessage
from citations.ledger import EntryKind, post
from citations.money import to_cents
from citations.payments.payments import pay_deadline
from citations.priors import count_priors
from citations.roles import Action, Actor
from citations.status import CitationStatus
from citations.tables import (
    Agency,
    Citation,
    CitationIdentifier,
    CitationRevision,
    CitationViolation,
    IntakeRecord,
)
from ordinances.errors import NotInEffect, UnknownOrdinance
from ordinances.models import Jurisdiction
from ordinances.publishing import digest
from ordinances.resolve import ResolvedVersion
from ordinances.store import PublishedCatalog
from ordinances.tables import OrdinanceRow, OrdinanceVersionRow

CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a device's clock may be before its violation time is refused."""


class ViolationResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    ordinance: str
    version_effective: str
    offense_count: int
    prior_count: int
    fine: Decimal


class IntakeResult(BaseModel):
    """What the sender gets back; a replay of the same message gets exactly the same."""

    model_config = ConfigDict(frozen=True)

    message_id: str
    outcome: Outcome
    citation_number: str | None
    reasons: list[str]
    violations: list[ViolationResult]
    total_fine: Decimal
    notice_language: str | None


class Issued(BaseModel):
    """The result of one `issue` call, and whether it was a replay of an earlier one."""

    model_config = ConfigDict(frozen=True)

    result: IntakeResult
    replayed: bool


def message_digest(message: IntakeMessage) -> str:
    """The fingerprint idempotency compares: the parsed message, so key order and spacing in
    the JSON do not matter but any change of value does."""
    return digest(message.model_dump(mode="json"))


def local_date_of(moment: datetime, profile: Jurisdiction) -> date:
    return moment.astimezone(ZoneInfo(profile.time_zone)).date()


def issue(session: Session, message: IntakeMessage, *, actor: Actor, now: datetime) -> Issued:
    """Decide one intake message and record the outcome.

    Raises InputRejected (with every field problem) for a message that cannot be decided,
    IdempotencyConflict for a reused message_id with another body, PermissionDenied for an
    actor outside the message's agency.
    """
    actor.require(Action.ISSUE_CITATION, message.agency.strip().upper())
    body_hash = message_digest(message)
    earlier = session.scalar(
        select(IntakeRecord).where(IntakeRecord.message_id == str(message.message_id))
    )
    if earlier is not None:
        if earlier.body_hash != body_hash:
            raise IdempotencyConflict(str(message.message_id))
        return Issued(result=IntakeResult.model_validate(earlier.response), replayed=True)

    try:
        agency = get_agency(session, message.agency)
    except NotFound:
        raise InputRejected([FieldError("agency", f"unknown agency {message.agency!r}")]) from None
    catalog = PublishedCatalog(session)
    profile = catalog.jurisdiction()
    if message.violation_at > now + CLOCK_SKEW:
        raise InputRejected(
            [FieldError("violation_at", f"{message.violation_at.isoformat()} is in the future")]
        )
    violation_date = local_date_of(message.violation_at, profile)
    resolved = resolve_violations(catalog, message, violation_date)
    priors = [
        count_priors(session, message.subject, item, message.violation_at, violation_date)
        for item in resolved
    ]
    decision = decide(message, resolved, priors, violation_date, profile)

    number: str | None = None
    if decision.outcome is Outcome.ISSUED:
        if message.citation_number is not None:
            accepted = accept_device_number(
                session, agency, message.device_id, message.citation_number
            )
            number = str(accepted)
        else:
            year = local_date_of(now, profile).year
            number = str(assign_number(session, agency, year))
    language = notice_language(message, profile) if number is not None else None
    result = IntakeResult(
        message_id=str(message.message_id),
        outcome=decision.outcome,
        citation_number=number,
        reasons=decision.reasons,
        violations=[
            ViolationResult(
                ordinance=v.ordinance,
                version_effective=v.resolved.effective_from.isoformat(),
                offense_count=v.offense_count,
                prior_count=v.prior_count,
                fine=v.fine,
            )
            for v in decision.violations
        ],
        total_fine=decision.total_fine,
        notice_language=language,
    )
    intake = IntakeRecord(
        message_id=str(message.message_id),
        body_hash=body_hash,
        body=message.model_dump(mode="json"),
        agency_id=agency.id,
        device_id=message.device_id,
        received_at=now,
        received_by=actor.name,
        outcome=decision.outcome.value,
        reasons=decision.reasons,
        violation_at=message.violation_at,
        area=message.location.area,
        preferred_language=message.subject.preferred_language,
        response=result.model_dump(mode="json"),
    )
    session.add(intake)
    session.flush()
    if number is not None and language is not None:
        _create_citation(
            session,
            message,
            decision,
            agency,
            intake,
            number,
            language,
            violation_date,
            actor,
            now,
            profile,
        )
    record(
        session,
        at=now,
        actor=actor.name,
        action=f"intake.{decision.outcome.value}",
        entity_type="citation" if number else "intake",
        entity_key=number or str(message.message_id),
        reason="; ".join(decision.reasons) or None,
        after=result.model_dump(mode="json"),
    )
    return Issued(result=result, replayed=False)


def issue_once(engine: Engine, message: IntakeMessage, *, actor: Actor, now: datetime) -> Issued:
    """`issue` in a transaction of its own, safe against the same message arriving twice at
    once: the loser of the race on the unique message_id replays the winner's result (or
    gets the conflict, if its body differs)."""
    try:
        with transaction(engine) as session:
            return issue(session, message, actor=actor, now=now)
    except IntegrityError:
        with transaction(engine) as session:
            return issue(session, message, actor=actor, now=now)


def resolve_violations(
    catalog: PublishedCatalog, message: IntakeMessage, violation_date: date
) -> list[ResolvedVersion]:
    """The version in force on the violation date for each violation; all problems at once."""
    resolved: list[ResolvedVersion] = []
    errors: list[FieldError] = []
    for index, violation in enumerate(message.violations):
        field = f"violations[{index}].ordinance"
        try:
            resolved.append(catalog.resolve(violation.ordinance, violation_date))
        except UnknownOrdinance:
            errors.append(FieldError(field, f"no ordinance {violation.ordinance!r} is published"))
        except NotInEffect as exc:
            errors.append(FieldError(field, f"not in effect on {violation_date}: {exc.reason}"))
    if errors:
        raise InputRejected(errors, "the message names ordinances that cannot be applied")
    return resolved


def notice_language(message: IntakeMessage, profile: Jurisdiction) -> str:
    """The subject's preferred language when notices exist in it, else the city's default."""
    preferred = message.subject.preferred_language
    return preferred if preferred in profile.notice_languages else profile.notice_languages[0]


def citation_fields(
    message: IntakeMessage, decision: Decision, violation_date: date
) -> dict[str, Any]:
    """The citation's columns that come from the message and its decision (also on amendment)."""
    subject = message.subject
    return {
        "violation_at": message.violation_at,
        "violation_date": violation_date,
        "location": message.location.model_dump(mode="json"),
        "area": message.location.area,
        "officer_badge": message.officer.badge,
        "officer_name": message.officer.name,
        "subject": subject.model_dump(mode="json"),
        "subject_name_key": subject.name_key(),
        "subject_dob": subject.date_of_birth,
        "preferred_language": subject.preferred_language,
        "total_fine_cents": to_cents(decision.total_fine),
        "officer_notes": message.officer_notes,
    }


def write_details(
    session: Session,
    citation: Citation,
    message: IntakeMessage,
    decision: Decision,
    violation_date: date,
    *,
    replace: bool = False,
) -> None:
    """Write the citation's violations and identifiers from a decided message; `replace`
    (an amendment) deletes the old ones first. A new citation has none to load."""
    if replace:
        for old in [*citation.violations, *citation.identifiers]:
            session.delete(old)
        session.flush()
    for item, report in zip(decision.violations, message.violations, strict=True):
        session.add(
            CitationViolation(
                citation_id=citation.id,
                position=item.position,
                ordinance_code=item.ordinance,
                category=item.resolved.category,
                violation_date=violation_date,
                ordinance_version_id=version_row_id(session, item.resolved),
                disposition=item.resolved.version.disposition.value,
                prior_count=item.prior_count,
                offense_count=item.offense_count,
                fine_cents=to_cents(item.fine),
                narrative=report.narrative,
                snapshot=item.resolved.model_dump(mode="json"),
            )
        )
    for identifier in message.subject.identifiers:
        id_type, id_number = identifier.key()
        session.add(
            CitationIdentifier(citation_id=citation.id, id_type=id_type, id_number=id_number)
        )
    session.flush()
    session.expire(citation, ["violations", "identifiers"])


def version_row_id(session: Session, resolved: ResolvedVersion) -> int:
    """The id of the published version row a decision rests on (active, by code and date)."""
    row_id = session.scalar(
        select(OrdinanceVersionRow.id)
        .join(OrdinanceRow, OrdinanceRow.id == OrdinanceVersionRow.ordinance_id)
        .where(
            OrdinanceRow.code == resolved.code,
            OrdinanceVersionRow.effective_from == resolved.effective_from,
            OrdinanceVersionRow.withdrawn_by_id.is_(None),
        )
    )
    assert row_id is not None, f"{resolved.code} {resolved.effective_from} is not published"
    return row_id


def _create_citation(
    session: Session,
    message: IntakeMessage,
    decision: Decision,
    agency: Agency,
    intake: IntakeRecord,
    number: str,
    language: str,
    violation_date: date,
    actor: Actor,
    now: datetime,
    profile: Jurisdiction,
) -> Citation:
    citation = Citation(
        number=number,
        agency_id=agency.id,
        device_id=message.device_id,
        intake_id=intake.id,
        status=CitationStatus.ISSUED.value,
        revision=1,
        issued_at=now,
        notice_language=language,
        due_on=pay_deadline(violation_date, profile),
        **citation_fields(message, decision, violation_date),
    )
    session.add(citation)
    session.flush()
    write_details(session, citation, message, decision, violation_date)
    offenses = ", ".join(f"{v.ordinance} offense {v.offense_count}" for v in decision.violations)
    post(
        session,
        citation,
        EntryKind.FINE_ASSESSED,
        decision.total_fine,
        actor=actor.name,
        at=now,
        reason=f"issued: {offenses}",
    )
    session.add(
        CitationRevision(
            citation_id=citation.id,
            revision=1,
            created_at=now,
            created_by=actor.name,
            reason=None,
            message=message.model_dump(mode="json"),
            decision=decision.model_dump(mode="json"),
        )
    )
    return citation
