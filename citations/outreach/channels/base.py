"""What the sender hands a channel, and how a channel says a message did not go.

A channel (SMTP email, the text provider's API) takes an `Outgoing` message and either
returns the provider's id for it or raises `NotSent`, which says what the sender should do
next: try again later (`PASSING`), give up (`PERMANENT`), or first ask the provider whether
it has the message after all (`UNKNOWN`: the request may have reached it before the answer
was lost). It also says whether the address itself was refused (`contact`: a clerk should
look at the person's phone or email) and whether the channel as a whole is down or
misconfigured (`outage`: stop using it for this run rather than spend every message's tries).

The words of a refusal are the provider's, kept for the clerk and the outbox row; they never
carry a credential.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class Outgoing:
    """One message as a channel hands it over: the words with a working link."""

    outbox_id: int
    address: str
    """E.164 for a text (+15105550123), an email address for an email."""
    body: str
    """The text, or the email's plain-text body."""
    language: str
    subject: str = ""
    message_id: str | None = None
    """An email's Message-ID: the same for every copy of the same outbox message."""
    unsubscribe: str | None = None
    """An email's one-click unsubscribe link (RFC 8058)."""
    attachment: Attachment | None = None


class Outcome(StrEnum):
    PASSING = "passing"
    """Not taken, for a reason that passes (a server down, a rate limit): try again later."""
    PERMANENT = "permanent"
    """Refused for good (a bad number, a refused address): never try again."""
    UNKNOWN = "unknown"
    """The provider may have taken it (the answer was lost): ask it before sending again."""


class NotSent(Exception):
    """A message the channel could not hand over, with what to do about it."""

    def __init__(
        self, outcome: Outcome, detail: str, *, contact: bool = False, outage: bool = False
    ) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail
        self.contact = contact
        """The address itself was refused: flag the person's phone or email for a clerk."""
        self.outage = outage
        """The channel is down or misconfigured: stop using it for this run."""

    def __repr__(self) -> str:
        return f"NotSent({self.outcome.value}, {self.detail!r})"


class Gateway(Protocol):
    """A channel's way out: the SMTP server, the text provider's API."""

    can_ask: bool
    """Whether the provider can be asked if it already has a message (a text provider's
    log can; an SMTP server cannot, so an email in doubt is sent again with its same
    Message-ID)."""

    def send(self, outgoing: Outgoing, *, now: datetime) -> str:
        """Hand the message over; the provider's id for it, or NotSent."""
        ...

    def find(self, address: str, sent_as: Callable[[str], bool]) -> str | None:
        """The provider's id of a message it has to `address` whose words are the ones
        `sent_as` recognizes; None when it has none (or cannot be asked: `can_ask` False)."""
        ...

    def close(self) -> None: ...
