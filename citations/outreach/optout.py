"""Ending messages at once: a reply of STOP, an unsubscribe link, a clerk at the person's
request; and asking again (START).

An opt-out is a row of `opt_outs` for one channel and one address, active while its
`ended_at` is empty. It ends texts (or emails) to that address for every citation that has
it, whatever each citation's consent says: the planner (`citations.outreach.sync`) writes no
message to an address with an active opt-out and cancels those pending. Addresses are
compared in one form: a phone in E.164 (`+15105550123`), an email in lower case
(`citations.record.contact`).

Each citation with the address gets an audit event (`citation.texts_stopped`,
`citation.emails_stopped`, and `citation.texts_resumed`, `citation.emails_resumed` when the
person asks again), in the same transaction; the commit hook then brings each one's
reminders up to date.

The unsubscribe link in every email (`unsubscribe_url`) carries the address sealed with
AES-SIV (RFC 5297) under a key derived from `CITATIONS_OUTREACH_SECRET`: deterministic
authenticated encryption, so the same address always gets the same link, nobody without
the key can read the address in it or make a link for another address (a changed link
fails to open: 404), and no table of links is needed to find the address again.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.errors import CitationsError
from citations.record.contact import email_key
from citations.record.messages import Channel, OptOut
from citations.record.tables import Citation
from citations.roles import Action, Actor, Role
from citations.settings import Settings

STOPPED = {
    Channel.TEXT.value: "citation.texts_stopped",
    Channel.EMAIL.value: "citation.emails_stopped",
}
RESUMED = {
    Channel.TEXT.value: "citation.texts_resumed",
    Channel.EMAIL.value: "citation.emails_resumed",
}

TEXT_REPLY = Actor("the person, by a text reply", Role.PERSON)
"""Who acts when a reply to a text arrives (the audit trail names them so)."""
UNSUBSCRIBE_LINK = Actor("the person, by the unsubscribe link", Role.PERSON)


class OutreachNotConfigured(CitationsError):
    """A setting the step needs is missing (named in the message)."""


@dataclass(frozen=True)
class Change:
    """What an opt-out or opt-in did: `changed` False when the address already stood so."""

    channel: str
    address: str
    changed: bool
    citations: list[str]
    """The numbers of the citations with the address, each audited when `changed`."""


def normalized(channel: str, address: str) -> str:
    """The form an address is kept and compared in: E.164 as given for a phone (the caller
    reads it with `citations.record.contact.phone_e164`), lower case for an email."""
    if channel not in STOPPED:
        raise ValueError(f"no opt-out for the {channel!r} channel")
    return email_key(address) if channel == Channel.EMAIL.value else address.strip()


def _active(session: Session, channel: str, address: str) -> OptOut | None:
    return session.scalars(
        select(OptOut)
        .where(OptOut.channel == channel, OptOut.address == address, OptOut.ended_at.is_(None))
        .order_by(OptOut.id)
    ).first()


def opted_out(session: Session, channel: str, address: str) -> bool:
    """Whether messages on `channel` to `address` are ended now."""
    return _active(session, channel, normalized(channel, address)) is not None


def holders(session: Session, channel: str, address: str) -> list[str]:
    """The numbers of the citations whose phone (or email) is `address`, oldest first."""
    column = Citation.phone if channel == Channel.TEXT.value else func.lower(Citation.email)
    return list(
        session.scalars(select(Citation.number).where(column == address).order_by(Citation.id))
    )


def _audit(
    session: Session,
    action: str,
    numbers: list[str],
    *,
    address: str,
    how: str,
    actor: Actor,
    now: datetime,
) -> None:
    for number in numbers:
        record(
            session,
            at=now,
            actor=actor.name,
            action=action,
            entity_type="citation",
            entity_key=number,
            reason=how,
            after={"address": address, "how": how},
        )


def opt_out(
    session: Session, *, channel: str, address: str, how: str, actor: Actor, now: datetime
) -> Change:
    """End messages on `channel` to `address` at once, for every citation that has it.

    `how`: `stop_reply`, `unsubscribe_link`, `clerk` or `person`. An address already opted
    out stays as it is (a second STOP changes nothing and records nothing).
    """
    actor.require(Action.CHANGE_CONTACT)
    address = normalized(channel, address)
    numbers = holders(session, channel, address)
    if _active(session, channel, address) is not None:
        return Change(channel, address, False, numbers)
    session.add(OptOut(channel=channel, address=address, at=now, how=how))
    _audit(session, STOPPED[channel], numbers, address=address, how=how, actor=actor, now=now)
    return Change(channel, address, True, numbers)


def opt_in(
    session: Session, *, channel: str, address: str, how: str, actor: Actor, now: datetime
) -> Change:
    """Let messages on `channel` to `address` go again (a reply of START, or the person
    consenting again): the active opt-out ends, and each citation's own consent decides."""
    actor.require(Action.CHANGE_CONTACT)
    address = normalized(channel, address)
    active = _active(session, channel, address)
    numbers = holders(session, channel, address)
    if active is None:
        return Change(channel, address, False, numbers)
    active.ended_at, active.ended_how = now, how
    _audit(session, RESUMED[channel], numbers, address=address, how=how, actor=actor, now=now)
    return Change(channel, address, True, numbers)


# The unsubscribe link -------------------------------------------------------------------

LINK_CONTEXT = b"citations unsubscribe link v1"


def _sealer(settings: Settings) -> AESSIV:
    secret = settings.outreach_secret
    if secret is None:
        raise OutreachNotConfigured("unsubscribe links need CITATIONS_OUTREACH_SECRET")
    key = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=LINK_CONTEXT).derive(
        secret.get_secret_value().encode()
    )
    return AESSIV(key)


def unsubscribe_token(settings: Settings, address: str) -> str:
    """The sealed, lower-cased address, in URL-safe base64 without padding."""
    sealed = _sealer(settings).encrypt(email_key(address).encode(), [LINK_CONTEXT])
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def address_of_token(settings: Settings, token: str) -> str | None:
    """The address an unsubscribe token was made for; None for a token this city's secret
    did not make (changed, cut short, or made up), and for any token without a secret."""
    if settings.outreach_secret is None:
        return None
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return _sealer(settings).decrypt(sealed, [LINK_CONTEXT]).decode()
    except (InvalidTag, ValueError, binascii.Error, UnicodeDecodeError):
        return None


def unsubscribe_url(settings: Settings, website: str, address: str) -> str:
    """The link in every email that ends emails to `address` at once (`List-Unsubscribe`,
    with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` for RFC 8058's one click).

    Opening it shows a page with one button (mail scanners follow links, so nothing ends on
    opening); the button, or a mail program's one-click POST, ends the emails.
    """
    return f"{website.rstrip('/')}/unsubscribe/{unsubscribe_token(settings, address)}"
