"""A citation's messages and the person's contact, as a clerk reads them: on the citation's
page and in `citations show`.

Each message says when (sent, cancelled, or when it is due), on which channel, what it is
about in words, where it stands (a failure with the provider's words, a cancellation with
its reason) and where it went. The contact says which phone and email are on file, whether
the person agreed to texts and emails (when and how, from the consent records), why a
channel stopped (for a clerk to fix), and the reminders experiment's arm, if any.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.record.messages import MessageStatus, OutboxMessage
from citations.record.tables import Citation

ABOUT_WORDS = {
    "pay_by": "the deadline to pay or contest",
    "hearing_request_by": "the deadline to ask for a hearing",
    "deposit_due": "the deposit's deadline",
    "hearing": "the hearing",
    "installment": "an installment",
    "service_deadline": "the community service deadline",
    "program_deadline": "the program's deadline",
    "set_aside_by": "the deadline to ask to set the default aside",
}
"""The schedule's dates a message can be about, in words."""

KIND_WORDS = {
    "hearing_today": "Morning of the hearing",
    "hearing_set": "Hearing set",
    "hearing_moved": "Hearing moved",
}
"""Messages about an event rather than before or after a date."""

HOW_WORDS = {
    "device": "on the citation device",
    "online": "online",
    "clerk": "by a clerk",
    "person": "by the person",
}


def kind_words(kind: str, about: str) -> str:
    """What a message is, in words.

    >>> kind_words("before_pay_by", "pay_by")
    'Reminder before the deadline to pay or contest'
    >>> kind_words("missed_installment", "installment")
    'After a missed installment'
    >>> kind_words("hearing_moved", "hearing")
    'Hearing moved'
    """
    if kind in KIND_WORDS:
        return KIND_WORDS[kind]
    topic = ABOUT_WORDS.get(about, about.replace("_", " "))
    if kind.startswith("before_"):
        return f"Reminder before {topic}"
    if kind.startswith("missed_"):
        return f"After a missed {topic.removeprefix('the ').removeprefix('an ')}"
    return kind.replace("_", " ").capitalize()


class MessageLine(BaseModel):
    """One message as the clerk's table shows it."""

    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime
    """When it went (sent), was given up (failed), cancelled, or is due (pending)."""
    channel: str
    kind: str
    what: str
    """`kind` in words."""
    language: str
    status: str
    detail: str | None
    """Why it was cancelled, or the last failure as the provider said it (given up, or to
    be tried again); None once sent."""
    address: str | None
    """Where it went: the phone, the email address, or the postal address as printed."""
    attempts: int
    batch: int | None
    """The letter batch a printed letter went in."""


def messages_of(session: Session, citation: Citation) -> list[MessageLine]:
    """Every message of the citation, in the order of their moments (the next ones last)."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.citation_id == citation.id)
        .order_by(OutboxMessage.id)
    ).all()
    lines = [_line(row) for row in rows]
    return sorted(lines, key=lambda line: (line.at, line.id))


def _line(row: OutboxMessage) -> MessageLine:
    status = row.status
    if status == MessageStatus.SENT.value and row.sent_at is not None:
        at = row.sent_at
    elif status == MessageStatus.CANCELLED.value and row.cancelled_at is not None:
        at = row.cancelled_at
    elif status == MessageStatus.PENDING.value:
        at = row.next_try_at
    else:
        at = row.claimed_at or row.next_try_at
    detail = row.cancel_reason if status == MessageStatus.CANCELLED.value else row.error
    if status == MessageStatus.SENT.value:
        detail = None  # an earlier try's failure no longer matters
    return MessageLine(
        id=row.id,
        at=at,
        channel=row.channel,
        kind=row.kind,
        what=kind_words(row.kind, row.about),
        language=row.language,
        status=status,
        detail=detail,
        address=row.address,
        attempts=row.attempts,
        batch=row.batch_id,
    )


class ConsentRecord(BaseModel):
    """One record of consent given or withdrawn, as `Citation.consent` keeps it."""

    model_config = ConfigDict(frozen=True)

    channel: str
    given: bool
    at: datetime | None
    how: str | None
    """In words: on the citation device, online, by a clerk."""
    by: str | None
    address: str | None
    """The phone or email it was given (or withdrawn) for."""
    record: str | None
    """The device's own record of it, or how the person asked a clerk."""


class ContactView(BaseModel):
    """The person's contact as the clerk's page shows it."""

    model_config = ConfigDict(frozen=True)

    phone: str | None
    email: str | None
    texts: bool
    emails: bool
    texts_consent: ConsentRecord | None
    """The latest record about texts (None: no record)."""
    emails_consent: ConsentRecord | None
    phone_problem: str | None
    email_problem: str | None
    experiment: str | None
    arm: str | None

    @property
    def problems(self) -> bool:
        return bool(self.phone_problem or self.email_problem)


def contact_of(citation: Citation) -> ContactView:
    """The contact on file, with the latest consent record for each channel."""
    records = consent_records(citation.consent)
    latest: dict[str, ConsentRecord] = {}
    for item in records:
        latest[item.channel] = item
    return ContactView(
        phone=citation.phone,
        email=citation.email,
        texts=bool(citation.texts_consent),
        emails=bool(citation.emails_consent),
        texts_consent=latest.get("text"),
        emails_consent=latest.get("email"),
        phone_problem=citation.phone_problem,
        email_problem=citation.email_problem,
        experiment=citation.experiment,
        arm=citation.arm,
    )


def consent_records(stored: Any) -> list[ConsentRecord]:
    """The consent records as kept (oldest first), read forgivingly: a record missing a
    field shows without it rather than failing the page.

    >>> [r.how for r in consent_records([{"channel": "text", "given": True,
    ...     "at": "2026-11-20T18:00:00+00:00", "how": "device", "by": "Officer Diaz"}])]
    ['on the citation device']
    """
    records = []
    for item in stored if isinstance(stored, list) else []:
        if not isinstance(item, dict) or item.get("channel") is None:
            continue
        how = item.get("how")
        records.append(
            ConsentRecord(
                channel=str(item["channel"]).removesuffix("s"),  # texts, emails: one form
                given=bool(item.get("given")),
                at=_moment(item.get("at")),
                how=HOW_WORDS.get(str(how), str(how)) if how else None,
                by=_text(item.get("by")),
                address=_text(item.get("address")),
                record=_text(item.get("record")),
            )
        )
    return records


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
