"""The office a person can reach: the contact block every document prints."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LanguageLine(BaseModel):
    """One line of the language block, in its own language and script, the phone filled in."""

    model_config = ConfigDict(frozen=True)

    language: str
    """ISO 639 code, with the script where a language has two (`zh-Hant`)."""
    text: str
    own: bool = False
    """True for a line in the person's own language (printed first, and under the top box)."""


class OfficeContact(BaseModel):
    """How to reach the office that handles citations, from the jurisdiction profile."""

    model_config = ConfigDict(frozen=True)

    office_name: str
    phone: str
    website: str
    payment_url: str
    mailing_address: str
    office_address: str
    office_hours: str
    language_lines: tuple[LanguageLine, ...] = ()
    """The profile's language lines for this person, their own language first
    (`citations.documents.language_lines.lines_for`)."""
    written_in: str | None = None
    """The language the office writes in (officers' reports, findings): a document in another
    language marks such text as left in it. None: not known, nothing is marked."""
