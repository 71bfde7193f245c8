"""What a seeded program needs before its first citation: a published catalog, an agency,
and the hearing officers (`contests.BENCH`) with a docket session each."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Engine, select

from citations.catalog.publishing import publish
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.hearings.officers import add_availability, add_officer, create_session
from citations.record.agencies import register_agency
from citations.record.tables import Agency
from citations.roles import OPERATOR, Actor, Role
from ordinances.catalog import DEMO_CATALOG, load_catalog
from ordinances.errors import NothingPublished
from ordinances.models import Jurisdiction

from .contests import BENCH
from .rows import ACTOR


def prepare(engine: Engine, now: datetime) -> tuple[Jurisdiction, int, list[int]]:
    """Publish the demo catalog and register an agency if missing, and the bench's hearing
    officers with a docket session each: the sessions' ids, in the bench's order."""
    with transaction(engine) as session:
        catalog = PublishedCatalog(session)
        try:
            catalog.jurisdiction()
        except NothingPublished:
            publish(
                session,
                load_catalog(DEMO_CATALOG),
                author="seed",
                approved_by="seed check",
                reason="synthetic data",
                now=now,
            )
    with transaction(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        agency = session.scalar(select(Agency).where(Agency.code == "DCPD"))
        if agency is None:
            agency = register_agency(
                session, "DCPD", "Demo City Police Department", actor=OPERATOR, now=now
            )
        clerk = Actor(ACTOR, Role.CLERK)
        day = date(2020, 1, 6)  # a Monday; seeded hearings are historical
        sessions = []
        for name, qualification, hours, _ in BENCH:
            officer = add_officer(
                session,
                name,
                qualification,
                "Synthetic data",
                "Synthetic hearing officer, independent of every agency.",
                actor=clerk,
                now=now,
                training_hours=hours,
            )
            add_availability(session, officer.id, day, time(8), time(17), actor=clerk, now=now)
            docket = create_session(
                session,
                day=day,
                start=time(9),
                officer_id=officer.id,
                capacity=200,
                place="Synthetic",
                remote_link=None,
                slot_minutes=None,
                actor=clerk,
                now=now,
            )
            sessions.append(docket.id)
        return profile, agency.id, sessions
