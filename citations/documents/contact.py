"""The office a person can reach: the contact block every document prints."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
