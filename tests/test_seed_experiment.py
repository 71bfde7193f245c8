"""`citations seed` with the demo city's reminders experiment: each citation issued while it
runs carries the arm issuing would give it, the reminded arms were sent reminders (and only
they), and at a few thousand citations the report shows reminders clearly working."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.database import make_engine, transaction
from citations.hearings.tables import Hearing, Order
from citations.payments.tables import AbilityRequest
from citations.record.messages import OutboxMessage
from citations.record.tables import Citation
from citations.reports.compute import compute_report
from citations.reports.model import ExperimentResult
from citations.roles import OPERATOR
from citations.seed import seed
from tests.conftest import NOW
from tests.databases import Databases

SIZE = 3000
FIRST, LAST = date(2025, 1, 1), date(2026, 11, 29)


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Engine]:
    with databases.migrated("sqlite", tmp_path_factory.mktemp("seed-experiment")) as url:
        engine = make_engine(url)
        try:
            seed(engine, SIZE, seed=11, now=NOW)
            yield engine
        finally:
            engine.dispose()


def experiment_of(engine: Engine) -> ExperimentResult:
    with transaction(engine) as session:
        report = compute_report(session, FIRST, LAST, actor=OPERATOR, now=NOW)
    (result,) = report.experiments
    return result


def test_each_citation_has_the_arm_issuing_would_give_it(program: Engine) -> None:
    with transaction(program) as session:
        profile = PublishedCatalog(session).jurisdiction()
        experiment = profile.reminders.experiment
        rows = session.execute(
            select(Citation.number, Citation.issued_at, Citation.experiment, Citation.arm)
        ).all()
    assert experiment is not None
    inside = [row for row in rows if row.experiment is not None]
    outside = [row for row in rows if row.experiment is None]
    assert inside and outside  # the seed spans the experiment's start (1 January 2026)
    for number, _, name, drawn in inside:
        assert (name, drawn) == (experiment.id, experiment.arm_for(number).id)
    # Decided by the issue day on the city's clock, as issuing decides it.
    assert all(experiment.runs_on(local_date(row.issued_at, profile)) for row in inside)
    assert not any(experiment.runs_on(local_date(row.issued_at, profile)) for row in outside)
    assert all(row.arm is None for row in outside)
    # The draw is balanced: 20%, 40% and 40%, give or take a few points.
    shares = Counter(row.arm for row in inside)
    for arm in experiment.arms:
        assert abs(shares[arm.id] / len(inside) - arm.share / 100) < 0.04, shares


def test_only_the_reminded_arms_were_sent_reminders(program: Engine) -> None:
    with transaction(program) as session:
        rows = session.execute(
            select(
                Citation.arm,
                Citation.texts_consent,
                Citation.emails_consent,
                OutboxMessage.channel,
                OutboxMessage.status,
                OutboxMessage.sent_at,
                OutboxMessage.wording,
            ).join(Citation, Citation.id == OutboxMessage.citation_id)
        ).all()
    assert rows
    assert {row.arm for row in rows} == {"standard", "plain"}
    assert {row.status for row in rows} == {"sent"}
    assert all(row.sent_at < NOW for row in rows)
    assert all(row.wording == row.arm for row in rows)  # each arm's own wording
    for row in rows:
        assert row.texts_consent if row.channel == "text" else row.emails_consent
    assert {row.channel for row in rows} == {"text", "email"}


def test_the_program_has_missed_hearings_and_requests_behind_waivers(program: Engine) -> None:
    with transaction(program) as session:
        defaults = session.scalar(
            select(func.count()).select_from(Order).where(Order.outcome == "default")
        )
        missed = session.scalar(
            select(func.count()).select_from(Hearing).where(Hearing.status == "no_show")
        )
        waived = session.scalars(select(Citation.id).where(Citation.status == "waived")).all()
        relieved = set(
            session.scalars(select(AbilityRequest.citation_id).where(AbilityRequest.qualifies))
        )
    assert defaults and defaults == missed
    assert waived and set(waived) <= relieved


def test_reminders_clearly_work_at_a_few_thousand_citations(program: Engine) -> None:
    result = experiment_of(program)
    assert result.comparison == "none"
    assert {a.arm: a.issued for a in result.arms}.keys() == {"none", "standard", "plain"}
    difference = {(d.arm, d.outcome): d for d in result.differences}
    for arm in ("standard", "plain"):
        responded = difference[(arm, "responded")]
        paid = difference[(arm, "paid")]
        collections = difference[(arm, "in_collections")]
        assert responded.verdict == "clear" and responded.low and responded.low > 0, responded
        assert paid.verdict == "clear" and paid.low and paid.low > 0, paid
        assert collections.verdict == "clear" and collections.high and collections.high < 0
        # Of the size the trials found: about ten to fifteen points more on time.
        assert responded.difference and 0.07 < responded.difference < 0.2, responded
    sent = {a.arm: sum(c.count for c in a.sent) for a in result.arms}
    assert sent["none"] == 0 and sent["standard"] > 0 and sent["plain"] > 0
