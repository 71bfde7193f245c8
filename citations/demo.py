"""`citations demo`: the whole product on the embedded SQLite default, in one command.

It grows with every capability; today it publishes the sample catalog into a fresh database
and reports what is in effect and what is scheduled to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from citations.database import make_engine, transaction, upgrade
from ordinances.catalog import DEMO_CATALOG, load_catalog
from ordinances.models import Jurisdiction, Version
from ordinances.publishing import PublicationResult, publish
from ordinances.store import InEffect, PublishedCatalog

DEMO_AUTHOR = "Dana Reyes, Deputy City Attorney"
DEMO_APPROVER = "Sam Okafor, Chief Assistant City Attorney"


@dataclass(frozen=True)
class DemoResult:
    database_url: str
    first: PublicationResult
    again: PublicationResult
    profile: Jurisdiction
    today: InEffect
    upcoming: list[tuple[date, str, Version]]
    """(date, code, version) for versions published to take effect after today."""


def run_demo(output_dir: Path, now: datetime) -> DemoResult:
    """Publish the sample catalog into `output_dir`/citations-demo.db, made anew each run."""
    output_dir.mkdir(parents=True, exist_ok=True)
    database = output_dir / "citations-demo.db"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        catalog = load_catalog(DEMO_CATALOG)
        reason = "Initial publication of the Demo City administrative citation catalog"
        with transaction(engine) as session:
            first = publish(
                session,
                catalog,
                author=DEMO_AUTHOR,
                approved_by=DEMO_APPROVER,
                reason=reason,
                now=now,
            )
        with transaction(engine) as session:
            again = publish(
                session,
                catalog,
                author=DEMO_AUTHOR,
                approved_by=DEMO_APPROVER,
                reason=reason,
                now=now,
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
    finally:
        engine.dispose()
    upcoming.sort(key=lambda item: (item[0], item[1]))
    return DemoResult(url, first, again, profile, today, upcoming)
