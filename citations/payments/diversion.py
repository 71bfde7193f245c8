"""Diversion and restorative programs (like a neighborhood justice panel): a referral with
agreed obligations (a class, an apology letter, restitution, service hours); completing them
dismisses the citation, failing returns it to the fine."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.calendar import local_date, pay_deadline
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected
from citations.inputs import InputModel
from citations.payments.posting import settle
from citations.payments.tables import DiversionReferral
from citations.record.chunks import Window, read_chunk
from citations.record.ledger import EntryKind, balance, post
from citations.record.lookup import lock_citation, lock_if_free
from citations.record.moments import check_done_between
from citations.record.status import CitationStatus, move, require
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import Jurisdiction
from ordinances.resolve import ResolvedVersion

S = CitationStatus
REFERABLE = frozenset({S.ISSUED, S.REVIEW_UPHELD, S.UPHELD, S.DELINQUENT})


class Obligation(InputModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["class", "apology_letter", "restitution", "service_hours", "other"]
    description: Annotated[str, Field(min_length=3, max_length=500)]


def offered_programs(citation: Citation) -> set[str]:
    programs: set[str] = set()
    for violation in citation.violations:
        alternatives = ResolvedVersion.model_validate(violation.snapshot).version.alternatives
        if alternatives is not None:
            programs |= set(alternatives.programs)
    return programs


def _referral(session: Session, citation: Citation) -> DiversionReferral:
    referral = session.scalars(
        select(DiversionReferral).where(
            DiversionReferral.citation_id == citation.id, DiversionReferral.status == "active"
        )
    ).first()
    if referral is None:
        raise InputRejected([FieldError("number", f"{citation.number} is not in a program")])
    return referral


def refer(
    session: Session,
    number: str,
    program_id: str,
    obligations: list[Obligation],
    *,
    actor: Actor,
    now: datetime,
) -> DiversionReferral:
    """Refer a citation to a program its version offers, with the obligations agreed."""
    actor.require(Action.MANAGE_DIVERSION)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    require(citation, REFERABLE, "refer it to a program")
    offered = offered_programs(citation)
    if program_id not in offered:
        listed = ", ".join(sorted(offered)) or "none"
        raise InputRejected(
            [
                FieldError(
                    "program",
                    f"{program_id!r} is not offered for this citation (offered: {listed})",
                )
            ]
        )
    if not obligations:
        raise InputRejected([FieldError("obligations", "list the obligations agreed")])
    program = next(p for p in profile.programs if p.id == program_id)
    referral = DiversionReferral(
        citation_id=citation.id,
        program_id=program_id,
        obligations=[o.model_dump() | {"done_on": None, "recorded_by": None} for o in obligations],
        deadline=local_date(now, profile) + timedelta(days=program.days_to_complete),
        status="active",
        referred_at=now,
        referred_by=actor.name,
    )
    session.add(referral)
    move(citation, S.IN_DIVERSION, "refer it to a program")
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="diversion.referred",
        entity_type="citation",
        entity_key=citation.number,
        after={
            "program": program_id,
            "deadline": referral.deadline.isoformat(),
            "obligations": [o.model_dump() for o in obligations],
        },
    )
    return referral


def fulfil(
    session: Session, number: str, index: int, done_on: date, *, actor: Actor, now: datetime
) -> DiversionReferral:
    """Record one obligation done; when all are, the program is complete and the citation
    dismissed."""
    actor.require(Action.MANAGE_DIVERSION)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    referral = _referral(session, citation)
    obligations = list(referral.obligations)
    if not 0 <= index < len(obligations):
        raise InputRejected(
            [FieldError("index", f"obligations are numbered 0 to {len(obligations) - 1}")]
        )
    since = (referral.referred_at, "the referral")
    check_done_between(done_on, since, now=now, profile=profile, field="done_on")
    obligations[index] = obligations[index] | {
        "done_on": done_on.isoformat(),
        "recorded_by": actor.name,
    }
    referral.obligations = obligations  # a new list, so the JSON column is saved
    record(
        session,
        at=now,
        actor=actor.name,
        action="diversion.obligation_done",
        entity_type="citation",
        entity_key=citation.number,
        after=obligations[index],
    )
    if all(o["done_on"] for o in obligations):
        referral.status = "completed"
        referral.ended_at = now
        post(
            session,
            citation,
            EntryKind.DISMISSAL,
            balance(session, citation),
            actor=actor.name,
            at=now,
            reason=f"completed program {referral.program_id}",
        )
        settle(session, citation, S.DIVERTED, "program completed", now=now, profile=profile)
    return referral


def end_unfinished(
    session: Session, number: str, reason: str, *, actor: Actor, now: datetime
) -> DiversionReferral:
    """Staff end a program the person will not finish (they withdrew, or the program says
    they stopped coming) before its deadline: the fine is owed again, as when it expires."""
    actor.require(Action.MANAGE_DIVERSION)
    citation = lock_citation(session, number, actor)
    if len(reason.strip()) < 5:
        raise InputRejected([FieldError("reason", "say in a sentence why it ends unfinished")])
    profile = PublishedCatalog(session).jurisdiction()
    referral = _referral(session, citation)
    fail(session, citation, referral, reason.strip(), actor=actor, now=now, profile=profile)
    return referral


def fail(
    session: Session,
    citation: Citation,
    referral: DiversionReferral,
    reason: str,
    *,
    actor: Actor,
    now: datetime,
    profile: Jurisdiction,
) -> None:
    referral.status = "failed"
    referral.ended_at = now
    referral.end_reason = reason
    move(citation, S.UPHELD, "end a program unfinished")
    citation.due_on = pay_deadline(local_date(now, profile), profile)
    record(
        session,
        at=now,
        actor=actor.name,
        action="diversion.failed",
        entity_type="citation",
        entity_key=citation.number,
        reason=reason,
    )


def expire_diversion(
    session: Session,
    *,
    as_of: date,
    profile: Jurisdiction,
    actor: Actor,
    now: datetime,
    window: Window | None = None,
) -> list[str]:
    """Programs not completed by their deadline return the citation to the fine. With a
    `window`, only its next chunk (`citations.record.chunks`)."""
    numbers = []
    query = select(DiversionReferral).where(
        DiversionReferral.status == "active", DiversionReferral.deadline < as_of
    )
    referrals: list[DiversionReferral] = read_chunk(session, query, DiversionReferral.id, window)
    for referral in referrals:
        if lock_if_free(session, referral.citation_id) is None:
            continue
        session.refresh(referral)
        if referral.status != "active":  # completed while this run waited for it
            continue
        fail(
            session,
            referral.citation,
            referral,
            f"not completed by {referral.deadline}",
            actor=actor,
            now=now,
            profile=profile,
        )
        numbers.append(referral.citation.number)
    return numbers
