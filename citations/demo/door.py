"""The demo's way to try the public door: one citation still open to every step, its number
and date of birth, and an access code minted for the demo (as every printed document has its
own), to open it with the link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from citations.database import transaction
from citations.issuing.batch import RecordResult
from citations.record.access import grouped, mint_access_code
from citations.record.lookup import find_citation
from citations.record.status import CitationStatus
from citations.roles import OPERATOR

SERVED_AT = "http://127.0.0.1:8000"
"""Where `citations serve` answers by default (its --host and --port)."""
PRINTED_ON = "demo"
"""What the demo's code was minted for (`AccessCode.printed_on`): no document, the demo."""


@dataclass(frozen=True)
class DemoDoor:
    number: str
    date_of_birth: date
    code: str
    """The access code minted for the demo, in four groups."""

    @property
    def link(self) -> str:
        """The code's link on the local server (a document prints the site's address)."""
        return f"{SERVED_AT}/c/{self.code}"


def door_demo(engine: Engine, batch: list[RecordResult], now: datetime) -> DemoDoor | None:
    """The first citation of the batch still issued (open to pay, contest or ask for help)
    with a date of birth on file, and a code minted for it; None if there is none."""
    numbers = [r.result.citation_number for r in batch if r.result and r.result.citation_number]
    with transaction(engine) as session:
        for number in numbers:
            citation = find_citation(session, number, OPERATOR)
            born = citation.subject.get("date_of_birth")
            if citation.status != CitationStatus.ISSUED.value or not born:
                continue
            code = mint_access_code(session, citation, printed_on=PRINTED_ON, now=now)
            return DemoDoor(citation.number, date.fromisoformat(born), grouped(code))
    return None
