"""How a person can be reached: which channels are open to reminders, and why the others
are not (for the record of a cancelled message).

A channel needs an address, the person's consent, no problem recorded on the address (a
number the provider refused, an email that bounced) and no opt-out of it; opt-outs are
compared in the form `citations.outreach.addresses` gives (E.164, lower-case email).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from citations.outreach.addresses import email_key, phone_key
from citations.record.messages import Channel


@dataclass(frozen=True)
class Reach:
    """The channels a person can be reached on now, and why not on the others."""

    channels: tuple[str, ...]
    """`text` and/or `email`, in that order."""
    post: bool
    """A postal address to print a letter to."""
    why_not: Mapping[str, str] = field(default_factory=dict)
    """For each of text, email and letter not open: why, in plain words."""


def reach_of(
    *,
    phone: str | None,
    texts_consent: bool,
    phone_problem: str | None,
    email: str | None,
    emails_consent: bool,
    email_problem: str | None,
    postal_address: bool,
    opted_out: frozenset[tuple[str, str]] | set[tuple[str, str]],
) -> Reach:
    """The channels open to a person: a channel needs an address, consent, no problem
    recorded on it and no opt-out of its address (`opted_out` holds (channel, address) in
    the form of `citations.outreach.addresses`)."""
    why: dict[str, str] = {}
    text = _open_channel(
        Channel.TEXT, phone and phone_key(phone), texts_consent, phone_problem, opted_out, why
    )
    mail = _open_channel(
        Channel.EMAIL, email and email_key(email), emails_consent, email_problem, opted_out, why
    )
    channels = tuple(c for c, ok in ((Channel.TEXT.value, text), (Channel.EMAIL.value, mail)) if ok)
    if channels:
        why[Channel.LETTER.value] = "the person can be reached by text or email"
    elif not postal_address:
        why[Channel.LETTER.value] = "no postal address"
    return Reach(channels=channels, post=postal_address, why_not=why)


def _open_channel(
    channel: Channel,
    address: str | None,
    consent: bool,
    problem: str | None,
    opted_out: frozenset[tuple[str, str]] | set[tuple[str, str]],
    why: dict[str, str],
) -> bool:
    # The same words the sender gives when it passes a message over at sending
    # (citations.outreach.compose.why_not_send), whichever of the two cancels it first.
    noun = "phone" if channel is Channel.TEXT else "email"
    plural = f"{channel.value}s"
    if not address:
        why[channel.value] = f"no {noun} on file"
    elif not consent:
        why[channel.value] = f"no consent to {plural}"
    elif problem:
        why[channel.value] = f"the {noun} was refused before: {problem}"
    elif (channel.value, address) in opted_out:
        why[channel.value] = f"{address} asked for no more {plural}"
    else:
        return True
    return False
