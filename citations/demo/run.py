"""`citations demo`: the whole product on the embedded SQLite default, in one command.

It grows with every capability. Today it publishes the sample catalog into a fresh database,
registers the demo police department, issues a bundled batch of realistic intake messages
(repeat offenders, an ineligible case, Spanish speakers, a bad record), runs the batch again
to show that nothing is duplicated, and writes every notice to the output folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from citations.catalog.publishing import PublicationResult, publish
from citations.catalog.store import InEffect, PublishedCatalog
from citations.database import make_engine, transaction, upgrade
from citations.demo.hearings import DemoHearings, run_hearings_demo
from citations.demo.money import DemoMoney, run_money_demo
from citations.issuing.batch import RecordResult, issue_records, read_records
from citations.notice.kept import notice_document
from citations.record.agencies import register_agency
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
    notices: list[Path]
    hearings: DemoHearings
    money: DemoMoney


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

        def clock() -> datetime:
            return now

        batch = list(issue_records(engine, read_records(DEMO_BATCH), actor=OPERATOR, clock=clock))
        again = list(issue_records(engine, read_records(DEMO_BATCH), actor=OPERATOR, clock=clock))
        notices_dir = output_dir / "notices"
        notices_dir.mkdir(exist_ok=True)
        for old in notices_dir.glob("*.pdf"):
            old.unlink()
        notices = []
        for result in batch:
            number = result.result.citation_number if result.result else None
            if number is None:
                continue
            with transaction(engine) as session:  # the notice handed over, kept as printed
                pdf = notice_document(session, number, OPERATOR, now=now).content
            path = notices_dir / f"{number}.pdf"
            path.write_bytes(pdf)
            notices.append(path)
        hearings = run_hearings_demo(engine, batch, output_dir, now)
        money = run_money_demo(engine, batch, output_dir, now)
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
        notices,
        hearings,
        money,
    )
