"""The person's consent to reminders by text and by email, and its record.

Consent is given per channel (texts apart from emails) and for an address (the phone or
the email it was given for). `Citation.texts_consent` and `emails_consent` say where it
stands; `Citation.consent` keeps every record of it, oldest first, so the city can show
when, how and by whom each was given or withdrawn:

    {"channel": "text", "given": true, "address": "+15105550123",
     "at": "2026-11-20T22:15:00-08:00", "by": "officer token unit-12",
     "how": "device", "record": "signature 8841"}

`how` is `device` (the officer's device, at the scene), `online` (the person, on the public
pages) or `clerk` (a clerk, at the person's request); `record` is the device's own record of
the consent (a signature id, the wording shown), or how the person asked a clerk (at the
counter, by phone, by letter). A record is added when consent is given or withdrawn, and
when consent stands but its address changes (consent to texts at a new number is a new
consent). Each change is audited as `citation.consent_changed` in the same transaction.

An opt-out (a STOP reply, an unsubscribe link: `citations.outreach.optout`) is not a record
here: it ends messages to an address for every citation that has it, and ends when the
person asks again, whatever each citation's consent says.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from citations.audit import record
from citations.record.messages import Channel
from citations.record.tables import Citation


class ConsentHow(StrEnum):
    DEVICE = "device"
    ONLINE = "online"
    CLERK = "clerk"


CONSENT_CHANNELS = (Channel.TEXT.value, Channel.EMAIL.value)


def consent_entry(
    channel: str,
    given: bool,
    *,
    address: str | None,
    at: datetime,
    by: str,
    how: ConsentHow,
    record: str | None = None,
) -> dict[str, Any]:
    """One record of consent, as `Citation.consent` keeps it (JSON)."""
    return {
        "channel": channel,
        "given": given,
        "address": address,
        "at": at.isoformat(),
        "by": by,
        "how": how.value,
        "record": record,
    }


def consent_state(citation: Citation) -> dict[str, bool]:
    """Where consent stands, by channel: `{"text": ..., "email": ...}`."""
    return {
        Channel.TEXT.value: citation.texts_consent,
        Channel.EMAIL.value: citation.emails_consent,
    }


def change_consent(
    session: Session,
    citation: Citation,
    wanted: dict[str, bool],
    *,
    moved: frozenset[str] = frozenset(),
    how: ConsentHow,
    by: str,
    now: datetime,
    record_of: str | None = None,
) -> list[str]:
    """Set consent for the channels in `wanted` (`text`, `email`) on a locked citation, with
    the addresses it holds now; `moved` names the channels whose address just changed.
    Appends a record for each channel whose consent changes, or stands at a moved address,
    and audits them as one `citation.consent_changed`. Returns the channels recorded.

    The caller checks first that consent is given only with an address to use.
    """
    before = consent_state(citation)
    addresses = {Channel.TEXT.value: citation.phone, Channel.EMAIL.value: citation.email}
    entries = [
        consent_entry(
            channel,
            given,
            address=addresses[channel],
            at=now,
            by=by,
            how=how,
            record=record_of,
        )
        for channel, given in wanted.items()
        if given != before[channel] or (given and channel in moved)
    ]
    if not entries:
        return []
    if Channel.TEXT.value in wanted:
        citation.texts_consent = wanted[Channel.TEXT.value]
    if Channel.EMAIL.value in wanted:
        citation.emails_consent = wanted[Channel.EMAIL.value]
    citation.consent = [*(citation.consent or []), *entries]
    record(
        session,
        at=now,
        actor=by,
        action="citation.consent_changed",
        entity_type="citation",
        entity_key=citation.number,
        reason=f"consent {how.value}",
        before=before,
        after={**consent_state(citation), "records": entries},
    )
    return [entry["channel"] for entry in entries]
