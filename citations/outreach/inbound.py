"""What the text provider (Twilio) tells us: a reply to one of our texts, and what became of
a text we sent.

A reply of STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, and in Spanish PARAR or ALTO)
ends texts to that phone at once, for every citation that has it; START (UNSTOP, YES) lets
them go again. Keywords are read without regard to case, spaces around them, or a final
full stop or exclamation mark. Anything else records nothing: the city's number sends
reminders and reads no replies, so the answer points to the office's phone and website.

A text Twilio reports `undelivered` or `failed` is marked failed in the outbox with the
error. When the error says the number itself cannot get texts, every citation with that
phone is flagged for a clerk (`phone_problem`, audited as `citation.contact_problem`), and
the planner sends it no more texts until the phone changes:

- 30004 message blocked (the number blocks messages, or opted out with its carrier);
- 30005 unknown destination (no such number, or no longer in service);
- 30006 landline or unreachable carrier (the number cannot receive texts).

Not flagged: 30003 (handset unreachable: switched off or out of coverage, which passes, so
the next reminder may arrive), 30007 (filtered by the carrier: the wording or the city's
sender registration, not the person's number, for an administrator to look at), and any
other code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.outreach.optout import TEXT_REPLY, Change, opt_in, opt_out
from citations.record.messages import Channel, MessageStatus, OutboxMessage
from citations.record.tables import Citation

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "PARAR", "ALTO"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})

PERMANENT = {
    "30004": "the number blocks messages",
    "30005": "the number is unknown or no longer in service",
    "30006": "the number is a landline or its carrier cannot receive texts",
}
"""Twilio's error codes that say the number itself cannot get texts."""
GAVE_UP = frozenset({"undelivered", "failed"})
"""Twilio's MessageStatus values for a text that did not arrive."""
PROVIDER = "the text provider (Twilio)"


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"


def keyword(body: str) -> Keyword | None:
    """The keyword a reply is, if it is one.

    >>> keyword(" Stop. "), keyword("parar"), keyword("yes"), keyword("stop texting me")
    (<Keyword.STOP: 'stop'>, <Keyword.STOP: 'stop'>, <Keyword.START: 'start'>, None)
    """
    word = body.strip().rstrip(".!").strip().upper()
    if word in STOP_WORDS:
        return Keyword.STOP
    if word in START_WORDS:
        return Keyword.START
    return None


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's signature of a request: base64 of HMAC-SHA1 with the account's auth token
    over the full URL Twilio called, then each POST parameter's name and value, sorted by
    name (and a repeated name's values in order too). Twilio's published example:

    >>> twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
    ...     [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"),
    ...      ("Digits", "1234"), ("From", "+12349013030"), ("To", "+18005551212")])
    '0/KCTR6DLpKmkAf8muzZqo1nDgQ='
    """
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _with_and_without_port(url: str) -> list[str]:
    """Twilio signs the URL as it was configured: with the default port or without it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    default = "443" if parts.scheme == "https" else "80"
    bare = urlunsplit(parts._replace(netloc=host))
    ported = urlunsplit(parts._replace(netloc=f"{host}:{parts.port or default}"))
    return [url, bare, ported]


def signed_by_twilio(
    auth_token: str, url: str, params: list[tuple[str, str]], signature: str
) -> bool:
    """Whether `signature` (the X-Twilio-Signature header) is Twilio's for this request."""
    given = signature.encode()
    return any(
        hmac.compare_digest(twilio_signature(auth_token, candidate, params).encode(), given)
        for candidate in dict.fromkeys(_with_and_without_port(url))
    )


def e164_of(sender: str) -> str | None:
    """The sender's number as Twilio gives it (E.164), checked; None for anything else (a
    short code, an alphanumeric sender)."""
    try:
        number = phonenumbers.parse(sender.strip(), None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Reply:
    """What a reply did, and the language to answer in."""

    keyword: Keyword | None
    change: Change | None
    language: str | None
    """The language of the latest citation with the phone; None when no citation has it."""


def take_reply(session: Session, *, sender: str, body: str, now: datetime) -> Reply:
    """Act on a reply to one of our texts: STOP ends texts to the phone, START lets them
    go again; anything else records nothing."""
    phone = e164_of(sender)
    if phone is None:
        return Reply(None, None, None)
    language = session.scalars(
        select(Citation.notice_language)
        .where(Citation.phone == phone)
        .order_by(Citation.issued_at.desc(), Citation.id.desc())
        .limit(1)
    ).first()
    word = keyword(body)
    change = None
    if word is Keyword.STOP:
        change = opt_out(
            session,
            channel=Channel.TEXT.value,
            address=phone,
            how="stop_reply",
            actor=TEXT_REPLY,
            now=now,
        )
    elif word is Keyword.START:
        change = opt_in(
            session,
            channel=Channel.TEXT.value,
            address=phone,
            how="start_reply",
            actor=TEXT_REPLY,
            now=now,
        )
    return Reply(word, change, language)


def take_status(
    session: Session, *, sid: str, status: str, error_code: str | None, now: datetime
) -> list[str]:
    """Record what became of a text we sent (Twilio's status callback). Returns the numbers
    of the citations whose phone it flagged."""
    if status not in GAVE_UP or not sid:
        return []
    message = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.provider_id == sid, OutboxMessage.channel == Channel.TEXT.value
        )
    ).first()
    if message is None:
        return []
    code = (error_code or "").strip()
    error = f"Twilio: {status}" + (f", error {code}" if code else "")
    if code in PERMANENT:
        error += f" ({PERMANENT[code]})"
    citation = session.get(Citation, message.citation_id)
    phone = message.address or (citation.phone if citation is not None else None)
    flagged: list[str] = []
    if code in PERMANENT and phone is not None:
        words = f"Twilio error {code}: {PERMANENT[code]}"
        flagged = _flag_phone(session, phone, words, message, now)
    before = {"status": message.status, "error": message.error}
    message.status, message.error = MessageStatus.FAILED.value, error
    if citation is not None:
        record(
            session,
            at=now,
            actor=PROVIDER,
            action="outreach.text_undelivered",
            entity_type="citation",
            entity_key=citation.number,
            reason=error,
            before=before,
            after={"status": message.status, "error": error, "key": message.key, "sid": sid},
        )
    return flagged


def _flag_phone(
    session: Session, phone: str, words: str, message: OutboxMessage, now: datetime
) -> list[str]:
    """Flag every citation with `phone` for a clerk (locked in id order, then audited as
    `citation.contact_problem`, as the sender flags a number the provider refuses at once)."""
    problem = f"{phone}: {words}"
    citations = session.scalars(
        select(Citation).where(Citation.phone == phone).order_by(Citation.id).with_for_update()
    ).all()
    flagged = []
    for citation in citations:
        if citation.phone_problem == problem:
            continue
        before = citation.phone_problem
        citation.phone_problem = problem
        record(
            session,
            at=now,
            actor=PROVIDER,
            action="citation.contact_problem",
            entity_type="citation",
            entity_key=citation.number,
            reason=words,
            before={"phone_problem": before},
            after={"phone_problem": problem, "channel": Channel.TEXT.value, "message": message.id},
        )
        flagged.append(citation.number)
    return flagged
