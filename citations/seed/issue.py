"""The rows a seeded stop writes: its intake record, and for an issued citation the citation,
its violation (with the version's snapshot) and the person's identifier."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

from citations.money import to_cents
from citations.record.folding import fold
from citations.record.tables import Citation, CitationIdentifier, CitationViolation, IntakeRecord
from ordinances.models import Jurisdiction
from ordinances.resolve import ResolvedVersion

from .decide import snapshot
from .people import Person
from .reminders import Assignment, contact
from .rows import ACTOR, Rows, table


def write_intake(
    rows: Rows,
    *,
    message_id: str,
    agency_id: int,
    moment: datetime,
    person: Person,
    outcome: str,
    reasons: list[str],
) -> int:
    """One intake record per message, whatever became of it; returns its id."""
    return rows.add(
        table(IntakeRecord),
        {
            "message_id": message_id,
            "body_hash": "seed",
            "body": {"seed": True},
            "agency_id": agency_id,
            "device_id": "seed",
            "received_at": moment,
            "received_by": ACTOR,
            "outcome": outcome,
            "reasons": reasons
            or (["officer declined to cite: warned and left"] if outcome == "declined" else []),
            "violation_at": moment,
            "area": person.area,
            "preferred_language": person.language,
            "response": {"seed": True},
        },
    )


def write_citation(
    rows: Rows,
    rng: random.Random,
    *,
    number: str,
    agency_id: int,
    intake_id: int,
    status: str,
    moment: datetime,
    closed: datetime | None,
    person: Person,
    profile: Jurisdiction,
    resolved: ResolvedVersion,
    version_id: int,
    priors: int,
    fine: Decimal,
    assignment: Assignment | None,
    pay_by: date,
) -> int:
    """An issued citation with its one violation and the person's identifier, if they gave
    one, their phone and email, and its arm of the reminders experiment; returns the
    citation's id."""
    day = moment.date()
    language = person.language if person.language in profile.notice_languages else "en"
    citation_id = rows.add(
        table(Citation),
        {
            "number": number,
            "agency_id": agency_id,
            "device_id": "seed",
            "intake_id": intake_id,
            "status": status,
            "status_reason": None,
            "revision": 1,
            "violation_at": moment,
            "violation_date": day,
            "location": {"address": f"{rng.randrange(100, 9999)} Main St", "area": person.area},
            "area": person.area,
            "officer_badge": str(rng.randrange(1000, 9999)),
            "officer_name": "Officer (synthetic)",
            "subject": {
                "first_name": person.first,
                "last_name": person.last,
                "date_of_birth": person.dob.isoformat(),
                "preferred_language": person.language,
            },
            "subject_name_key": f"{person.first} {person.last}".casefold(),
            "subject_last_folded": fold(person.last),
            "subject_first_folded": fold(person.first),
            "subject_address_folded": "",
            "subject_dob": person.dob,
            "preferred_language": person.language,
            "notice_language": language,
            "total_fine_cents": to_cents(fine),
            "due_on": pay_by,
            "service_method": "personal",
            "served_on": day,
            "issued_at": moment,
            "closed_at": closed,
            "officer_notes": None,
            **contact(person, moment),
            "experiment": None if assignment is None else assignment.experiment,
            "arm": None if assignment is None else assignment.arm,
        },
    )
    rows.add(
        table(CitationViolation),
        {
            "citation_id": citation_id,
            "position": 0,
            "ordinance_code": resolved.code,
            "category": resolved.category,
            "violation_date": day,
            "ordinance_version_id": version_id,
            "disposition": resolved.version.disposition.value,
            "prior_count": priors,
            "offense_count": priors + 1,
            "fine_cents": to_cents(fine),
            "narrative": "Synthetic violation.",
            "snapshot": snapshot(resolved),
        },
    )
    if person.identifier:
        rows.add(
            table(CitationIdentifier),
            {
                "citation_id": citation_id,
                "id_type": "ca-dl",
                "id_number": person.identifier.casefold(),
            },
        )
    return citation_id
