"""`citations demo`: the whole product on the embedded SQLite default, in one command.

It grows with every capability. Today it publishes the sample catalog into a fresh database,
registers the demo police department, issues a bundled batch of realistic intake messages
(repeat offenders, an ineligible case, Spanish speakers, a bad record), runs the batch again
to show that nothing is duplicated, writes every notice to the output folder, gives a
citation to try the cited person's own pages with (`citations.demo.door`), and delivers the
reminders its steps wrote to local stand-ins of a mail server and a text provider
(`citations.demo.reminders`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from citations.catalog.publishing import PublicationResult, publish
from citations.catalog.store import InEffect, PublishedCatalog
from citations.database import make_engine, transaction, upgrade
from citations.demo.desk import DemoDesk, desk_demo
from citations.demo.door import DemoDoor, door_demo
from citations.demo.hearings import DemoHearings, run_hearings_demo
from citations.demo.mail import DemoMail, run_mail_demo
from citations.demo.money import NIGHTLY, DemoMoney, run_money_demo
from citations.demo.reminders import DemoReminders, run_reminders_demo
from citations.issuing.batch import Record, RecordResult, issue_records, read_records
from citations.notice.kept import notice_document
from citations.notice.mailing import mail_waiting
from citations.record.agencies import register_agency
from citations.record.lookup import find_citation
from citations.resources import package_path
from citations.roles import OPERATOR
from ordinances.catalog import DEMO_CATALOG, load_catalog
from ordinances.models import Jurisdiction, Version

DEMO_AUTHOR = "Dana Reyes, Deputy City Attorney"
DEMO_APPROVER = "Sam Okafor, Chief Assistant City Attorney"
DEMO_BATCH = package_path("citations.demo", "intake.jsonl")


@dataclass(frozen=True)
class DemoResult:
    database_url: str
    first: PublicationResult
    again: PublicationResult
    profile: Jurisdiction
    today: InEffect
    upcoming: list[tuple[date, str, Version]]
    """(date, code, version) for versions published to take effect after today."""
    batch: list[RecordResult]
    batch_again: list[RecordResult]
    mailed: list[str]
    """Citations whose notice the mail run mailed (deadlines from the mailing)."""
    notices: list[Path]
    hearings: DemoHearings
    money: DemoMoney
    mail: DemoMail | None
    """A mailed notice returned undeliverable and mailed again to a new address."""
    door: DemoDoor | None
    """A citation to try the public door with: its number, date of birth and a code."""
    reminders: DemoReminders
    """The outbox the steps above wrote, delivered to local stand-ins as days pass."""
    desk: DemoDesk
    """A hearing clerk's account to try the clerks' pages with."""


def run_demo(output_dir: Path, now: datetime) -> DemoResult:
    """Run the demo into `output_dir` (its database is made anew each run)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    database = output_dir / "citations-demo.db"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        catalog = load_catalog(DEMO_CATALOG)
        reason = "Initial publication of the Demo City administrative citation catalog"
        publications = []
        for _ in range(2):  # the second publication of the same catalog changes nothing
            with transaction(engine) as session:
                publications.append(
                    publish(
                        session,
                        catalog,
                        author=DEMO_AUTHOR,
                        approved_by=DEMO_APPROVER,
                        reason=reason,
                        now=now,
                    )
                )
        with transaction(engine) as session:
            published = PublishedCatalog(session)
            profile = published.jurisdiction()
            today = published.in_effect(published.today(now))
            upcoming = [
                (entry.effective_from, ordinance.code, entry.version)
                for ordinance in catalog.ordinances
                for entry in published.history(ordinance.code)[1]
                if entry.effective_from > today.on and entry.withdrawn is None
            ]
            register_agency(session, "DCPD", "Demo City Police Department", actor=OPERATOR, now=now)

        batch = _issue_as_synced(engine, now)
        again = _issue_as_synced(engine, now)
        with transaction(engine) as session:  # the nightly mail run
            mailed = mail_waiting(session, actor=NIGHTLY, now=now)
        notices_dir = output_dir / "notices"
        notices_dir.mkdir(exist_ok=True)
        for old in notices_dir.glob("*.pdf"):
            old.unlink()
        notices = []
        for result in batch:
            number = result.result.citation_number if result.result else None
            if number is None:
                continue
            with transaction(engine) as session:  # the notice as sent, or handed over
                if find_citation(session, number, OPERATOR).served_on is None:
                    continue  # waits to be mailed: no address yet
                pdf = notice_document(session, number, OPERATOR, now=now).content
            path = notices_dir / f"{number}.pdf"
            path.write_bytes(pdf)
            notices.append(path)
        hearings = run_hearings_demo(engine, batch, output_dir, now)
        money = run_money_demo(engine, batch, output_dir, now)
        asked = [n for n in mailed if n not in _late_synced(batch)]
        mail = run_mail_demo(engine, asked[0], output_dir, now) if asked else None
        door = door_demo(engine, batch, now)
        reminders = run_reminders_demo(engine, output_dir, now)
        desk = desk_demo(engine, now)
    finally:
        engine.dispose()
    upcoming.sort(key=lambda item: (item[0], item[1]))
    return DemoResult(
        url,
        publications[0],
        publications[1],
        profile,
        today,
        upcoming,
        batch,
        again,
        mailed,
        notices,
        hearings,
        money,
        mail,
        door,
        reminders,
        desk,
    )


LATE_SYNC_LINE = 17
"""Line 17 of the sample batch reaches the city weeks late (its device synced late): after
the first deadline of the notice handed over at the scene, so it is served again by mail,
with deadlines from the mailing."""


def _issue_as_synced(engine: Engine, now: datetime) -> list[RecordResult]:
    """Issue the sample batch as the devices sent it: each record at the end of its
    officer's shift (three hours after the violation), but line 17 only today."""
    results: list[RecordResult] = []
    for record in read_records(DEMO_BATCH):
        arrival = _at(_arrival(record, now))
        results += issue_records(engine, iter([record]), actor=OPERATOR, clock=arrival)
    return results


def _late_synced(batch: list[RecordResult]) -> set[str]:
    return {
        r.result.citation_number
        for r in batch
        if r.line == LATE_SYNC_LINE and r.result is not None and r.result.citation_number
    }


def _at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _arrival(record: Record, now: datetime) -> datetime:
    if record.line == LATE_SYNC_LINE:
        return now
    try:
        violation = datetime.fromisoformat(json.loads(record.text)["violation_at"])
    except (ValueError, KeyError, TypeError):
        return now  # a record that cannot be read is refused whenever it arrives
    if violation.tzinfo is None:
        return now
    return min(violation + timedelta(hours=3), now)
