"""The demo's mail: a mailed notice comes back undeliverable, a clerk records the person's new
address, and the notice goes out again with new deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine

from citations.calendar import zone_of
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.demo.hearings import CLERK
from citations.issuing.intake import Address
from citations.notice.address import change_address
from citations.record.lookup import find_citation
from citations.record.returns import record_return
from citations.record.sent import documents_of, one_line, stored_document


@dataclass(frozen=True)
class DemoMail:
    lines: list[str]
    documents: list[Path]


NEW_ADDRESS = Address(
    line1="2214 W. Pico Blvd", line2="Apt 4", city="Demo City", state="CA", postal_code="90006"
)


def run_mail_demo(engine: Engine, number: str, output_dir: Path, now: datetime) -> DemoMail:
    """Return the mailed notice of `number` six days after it was mailed, and mail it again
    to a new address the day after (the demo's clock runs ahead, as for the hearings)."""
    folder = output_dir / "mail"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.pdf"):
        old.unlink()
    with transaction(engine) as session:
        zone = zone_of(PublishedCatalog(session).jurisdiction())
        first = next(d for d in documents_of(session, number, CLERK) if d.mailing is not None)
        assert first.mailing is not None
        mailed_on = first.mailing.mailed_on
        (folder / f"{number}-mailed.pdf").write_bytes(
            stored_document(session, number, first.id, CLERK).content
        )
    returned_on = mailed_on + timedelta(days=6)
    when = max(now, datetime.combine(returned_on, time(11), tzinfo=zone))
    reason = "Moved, left no forwarding address"
    with transaction(engine) as session:
        record_return(
            session, number, first.id, returned_on=returned_on, reason=reason, actor=CLERK, now=when
        )
    later = when + timedelta(days=1)
    with transaction(engine) as session:
        again = change_address(session, number, NEW_ADDRESS, actor=CLERK, now=later)
        (folder / f"{number}-mailed-again.pdf").write_bytes(again.content)
        due = find_citation(session, number, CLERK).due_on
    lines = [
        f"{number}: notice mailed on {mailed_on} to {one_line(first.address)}",
        f"{number}: the letter came back on {returned_on} ({reason}): flagged for a clerk",
        f"{number}: new address recorded on {later.date()}; notice mailed again to "
        f"{one_line(NEW_ADDRESS.model_dump(mode='json'))}, now due {due}",
    ]
    return DemoMail(lines, sorted(folder.glob("*.pdf")))
