"""Keeping one's contact current: the mailing address (`record_address`, which mails a
letter that came back again), phone and email, and consent to reminders by text and by
email, each audited with what it was before. The person does it on the public pages; a
clerk does it at the person's request, with the same function.

Phones and emails are checked and kept in one form (`citations.record.contact`); consent is
recorded per channel (`citations.record.consent`). Giving consent to emails again at an
address that used an unsubscribe link ends that opt-out: the person asked for emails. A
phone that replied STOP stays stopped until the person replies START: the text provider
keeps its own block on the number, which only a reply of START lifts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from citations.audit import record
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected
from citations.issuing.intake import Address
from citations.notice.address import record_address
from citations.outreach.optout import opt_in, opted_out
from citations.record.consent import ConsentHow, change_consent
from citations.record.contact import email_address, phone_e164
from citations.record.lookup import lock_citation
from citations.record.messages import Channel
from citations.record.tables import Citation, SentDocument
from citations.roles import Action, Actor, Role

__all__ = ["ContactChange", "email_address", "phone_number", "update_contact"]

TEXT, EMAIL = Channel.TEXT.value, Channel.EMAIL.value


def phone_number(typed: str, country: str) -> str:
    """A phone number as the person typed it, in E.164, read with `country` (the
    jurisdiction's) as its default; InputRejected with a plain message otherwise.

    >>> phone_number("(510) 555-0123", "US")
    '+15105550123'
    >>> phone_number("+52 55 1234 5678", "US")
    '+525512345678'
    >>> phone_number("call me", "US")
    Traceback (most recent call last):
    ...
    citations.errors.InputRejected: the phone number was not understood: phone: write a phone \
number with its area code, such as (510) 555-0123 or +1 510 555 0123
    """
    return phone_e164(typed, country)


@dataclass(frozen=True)
class ContactChange:
    changed: list[str]
    """What changed: `address`, `phone`, `email`, `texts`, `emails` (consent)."""
    mailed: SentDocument | None
    """The letter mailed again to the new address (one that came back), if any."""
    texts_stopped: bool = False
    """The phone replied STOP to a text earlier: texts wait for a reply of START."""


def _typed(
    phone: str | None, email: str | None, country: str, citation: Citation
) -> tuple[str | None, str | None]:
    """The phone and email after the change: `None` keeps one, an empty one removes it."""
    problems: list[FieldError] = []
    new_phone, new_email = citation.phone, citation.email
    if phone is not None:
        try:
            new_phone = phone_e164(phone, country) if phone.strip() else None
        except InputRejected as exc:
            problems += exc.errors
    if email is not None:
        try:
            new_email = email_address(email) if email.strip() else None
        except InputRejected as exc:
            problems += exc.errors
    if problems:
        raise InputRejected(problems, "some fields need attention")
    return new_phone, new_email


def _wanted(
    citation: Citation,
    texts: bool | None,
    emails: bool | None,
    phone: str | None,
    email: str | None,
) -> dict[str, bool]:
    """Consent after the change: as asked, or as it was; never without an address to use."""
    problems = []
    if texts and phone is None:
        problems.append(FieldError("texts", "to get texts, give a phone number"))
    if emails and email is None:
        problems.append(FieldError("emails", "to get emails, give an email address"))
    if problems:
        raise InputRejected(problems, "some fields need attention")
    return {
        TEXT: (citation.texts_consent if texts is None else texts) and phone is not None,
        EMAIL: (citation.emails_consent if emails is None else emails) and email is not None,
    }


def update_contact(
    session: Session,
    number: str,
    *,
    address: Address | None,
    phone: str | None,
    email: str | None,
    actor: Actor,
    now: datetime,
    texts: bool | None = None,
    emails: bool | None = None,
    means: str | None = None,
) -> ContactChange:
    """Record the person's contact: `None` leaves a field as it is, an empty phone or email
    removes it (and the consent that went with it). `texts` and `emails` give or withdraw
    consent (None: as it is). The address goes through `record_address`; phone and email
    are audited as `citation.contact_changed` with before and after, clearing the problem a
    clerk was shown for the one that changed; consent as `citation.consent_changed`, with a
    record `how` it was given: `online` for the person, `clerk` for staff, with `means`
    (at the counter, by phone, by letter).

    >>> # update_contact(session, number, address=None, phone="(510) 555-0123", email="",
    >>> #                texts=True, actor=cited_person(number), now=now).changed
    >>> # ['phone', 'email', 'texts']
    """
    actor.require(Action.CHANGE_CONTACT)
    citation = lock_citation(session, number, actor)
    country = PublishedCatalog(session).jurisdiction().holiday_calendar.country
    new_phone, new_email = _typed(phone, email, country, citation)
    wanted = _wanted(citation, texts, emails, new_phone, new_email)
    changed = []
    mailed = None
    if address is not None and citation.subject.get("address") != address.model_dump(mode="json"):
        mailed = record_address(session, citation.number, address, actor=actor, now=now)
        changed.append("address")
    moved = _change_addresses(session, citation, new_phone, new_email, actor=actor, now=now)
    changed += [name for channel, name in ((TEXT, "phone"), (EMAIL, "email")) if channel in moved]
    how = ConsentHow.ONLINE if actor.role is Role.PERSON else ConsentHow.CLERK
    consented = change_consent(
        session,
        citation,
        wanted,
        moved=frozenset(moved),
        how=how,
        by=actor.name,
        now=now,
        record_of=means,
    )
    changed += [{TEXT: "texts", EMAIL: "emails"}[channel] for channel in consented]
    if not changed:
        raise InputRejected(
            [FieldError("address", "this is already the contact on file")], "nothing changed"
        )
    if wanted[EMAIL] and EMAIL in consented and citation.email is not None:
        opt_in(session, channel=EMAIL, address=citation.email, how=how.value, actor=actor, now=now)
    stopped = (
        wanted[TEXT] and citation.phone is not None and opted_out(session, TEXT, citation.phone)
    )
    return ContactChange(changed, mailed, texts_stopped=stopped)


def _change_addresses(
    session: Session,
    citation: Citation,
    phone: str | None,
    email: str | None,
    *,
    actor: Actor,
    now: datetime,
) -> set[str]:
    """Set the phone and email, audited; returns the channels whose address changed."""
    before: dict[str, str | None] = {"phone": citation.phone, "email": citation.email}
    after: dict[str, str | None] = {"phone": phone, "email": email}
    if before == after:
        return set()
    moved = set()
    if phone != citation.phone:
        moved.add(TEXT)
        if citation.phone_problem is not None:
            before["phone_problem"], after["phone_problem"] = citation.phone_problem, None
        citation.phone, citation.phone_problem = phone, None
    if email != citation.email:
        moved.add(EMAIL)
        if citation.email_problem is not None:
            before["email_problem"], after["email_problem"] = citation.email_problem, None
        citation.email, citation.email_problem = email, None
    record(
        session,
        at=now,
        actor=actor.name,
        action="citation.contact_changed",
        entity_type="citation",
        entity_key=citation.number,
        before=before,
        after=after,
    )
    return moved
