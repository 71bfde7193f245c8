"""The outbox row's life while it is sent: claimed, then sent, retrying, failed, or left in
doubt; each step one short transaction of its own.

A sender claims one message at a time, right before it hands it over: the claim commits
`sending` (with who and when) before the provider sees anything, and the outcome commits
right after. So at any moment a sender has at most one message in hand, and a sender that
dies leaves exactly that one in `sending`: the next run settles it (`take_over`, after the
lease, or at once when the caller knows no other sender runs).

Several senders never take the same row: on PostgreSQL the claim selects it `FOR UPDATE
SKIP LOCKED` (another sender's row is passed over, not waited for); on SQLite every writing
transaction holds the database's write lock from its start. Every update after the claim is
made only by the sender that holds it (`claimed_by`): a sender that lost its claim to a
take-over does not overwrite what the other recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from citations.audit import record
from citations.outreach.channels.base import NotSent, Outcome, Outgoing
from citations.outreach.compose import address_of, compose, why_not_send
from citations.record.messages import Channel, MessageStatus, OutboxMessage
from citations.record.tables import Citation
from citations.settings import Settings
from ordinances.models import Jurisdiction

log = logging.getLogger(__name__)

ACTOR = "reminders sender"
"""Who the audit trail says flagged a refused phone or email."""
LONGEST_WAIT = timedelta(days=1)
"""The wait between tries doubles from the profile's `retry_minutes`, up to this."""


@dataclass(frozen=True)
class Claimed:
    """A message in this sender's hands, ready to go."""

    id: int
    channel: str
    outgoing: Outgoing
    kept: str
    """Its words as the outbox keeps them (the access code shortened)."""
    attempts: int
    before: str | None = None
    """For a message taken over in doubt: the words the sender that died kept, which a
    provider that can be asked is asked about."""
    must_not_go: str | None = None
    """For a message taken over in doubt that must not go any more (an opt-out since): why.
    It is not sent again; a provider that can be asked says whether it went."""


@dataclass
class Passed:
    """Due messages a claim passed over on its way to one it could send."""

    cancelled: int = 0
    """No longer to send (consent withdrawn, an opt-out, no address)."""
    unwritable: int = 0
    """Failed: their words could not be written."""


def _take(message: OutboxMessage, worker: str, now: datetime) -> None:
    message.status = MessageStatus.SENDING.value
    message.claimed_at = now
    message.claimed_by = worker
    message.attempts += 1


def _composed(
    session: Session,
    message: OutboxMessage,
    citation: Citation,
    passed: Passed,
    *,
    worker: str,
    profile: Jurisdiction,
    settings: Settings,
    now: datetime,
    before: str | None = None,
) -> Claimed | None:
    """Take the message and compose it; None (and the message failed) when its words cannot
    be written, so that one broken message (a template missing for its language) does not
    stop every message after it."""
    try:
        with session.begin_nested():
            _take(message, worker, now)
            address = address_of(message, citation)
            assert address is not None  # why_not_send said so
            composed = compose(
                session, message, citation, address, profile=profile, settings=settings, now=now
            )
            message.address = address
            message.body = composed.kept
            message.provider_id = composed.outgoing.message_id  # an email's; a text's comes back
    except SQLAlchemyError:
        raise  # the database's trouble, not the message's: the run ends, the claim rolls back
    except Exception as exc:
        log.exception("outbox message %s could not be written", message.id)
        message.status = MessageStatus.FAILED.value
        message.error = f"its words could not be written: {type(exc).__name__}: {exc}"
        if before is not None:
            message.error = "in doubt (the sender stopped while sending it); " + message.error
        passed.unwritable += 1
        return None
    return Claimed(
        message.id, message.channel, composed.outgoing, composed.kept, message.attempts, before
    )


def claim_next(
    session: Session,
    channel: Channel,
    *,
    worker: str,
    profile: Jurisdiction,
    settings: Settings,
    now: datetime,
) -> tuple[Claimed | None, Passed]:
    """The next due message on `channel`, claimed and composed; and the due ones passed
    over on the way: cancelled because they must not go any more (no consent, an opt-out,
    no address, an address refused before), or failed because they cannot be written."""
    passed = Passed()
    while True:
        message = session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == MessageStatus.PENDING.value,
                OutboxMessage.channel == channel.value,
                OutboxMessage.next_try_at <= now,
            )
            .order_by(OutboxMessage.next_try_at, OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            return None, passed
        citation = session.get_one(Citation, message.citation_id)
        reason = why_not_send(session, message, citation)
        if reason is not None:
            message.status = MessageStatus.CANCELLED.value
            message.cancelled_at = now
            message.cancel_reason = reason[:200]
            passed.cancelled += 1
            continue
        claimed = _composed(
            session,
            message,
            citation,
            passed,
            worker=worker,
            profile=profile,
            settings=settings,
            now=now,
        )
        if claimed is not None:
            return claimed, passed


def take_over(
    session: Session,
    channel: Channel,
    *,
    older_than: datetime,
    worker: str,
    profile: Jurisdiction,
    settings: Settings,
    now: datetime,
) -> tuple[Claimed | None, Passed]:
    """A message left in `sending` by a sender that died (claimed before `older_than`),
    claimed by this one and composed again (a fresh code), with the words the dead sender
    kept in `before`; and the ones passed over on the way (failed: cannot be written)."""
    passed = Passed()
    while True:
        message = session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == MessageStatus.SENDING.value,
                OutboxMessage.channel == channel.value,
                or_(OutboxMessage.claimed_at <= older_than, OutboxMessage.claimed_at.is_(None)),
            )
            .order_by(OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            return None, passed
        before = message.body or ""
        citation = session.get_one(Citation, message.citation_id)
        reason = why_not_send(session, message, citation)
        if reason is not None:
            _take(message, worker, now)
            outgoing = Outgoing(message.id, message.address or "", "", message.language)
            stopped = Claimed(
                message.id,
                message.channel,
                outgoing,
                before,
                message.attempts,
                before,
                must_not_go=reason,
            )
            return stopped, passed
        claimed = _composed(
            session,
            message,
            citation,
            passed,
            worker=worker,
            profile=profile,
            settings=settings,
            now=now,
            before=before,
        )
        if claimed is not None:
            return claimed, passed


def _held(session: Session, claimed: Claimed, worker: str) -> OutboxMessage | None:
    """The claimed row, locked, if this sender still holds it."""
    message = session.get(OutboxMessage, claimed.id, with_for_update=True)
    if message is None or message.claimed_by != worker:
        return None
    if message.status != MessageStatus.SENDING.value:
        return None
    return message


def record_sent(
    session: Session,
    claimed: Claimed,
    *,
    provider_id: str,
    worker: str,
    now: datetime,
    kept: str | None = None,
    note: str | None = None,
) -> None:
    """The provider took it. Recorded even when this sender lost its claim meanwhile (a
    message that went is sent, whatever else was decided about it)."""
    message = session.get_one(OutboxMessage, claimed.id, with_for_update=True)
    message.status = MessageStatus.SENT.value
    message.sent_at = now
    message.provider_id = provider_id[:200]
    message.claimed_by = worker
    message.cancelled_at = message.cancel_reason = None
    if kept is not None:
        message.body = kept
    if note is not None:
        message.error = note


def retry_wait(profile: Jurisdiction, attempts: int) -> timedelta:
    """The wait before the next try after `attempts` tries: `retry_minutes`, doubled for
    each try after the first, at most a day.

    >>> from ordinances.models import Reminders
    >>> class P: reminders = Reminders(retry_minutes=5)
    >>> [int(retry_wait(P, n).total_seconds() // 60) for n in (1, 2, 3)]
    [5, 10, 20]
    """
    minutes = profile.reminders.retry_minutes * 2 ** max(attempts - 1, 0)
    return min(timedelta(minutes=minutes), LONGEST_WAIT)


def record_failure(
    session: Session,
    claimed: Claimed,
    failure: NotSent,
    *,
    worker: str,
    profile: Jurisdiction,
    now: datetime,
) -> MessageStatus | None:
    """A message that did not go: back to pending with a later try, or failed (given up:
    refused for good, or out of tries). An address refused for good is flagged on the
    citation for a clerk, audited; the commit then cancels the citation's other messages
    on that channel. None when this sender no longer holds the message."""
    citation = None
    if failure.contact:  # lock order: the citation first, then the rows (and the audit chain)
        row = session.get(OutboxMessage, claimed.id)
        if row is None:
            return None
        citation = session.get_one(Citation, row.citation_id, with_for_update=True)
    message = _held(session, claimed, worker)
    if message is None:
        return None
    message.error = failure.detail
    out_of_tries = message.attempts >= profile.reminders.max_attempts
    if failure.outcome is Outcome.PERMANENT or out_of_tries:
        message.status = MessageStatus.FAILED.value
    else:
        message.status = MessageStatus.PENDING.value
        message.next_try_at = now + retry_wait(profile, message.attempts)
    if citation is not None:
        flag_contact(session, citation, message, failure.detail, now=now)
    return MessageStatus(message.status)


def flag_contact(
    session: Session, citation: Citation, message: OutboxMessage, words: str, *, now: datetime
) -> None:
    """Mark the citation's phone or email as refused, with the provider's words, for a clerk
    to fix (audited)."""
    field = "phone_problem" if message.channel == Channel.TEXT else "email_problem"
    before = getattr(citation, field)
    problem = f"{message.address}: {words}"
    setattr(citation, field, problem)
    record(
        session,
        at=now,
        actor=ACTOR,
        action="citation.contact_problem",
        entity_type="citation",
        entity_key=citation.number,
        reason=words,
        before={field: before},
        after={field: problem, "channel": message.channel, "message": message.id},
    )


def record_cancelled(
    session: Session, claimed: Claimed, reason: str, *, worker: str, now: datetime
) -> None:
    """A message taken over in doubt that must not go again and did not go (or, for an
    email, may have gone: the reason says so)."""
    message = _held(session, claimed, worker)
    if message is not None:
        message.status = MessageStatus.CANCELLED.value
        message.cancelled_at = now
        message.cancel_reason = reason[:200]


def record_in_doubt(
    session: Session, claimed: Claimed, words: str, *, worker: str, now: datetime
) -> None:
    """The provider may have it and cannot be asked now: the message stays `sending`, to be
    settled by a later run once the lease has passed (never simply sent again)."""
    message = _held(session, claimed, worker)
    if message is not None:
        message.error = f"in doubt: {words}"
        message.claimed_at = now
