"""The words of a message (placeholder: the planner's helper replaces the body of `render`;
the signature is the contract the sender and the letters use)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from citations.record.messages import OutboxMessage
from citations.record.tables import Citation
from ordinances.models import Jurisdiction


@dataclass(frozen=True)
class Words:
    text: str
    """A text message: the first name, what is due, the date and the link; nothing more."""
    subject: str
    """An email's subject."""
    email: str
    """An email's plain-text body, with the link."""
    letter: list[str]
    """A printed letter's paragraphs, the greeting first and the link last."""


def render(
    message: OutboxMessage, citation: Citation, profile: Jurisdiction, *, owed: Decimal, link: str
) -> Words:
    """The words of `message` in its language and wording; `owed` is what the citation's
    balance is at sending, `link` the person's door with a fresh access code."""
    line = f"{message.kind} {link}"
    return Words(text=line, subject=message.kind, email=line, letter=[line])
