"""Issuing: from an officer's intake message to a citation, a referral, or a reject.

`issue_many` is the one implementation behind `citations issue`, `POST /v1/citations` and the
demo (`issue` is a batch of one). It runs in the caller's transaction; everything it writes
(the intake records, the citations, their numbers and audit events) commits or rolls back
together. Messages are decided one after another, then written with a few statements for
the whole batch: the per-row work of an ORM unit of work was most of the cost of issuing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citations.calendar import CLOCK_SKEW, local_date, pay_deadline
from citations.catalog.publishing import digest
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.errors import (
    CitationsError,
    FieldError,
    IdempotencyConflict,
    InputRejected,
    NotFound,
)
from citations.issuing.contact import check_contact
from citations.issuing.decision import decide
from citations.issuing.intake import IntakeMessage
from citations.issuing.priors import PriorIndex
from citations.issuing.results import IntakeResult, Issued, Planned, ViolationResult
from citations.issuing.service import service_of
from citations.issuing.write import write_outcomes
from citations.record.agencies import accept_device_number, get_agency, reserve_numbers
from citations.record.numbering import CitationNumber
from citations.record.tables import Agency, IntakeRecord
from citations.roles import Action, Actor
from ordinances.errors import NotInEffect, OrdinanceError, UnknownOrdinance
from ordinances.models import Jurisdiction
from ordinances.resolve import ResolvedVersion

__all__ = [
    "IntakeResult",
    "Issued",
    "Refusal",
    "ViolationResult",
    "issue",
    "issue_many",
    "issue_once",
    "issue_together",
]


def issue(session: Session, message: IntakeMessage, *, actor: Actor, now: datetime) -> Issued:
    """Decide one intake message and record the outcome.

    Raises InputRejected (with every field problem) for a message that cannot be decided,
    IdempotencyConflict for a reused message_id with another body, PermissionDenied for an
    actor outside the message's agency.
    """
    outcome = issue_many(session, [message], actor=actor, now=now)[0]
    if isinstance(outcome, Issued):
        return outcome
    raise outcome


Refusal = CitationsError | OrdinanceError
"""Why a message of a batch was not decided (InputRejected, IdempotencyConflict, ...)."""


def issue_many(
    session: Session, messages: Sequence[IntakeMessage], *, actor: Actor, now: datetime
) -> list[Issued | Refusal]:
    """Decide many messages, in order, and record their outcomes with a few statements for
    all of them: each message is judged exactly as if it had been issued alone after the
    ones before it (priors include citations issued earlier in the batch; numbers follow
    the batch's order; a repeated message_id replays its first result).

    Returns, for each message, its result or the refusal that `issue` would have raised.
    Refused messages write nothing; errors of the database (a lost race on a unique
    number, say) propagate, and the caller decides the messages again one by one.
    """
    catalog = PublishedCatalog(session)
    profile = catalog.jurisdiction()
    bodies = [message.model_dump(mode="json") for message in messages]
    earlier = _received(session, [str(m.message_id) for m in messages])
    index = PriorIndex.load(session, [m.subject for m in messages])
    agencies: dict[str, Agency] = {}
    outcomes: list[Issued | Refusal | None] = [None] * len(messages)
    planned: list[Planned] = []
    first_of: dict[str, Planned] = {}
    numbers_taken: set[str] = set()
    for position, (message, body) in enumerate(zip(messages, bodies, strict=True)):
        message_id = str(message.message_id)
        try:
            actor.require(Action.ISSUE_CITATION, message.agency.strip().upper())
            # Idempotency compares the parsed message: key order and spacing in the JSON do
            # not matter, any change of value does.
            body_hash = digest(body)
            if message_id in earlier:
                outcomes[position] = _replay(earlier[message_id], message_id, body_hash)
                continue
            if message_id in first_of:
                if first_of[message_id].body_hash != body_hash:
                    raise IdempotencyConflict(message_id)
                planned.append(replace(first_of[message_id], position=position, replay=True))
                continue
            plan = _decide(
                session, message, body, body_hash, catalog, profile, index, agencies, now
            )
            if plan.issued:
                plan = _number_offline(session, plan, numbers_taken)
                temporary_id = -len(planned) - 1  # not in the database yet
                index.add(temporary_id, message.subject, plan.prior_violations(temporary_id))
        except (CitationsError, OrdinanceError) as exc:
            outcomes[position] = exc
            continue
        plan = replace(plan, position=position)
        first_of[message_id] = plan
        planned.append(plan)
    planned = _number_online(session, planned, profile, now)
    for plan in write_outcomes(session, planned, actor=actor, now=now, profile=profile):
        outcomes[plan.position] = Issued(result=plan.result(), replayed=plan.replay)
    return [outcome for outcome in outcomes if outcome is not None]


def _received(session: Session, message_ids: list[str]) -> dict[str, IntakeRecord]:
    return {
        row.message_id: row
        for row in session.scalars(
            select(IntakeRecord).where(IntakeRecord.message_id.in_(set(message_ids)))
        )
    }


def _replay(earlier: IntakeRecord, message_id: str, body_hash: str) -> Issued:
    if earlier.body_hash != body_hash:
        raise IdempotencyConflict(message_id)
    return Issued(result=IntakeResult.model_validate(earlier.response), replayed=True)


def _decide(
    session: Session,
    message: IntakeMessage,
    body: dict[str, Any],
    body_hash: str,
    catalog: PublishedCatalog,
    profile: Jurisdiction,
    index: PriorIndex,
    agencies: dict[str, Agency],
    now: datetime,
) -> Planned:
    code = message.agency
    if code not in agencies:
        try:
            agencies[code] = get_agency(session, code)
        except NotFound:
            raise InputRejected([FieldError("agency", f"unknown agency {code!r}")]) from None
    if message.violation_at > now + CLOCK_SKEW:
        raise InputRejected(
            [FieldError("violation_at", f"{message.violation_at.isoformat()} is in the future")]
        )
    check_contact(message, profile, now)
    if message.attachments:
        from citations.attachments.named import check_references  # its imaging is heavy

        check_references(session, message.attachments, agencies[code].id)
    violation_date = local_date(message.violation_at, profile)
    resolved = resolve_violations(catalog, message, violation_date)
    priors = [
        index.count(message.subject, item, message.violation_at, violation_date)
        for item in resolved
    ]
    decision = decide(message, resolved, priors, violation_date, profile)
    service = service_of(message, violation_date, local_date(now, profile), profile)
    return Planned(
        position=0,
        message=message,
        body=body,
        body_hash=body_hash,
        agency=agencies[code],
        violation_date=violation_date,
        decision=decision,
        language=notice_language(message, profile),
        service=service,
        pay_by=pay_deadline(service.served_on, profile) if service.served_on else None,
    )


def _number_offline(session: Session, plan: Planned, taken: set[str]) -> Planned:
    """Check the number a device wrote offline (and that the batch has not used it)."""
    text = plan.message.citation_number
    if text is None:
        return plan
    number = str(accept_device_number(session, plan.agency, plan.message.device_id, text))
    if number in taken:
        raise InputRejected([FieldError("citation_number", f"{number} has already been used")])
    taken.add(number)
    return replace(plan, number=number)


def _number_online(
    session: Session, planned: list[Planned], profile: Jurisdiction, now: datetime
) -> list[Planned]:
    """Give each issued citation without a device number the next numbers of its agency's
    sequence, reserved at once per agency (in a fixed order, so writers never deadlock)."""
    year = local_date(now, profile).year
    wanted: dict[int, list[int]] = {}
    for slot, plan in enumerate(planned):
        if plan.issued and plan.number is None and not plan.replay:
            wanted.setdefault(plan.agency.id, []).append(slot)
    numbered = list(planned)
    for slots in sorted(wanted.values(), key=lambda slots: planned[slots[0]].agency.code):
        # by code, as issue_together orders its messages: one lock order for every writer
        agency = planned[slots[0]].agency
        first = reserve_numbers(session, agency, year, len(slots))
        for offset, slot in enumerate(slots):
            number = str(CitationNumber(agency.code, year, first + offset, agency.sequence_digits))
            numbered[slot] = replace(planned[slot], number=number)
    by_id = {p.message.message_id: p for p in numbered if not p.replay}
    return [
        replace(plan, number=by_id[plan.message.message_id].number) if plan.replay else plan
        for plan in numbered
    ]


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


def issue_together(
    engine: Engine, items: Sequence[tuple[IntakeMessage, Actor]], *, now: datetime
) -> list[Issued | Refusal]:
    """Decide and record many messages, each sent by its actor, in one transaction (one
    commit for all: the costly part on SQLite, where each commit waits for the disk).

    When the database refuses them together (another writer took a message_id or a number
    first), each is decided again in a transaction of its own, so the race costs none.

    The messages are recorded by agency in code order (each agency's own in the order they
    came), so every writer locks the agencies' number sequences in one order: writers in
    other processes (`citations serve --workers N`) then never wait for each other in a
    cycle. The outcomes come back in the order of `items`.
    """
    if not items:
        return []
    order = sorted(range(len(items)), key=lambda index: items[index][0].agency.upper())
    try:
        with transaction(engine) as session:
            groups = [
                (actor, list(group))
                for actor, group in groupby(order, key=lambda index: items[index][1])
            ]
            if len(groups) > 1:
                _hold_sequences(session, [items[index][0].agency for index in order], now)
            outcomes: dict[int, Issued | Refusal] = {}
            for actor, indexes in groups:
                messages = [items[index][0] for index in indexes]
                done = issue_many(session, messages, actor=actor, now=now)
                outcomes |= dict(zip(indexes, done, strict=True))
            return [outcomes[index] for index in range(len(items))]
    except (IntegrityError, CitationsError, OrdinanceError):
        return [_alone(engine, message, actor, now) for message, actor in items]


def _hold_sequences(session: Session, codes: list[str], now: datetime) -> None:
    """Lock the number sequence of every agency of a batch sent by several actors, in code
    order, before anything is recorded. Each actor's messages are recorded in turn, and the
    first of them takes the transaction's audit lane: a later one must not then wait for a
    sequence that a writer waiting for that lane holds (rows first, then the lane)."""
    year = local_date(now, PublishedCatalog(session).jurisdiction()).year
    for code in sorted({code.upper() for code in codes}):
        agency = session.scalar(select(Agency).where(Agency.code == code))
        if agency is not None:  # an unknown agency is refused later, by its message
            reserve_numbers(session, agency, year, 0)


def _alone(engine: Engine, message: IntakeMessage, actor: Actor, now: datetime) -> Issued | Refusal:
    try:
        return issue_once(engine, message, actor=actor, now=now)
    except (CitationsError, OrdinanceError) as exc:
        return exc


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
