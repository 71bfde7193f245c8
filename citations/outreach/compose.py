"""A due message made ready to go: where it goes, its words with a fresh link, and for an
email the document it is about, attached.

Every message gets its own access code, minted when it is claimed (as every printed
document does), so the link opens the person's page without their date of birth. The words
are rendered then too, with the balance as it stands, so a reminder never states an amount
that a payment since has changed. What the outbox keeps is the words with the code
shortened to its last characters (`redact`): the record says what was sent, and a copy of
the database opens no one's citation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.documents.access import CODE_PATH, mint_online_access
from citations.outreach.channels.base import Attachment, Outgoing
from citations.outreach.channels.email import message_id_for
from citations.outreach.channels.texts import e164
from citations.outreach.optout import unsubscribe_url
from citations.outreach.render import render
from citations.record.access import ALPHABET, grouped
from citations.record.ledger import balance
from citations.record.messages import Channel, OptOut, OutboxMessage
from citations.record.sent import NOTICES, Kind, kept_document, latest_document
from citations.record.tables import Citation, SentDocument
from citations.settings import Settings
from ordinances.models import Jurisdiction

SHORTENED = "…"
"""What stands for the first characters of an access code in the words the outbox keeps."""
_CODE_IN_LINK = re.compile(
    rf"{re.escape(CODE_PATH)}(?:[{ALPHABET}]{{4}}-?){{3}}(?P<last>[{ALPHABET}]{{4}})"
)
_SHORTENED_IN_LINK = re.compile(rf"{re.escape(CODE_PATH)}{SHORTENED}([{ALPHABET}]{{4}})")
HEARING_NOTICE_KINDS = frozenset({"hearing_set", "hearing_moved"})
"""Messages that attach the hearing's notice to an email; messages about the pay-by date
attach the citation's notice."""


def redact(text: str, code: str | None = None) -> str:
    """`text` with every access code in a link shortened to its last four characters (and
    `code`, when known, wherever it appears).

    >>> redact("Pay by Dec 20: https://c.example/c/7K3MQ9R0PB2X1AQ4")
    'Pay by Dec 20: https://c.example/c/…1AQ4'
    """
    if code:
        for form in (code, grouped(code)):
            text = text.replace(form, SHORTENED + code[-4:])
    return _CODE_IN_LINK.sub(lambda m: f"{CODE_PATH}{SHORTENED}{m['last']}", text)


def sent_as(kept: str) -> Callable[[str], bool]:
    """Whether a provider's copy of a message is the message the outbox kept as `kept`: the
    same access codes, by their last four characters (plain ASCII, which no provider
    re-encodes, unlike quotes or accents), or for words without a link, the same words.

    >>> same = sent_as("Pay by Dec 20: https://c.example/c/…1AQ4")
    >>> same("Pay by Dec 20: https://c.example/c/7K3MQ9R0PB2X1AQ4")
    True
    >>> same("Pay by Dec 20: https://c.example/c/7K3MQ9R0PB2X1AQ5")
    False
    """
    ours = _SHORTENED_IN_LINK.findall(kept)

    def same(body: str) -> bool:
        shortened = redact(body)
        return _SHORTENED_IN_LINK.findall(shortened) == ours if ours else shortened == kept

    return same


def address_of(message: OutboxMessage, citation: Citation) -> str | None:
    """Where the message goes: the phone in E.164 (as typed, when it cannot be read as a
    number: the channel then refuses it and flags it) or the email address."""
    if message.channel == Channel.TEXT:
        phone = (citation.phone or "").strip()
        return e164(phone) or phone or None
    return (citation.email or "").strip() or None


def why_not_send(session: Session, message: OutboxMessage, citation: Citation) -> str | None:
    """Why the message must not go now, if it must not: the last check before it leaves,
    whatever the planner saw when it wrote it (consent withdrawn, an opt-out, a refused
    address since)."""
    text = message.channel == Channel.TEXT
    address = address_of(message, citation)
    if address is None:
        return "no phone on file" if text else "no email on file"
    if not (citation.texts_consent if text else citation.emails_consent):
        return "no consent to texts" if text else "no consent to emails"
    problem = citation.phone_problem if text else citation.email_problem
    if problem:
        return f"the {'phone' if text else 'email'} was refused before: {problem}"
    opted_out = session.scalar(
        select(OptOut.id)
        .where(
            OptOut.channel == message.channel,
            OptOut.address == (address if text else address.lower()),
            OptOut.ended_at.is_(None),
        )
        .limit(1)
    )
    if opted_out is not None:
        return f"{address} asked for no more {'texts' if text else 'emails'}"
    return None


def attached_document(
    session: Session, message: OutboxMessage, citation: Citation
) -> SentDocument | None:
    """The document an email is about, as it was sent: the hearing's notice when a hearing
    is set or moved (the one of `facts["hearing"]` when the message names it), the
    citation's notice before the pay-by date; nothing for other messages."""
    if message.kind in HEARING_NOTICE_KINDS:
        facts = message.facts if isinstance(message.facts, dict) else {}
        hearing = facts.get("hearing")
        if hearing is not None:
            named = kept_document(session, citation, Kind.HEARING_NOTICE, f"hearing:{hearing}")
            if named is not None:
                return named
        return latest_document(session, citation, [Kind.HEARING_NOTICE])
    if message.about == "pay_by":
        return latest_document(session, citation, NOTICES)
    return None


@dataclass(frozen=True)
class Composed:
    outgoing: Outgoing
    kept: str
    """The words as the outbox keeps them: the access code shortened."""


def compose(
    session: Session,
    message: OutboxMessage,
    citation: Citation,
    address: str,
    *,
    profile: Jurisdiction,
    settings: Settings,
    now: datetime,
) -> Composed:
    """Mint the message's access code and render its words (in the claiming transaction)."""
    website = profile.contact.website
    access = mint_online_access(session, citation, printed_on="reminder", website=website, now=now)
    code = access.link.rsplit("/", 1)[1]
    words = render(message, citation, profile, owed=balance(session, citation), link=access.link)
    if message.channel == Channel.TEXT:
        outgoing = Outgoing(message.id, address, words.text, message.language)
        return Composed(outgoing, redact(words.text, code))
    assert settings.mail_from is not None
    document = attached_document(session, message, citation)
    attachment = None
    if document is not None:
        name = f"{citation.number}-{document.kind.replace('_', '-')}.pdf"
        attachment = Attachment(name, document.content)
    outgoing = Outgoing(
        message.id,
        address,
        words.email,
        message.language,
        subject=words.subject,
        message_id=message_id_for(message.id, citation.number, message.key, settings.mail_from),
        unsubscribe=unsubscribe_url(settings, website, address),
        attachment=attachment,
    )
    return Composed(outgoing, f"Subject: {words.subject}\n\n{redact(words.email, code)}")
