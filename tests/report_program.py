"""A small program built through the library's own paths, whose report is known by hand.

Eighteen citations, four referrals, a declined case and a warning, from August to November
2026, in two areas (Central, Westlake) and two languages (es, en); each citation's story is
in `build_program`. Every moment is 10:00 at UTC-8, so days to resolution are whole days.
The expected figures are worked out in tests/test_report_figures.py, story by story.

Also here: each citation's next citation day computed from scratch, in Python, to check the
ones the library keeps.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from citations.catalog.publishing import publish
from citations.database import make_engine, transaction
from citations.hearings.contests import decide_review, decide_waiver, request_review
from citations.hearings.decisions import Outcome
from citations.hearings.officers import add_availability, create_session
from citations.hearings.scheduling import (
    decide_hearing,
    record_no_show,
    schedule_hearing,
    set_aside_default,
)
from citations.issuing.void import void_citation
from citations.payments.ability import Declaration, request_ability_to_pay
from citations.payments.diversion import Obligation, fulfil, refer
from citations.payments.plans import Installment, create_plan
from citations.payments.processing import process
from citations.payments.service import elect_service, log_hours, sign_off
from citations.record.agencies import register_agency
from citations.record.tables import Citation
from citations.roles import OPERATOR, Actor, Role
from ordinances import load_catalog
from tests.conftest import GOOD_CATALOG, NOW
from tests.databases import Databases
from tests.factories import message, send, subject
from tests.hearing_steps import CLERK, REVIEWER, SIGNED, officer_with_session, to_ready
from tests.money_steps import ADMIN, CASHIER, at, pay
from tests.permission_world import BACKENDS

START = date(2026, 8, 1)
END = date(2026, 11, 30)
DOG = "TC 53.06"
DRINKING = "TC 41.27(c)"
DECIDER = Actor("hearing clerk Sam", Role.CLERK)
"""Records the decisions the hearing officers announce."""

PARKS_CHAPTER = """\
chapter: Parks (report tests)
ordinances:
  - code: "TC 53.06"
    title: {en: Dog off leash, es: Perro sin correa}
    description:
      en: A dog off its leash outside a dog park.
      es: Un perro sin correa fuera de un parque para perros.
    category: parks
    legal_reference: Test City Code 53.06
    versions:
      - effective: 2020-01-01
        disposition: civil_citation
        source: Test City Code 53.06(b)
        fines: {first: 100.00, second: 200.00, third_and_later: 500.00}
        priors:
          scope: ordinance
          lookback: {months: 12}
        eligibility:
          min_age: 16
          max_priors: 1
          questions:
            - id: dog-bite
              text: {en: "Did the dog bite anyone?", es: "¿Mordió el perro a alguien?"}
              eligible_answer: false
  - code: "TC 63.50"
    title: {en: Feeding wildlife, es: Alimentar animales silvestres}
    description:
      en: Feeding ducks, pigeons or other wild animals in a park.
      es: Alimentar patos, palomas u otros animales silvestres en un parque.
    category: parks
    legal_reference: Test City Code 63.50
    versions:
      - effective: 2020-01-01
        disposition: warning_only
        source: Test City Code 63.50(b)
"""


def program_catalog(folder: Path) -> Path:
    """The test catalog plus a dog ordinance (with age, priors and a screening question)
    and a warning-only one, so every kind of referral can happen in 2026."""
    target = folder / "catalog"
    shutil.copytree(GOOD_CATALOG, target)
    (target / "parks-report.yaml").write_text(PARKS_CHAPTER, encoding="utf-8")
    return target


@dataclass(frozen=True)
class Program:
    engine: Engine
    numbers: dict[str, str]
    """Citation numbers by story name."""


def cite(
    engine: Engine,
    name: str,
    day: str = "2026-11-20",
    *,
    area: str = "Central",
    language: str = "es",
    ordinance: str = DRINKING,
    born: str = "1990-04-02",
    screening: dict[str, bool] | None = None,
    **extra: Any,
) -> str | None:
    """Send one message for `name` Doe (no identifiers: nobody shares priors by licence).
    Returns the citation number, or None for a referral, declined case or warning."""
    body = message(
        violation_at=at(day).isoformat(),
        location={"address": "100 Main St", "area": area},
        subject=subject(
            first_name=name,
            last_name="Doe",
            date_of_birth=born,
            identifiers=[],
            preferred_language=language,
        ),
        violations=[{"ordinance": ordinance, "narrative": "Seen by the officer."}],
        screening=screening or {"no-violence": False, "dog-bite": False},
        **extra,
    )
    return send(engine, body, now=at(day)).result.citation_number


def issued(engine: Engine, name: str, day: str = "2026-11-20", **options: Any) -> str:
    number = cite(engine, name, day, **options)
    assert number is not None, f"{name} was not cited"
    return number


def build_program(engine: Engine, catalog: Path) -> Program:
    """Publish `catalog`, register DCPD and play every story; returns the numbers."""
    with transaction(engine) as session:
        publish(
            session,
            load_catalog(catalog),
            author="A. Author",
            approved_by="B. Approver",
            reason="report tests",
            now=NOW,
        )
        register_agency(session, "DCPD", "Demo City Police", actor=OPERATOR, now=NOW)
    n: dict[str, str] = {}
    # August: never paid; delinquent and in collections at the December run.
    n["collections"] = issued(engine, "Collections", "2026-08-03")
    # October: a dog owner cited twice (fines 100 and 200) who pays both; a third time in
    # November is a referral (2 priors, more than 1 allowed). A bite is a referral too.
    n["dog-first"] = issued(engine, "Owner", "2026-10-01", ordinance=DOG, born="1985-06-01")
    pay(engine, n["dog-first"], "100.00", when="2026-10-03")
    n["dog-second"] = issued(engine, "Owner", "2026-10-15", ordinance=DOG, born="1985-06-01")
    pay(engine, n["dog-second"], "200.00", when="2026-10-20")
    assert cite(engine, "Biter", "2026-10-05", ordinance=DOG, screening={"dog-bite": True}) is None
    # 20 November, Central, Spanish unless said: every way a citation can end.
    for story in (
        "paid",
        "plan",
        "ability",
        "service",
        "diversion",
        "review-dismissed",
        "hearing-reduced",
        "hearing-default",
        "hearing-dismissed",
        "late",
        "voided",
        "in-review",
        "set-aside",
    ):
        n[story] = issued(engine, story.title(), language="en" if story == "plan" else "es")
    n["west-paid"] = issued(engine, "West Paid", area="Westlake", language="en")
    n["west-late"] = issued(engine, "West Late", area="Westlake", language="en")
    assert cite(engine, "Owner", ordinance=DOG, born="1985-06-01") is None  # too many priors
    assert cite(engine, "Young", ordinance=DOG, born="2012-05-01") is None  # 14: under 16
    assert cite(engine, "Blocker", ordinance="TC 41.18(d)", area="Westlake") is None
    assert cite(engine, "Feeder", ordinance="TC 63.50") is None  # a warning
    assert cite(engine, "Declined", declined={"reason": "Warned; poured the beer out."}) is None
    _money_stories(engine, n)
    _hearing_stories(engine, n)
    with transaction(engine) as session:
        process(session, as_of=date(2026, 12, 26), actor=ADMIN, now=at("2026-12-26"))
    with transaction(engine) as session:
        decide_hearing(
            session,
            n["set-aside"],
            Outcome.DISMISSED,
            "The officer did not appear to testify.",
            actor=DECIDER,
            now=at("2026-12-29"),
        )
    return Program(engine, n)


def _money_stories(engine: Engine, n: dict[str, str]) -> None:
    pay(engine, n["paid"], "200.00", when="2026-11-25")
    pay(engine, n["west-paid"], "200.00", when="2026-11-30")
    with transaction(engine) as session:
        create_plan(
            session,
            n["plan"],
            [
                Installment(due_on=date(2026, 12, 15), amount=Decimal("100.00")),
                Installment(due_on=date(2027, 1, 15), amount=Decimal("100.00")),
            ],
            actor=CASHIER,
            now=at("2026-11-21"),
        )
    pay(engine, n["plan"], "100.00", when="2026-11-25")
    pay(engine, n["plan"], "100.00", when="2026-12-20")
    with transaction(engine) as session:
        request_ability_to_pay(
            session,
            n["ability"],
            Declaration(
                benefits=["calfresh"],
                household_size=1,
                monthly_income=Decimal("900.00"),
                sworn=True,
            ),
            actor=CASHIER,
            now=at("2026-11-25"),
        )
    pay(engine, n["ability"], "40.00", when="2026-11-27")  # 20% of 200.00
    with transaction(engine) as session:
        elect_service(session, n["service"], "food-bank", actor=CASHIER, now=at("2026-11-25"))
        log_hours(
            session,
            n["service"],
            date(2026, 11, 26),
            Decimal(10),
            actor=CASHIER,
            now=at("2026-11-26"),
        )
        sign_off(session, n["service"], "Lee, food bank lead", actor=CASHIER, now=at("2026-11-28"))
        refer(
            session,
            n["diversion"],
            "neighborhood-justice",
            [
                Obligation(kind="apology_letter", description="Letter to the neighbors"),
                Obligation(kind="service_hours", description="8 hours of park cleanup"),
            ],
            actor=CASHIER,
            now=at("2026-11-25"),
        )
        fulfil(session, n["diversion"], 0, date(2026, 12, 2), actor=CASHIER, now=at("2026-12-02"))
        fulfil(session, n["diversion"], 1, date(2026, 12, 9), actor=CASHIER, now=at("2026-12-09"))
        void_citation(
            session, n["voided"], "Wrong person identified", actor=OPERATOR, now=at("2026-11-21")
        )
        request_review(
            session,
            n["in-review"],
            "It was a soda.",
            received_at=at("2026-11-25"),
            actor=CLERK,
            now=at("2026-11-25"),
        )
        request_review(
            session,
            n["review-dismissed"],
            "Not me.",
            received_at=at("2026-11-25"),
            actor=CLERK,
            now=at("2026-11-25"),
        )
        decide_review(
            session,
            n["review-dismissed"],
            Outcome.DISMISSED,
            "The officer's report names another person.",
            decided_by=SIGNED,
            actor=REVIEWER,
            now=at("2026-12-01"),
        )


def _hearing_stories(engine: Engine, n: dict[str, str]) -> None:
    """Judge One hears the reduced case (and, on 29 December, the case whose default was set
    aside); Judge Two the dismissal and both defaults."""
    judge_one, one = officer_with_session(engine, "Judge One", date(2026, 12, 16))
    _, two = officer_with_session(engine, "Judge Two", date(2026, 12, 17))
    day = date(2026, 12, 29)
    with transaction(engine) as session:
        add_availability(
            session, judge_one, day, time(8), time(17), actor=CLERK, now=at("2026-12-01")
        )
        one_later = create_session(
            session,
            day=day,
            start=time(9),
            officer_id=judge_one,
            capacity=5,
            place="City Hall East, Room 101",
            remote_link=None,
            slot_minutes=20,
            actor=CLERK,
            now=at("2026-12-01"),
        ).id
    to_ready(engine, n["hearing-reduced"])  # deposit 200.00
    to_ready(engine, n["hearing-dismissed"])
    to_ready(engine, n["hearing-default"], deposit=False)
    to_ready(engine, n["set-aside"], deposit=False)
    with transaction(engine) as session:
        for story in ("hearing-default", "set-aside"):
            decide_waiver(
                session, n[story], True, "Receives CalFresh.", actor=CLERK, now=at("2026-12-04")
            )
        for story, docket in (
            ("hearing-reduced", one),
            ("hearing-dismissed", two),
            ("hearing-default", two),
            ("set-aside", two),
        ):
            schedule_hearing(
                session, n[story], actor=CLERK, now=at("2026-12-04"), session_id=docket
            )
    with transaction(engine) as session:
        decide_hearing(
            session,
            n["hearing-reduced"],
            Outcome.REDUCED,
            "Open container, but a first offense and steady work.",
            actor=DECIDER,
            now=at("2026-12-16"),
            new_amount=Decimal("100.00"),
            reduction_reason="First offense",
        )
        decide_hearing(
            session,
            n["hearing-dismissed"],
            Outcome.DISMISSED,
            "The can was sealed.",
            actor=DECIDER,
            now=at("2026-12-17"),
        )
        record_no_show(session, n["hearing-default"], actor=DECIDER, now=at("2026-12-17"))
        record_no_show(session, n["set-aside"], actor=DECIDER, now=at("2026-12-17"))
    with transaction(engine) as session:
        set_aside_default(
            session,
            n["set-aside"],
            "Was in the hospital that morning; records attached.",
            received_at=at("2026-12-18"),
            actor=DECIDER,
            now=at("2026-12-18"),
        )
        schedule_hearing(
            session, n["set-aside"], actor=CLERK, now=at("2026-12-18"), session_id=one_later
        )


def next_days_from_scratch(session: Session) -> dict[int, date | None]:
    """Every citation's next citation day, computed in Python from the citations alone (a
    voided citation is nobody's next one)."""
    rows = session.execute(
        select(
            Citation.id,
            Citation.subject_name_key,
            Citation.subject_dob,
            Citation.violation_date,
            Citation.status,
        )
    ).all()
    days: dict[tuple[str, date], list[date]] = {}
    for _, name, born, day, status in rows:
        if born is not None and status != "voided":
            days.setdefault((name, born), []).append(day)
    result: dict[int, date | None] = {}
    for citation_id, name, born, day, _ in rows:
        later = [d for d in days.get((name, born), []) if d > day] if born else []
        result[citation_id] = min(later) if later else None
    return result


def stored_next_days(session: Session) -> dict[int, date | None]:
    return dict(session.execute(select(Citation.id, Citation.next_citation_date)).all())


@pytest.fixture(scope="module", params=BACKENDS)
def program(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
) -> Iterator[Program]:
    """The hand-built program on each backend, once per test module that imports it."""
    folder: Path = tmp_path_factory.mktemp("program")
    with databases.migrated(request.param, folder) as url:
        engine = make_engine(url)
        try:
            yield build_program(engine, program_catalog(folder))
        finally:
            engine.dispose()
