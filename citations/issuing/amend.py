"""Amending an issued citation: a new revision, decided again, with its reason."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy.orm import Session

from citations.audit import record
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, IllegalTransition, InputRejected
from citations.inputs import InputModel, Moment
from citations.issuing.decision import Outcome, decide
from citations.issuing.intake import (
    IntakeMessage,
    Location,
    Officer,
    Subject,
    ViolationReport,
    validation_errors,
)
from citations.issuing.pipeline import resolve_violations
from citations.issuing.priors import count_priors
from citations.issuing.write import citation_fields, write_details
from citations.money import from_cents
from citations.record.ledger import EntryKind, paid, post
from citations.record.lookup import CitationPublic, lock_citation, to_public
from citations.record.repeats import refresh_next_days
from citations.record.status import CitationStatus, require
from citations.record.tables import CitationRevision
from citations.roles import Action, Actor

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class Amendment(InputModel):
    """What an amendment changes; anything left out stays as it was."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: Reason
    violation_at: Moment | None = None
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
    they stood, the citation itself excluded), history kept, the notice marked amended.

    Only an issued citation can be amended. A new fine is posted to the ledger as an
    adjustment, up or down, but only while nothing has been paid: once money has been
    received (and not refunded), an amendment that would change the fine is refused
    (IllegalTransition), as a void is, because a lower fine would leave a credit the city owes
    back (a negative balance) and a higher one would change what the person already paid
    against. The fine is then corrected by a review or hearing, which reduces it and refunds
    what was paid above it. Amendments that leave the fine as it is (an address, a badge
    number) are taken whatever has been paid.
    """
    actor.require(Action.AMEND_CITATION)  # a wrong role is refused whether or not it exists
    citation = lock_citation(session, number, actor)
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
    violation_date = local_date(message.violation_at, profile)
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
    if change and paid(session, citation) > 0:
        raise IllegalTransition(
            citation.number,
            f"paid in part ({paid(session, citation)} received)",
            f"change its fine from {from_cents(citation.total_fine_cents)} to "
            f"{decision.total_fine} by an amendment",
            "a review or hearing can reduce the fine and refund what was paid above it",
        )
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
