"""The program report from the daily aggregates equals the report from the rows (the
reminders experiment's edges: tests/test_report_experiment_aggregates.py), for a year, a
month and an area, on both backends: once the aggregates are built, after changes made
since (a payment, a hearing decided, a void, an amendment that moves the violation day, late
penalties from daily processing, a new intake record), both before the refresh (stale days
read from the rows) and after it (every figure from the aggregates)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select, text

from citations.database import make_engine, transaction
from citations.errors import PermissionDenied
from citations.export import export_records, import_records
from citations.hearings.decisions import Outcome
from citations.hearings.scheduling import decide_hearing, schedule_hearing
from citations.issuing.amend import Amendment, amend_citation
from citations.issuing.void import void_citation
from citations.payments.processing import process
from citations.record.daily import (
    ReportCitationDay,
    ReportExperimentDay,
    ReportReminderDay,
    ReportRepeatDay,
    ReportResolutionDay,
    ReportStaleDay,
)
from citations.record.tables import Citation
from citations.reports.aggregates import rebuild, refresh
from citations.reports.compute import Source, compute_report
from citations.reports.model import ProgramReport
from citations.roles import OPERATOR, Actor, Role
from citations.seed import seed
from cli import cli
from tests.conftest import NOW
from tests.databases import Databases
from tests.hearing_steps import CLERK, officer_with_session, to_ready
from tests.money_steps import ADMIN, at, pay
from tests.permission_world import BACKENDS
from tests.report_program import DOG, Program, cite, issued, program

ATTORNEY = Actor("attorney Kim", Role.ATTORNEY)
PERIODS = [
    (date(2026, 1, 1), date(2026, 12, 31), []),
    (date(2026, 11, 1), date(2026, 11, 30), []),
    (date(2026, 1, 1), date(2026, 12, 31), ["Westlake"]),
    (date(2026, 8, 1), date(2026, 11, 30), ["Central", "Westlake"]),
]
"""A year, a month, an area, and two areas over the hand-built program's months."""

__all__ = ["program"]  # a fixture, used by name


def report(
    engine: Engine, source: Source, start: date, end: date, areas: list[str]
) -> ProgramReport:
    with transaction(engine) as session:
        return compute_report(
            session, start, end, areas=areas, actor=ATTORNEY, now=NOW, source=source
        )


def assert_same_figures(engine: Engine) -> None:
    for start, end, areas in PERIODS:
        rows = report(engine, "rows", start, end, areas)
        summed = report(engine, "aggregates", start, end, areas)
        assert summed == rows, (start, end, areas)
        assert rows.issued_total > 0


def stale(engine: Engine) -> list[tuple[str, date]]:
    with transaction(engine) as session:
        marks = session.execute(select(ReportStaleDay.source, ReportStaleDay.day))
        return [(source, day) for source, day in marks]


def test_changes_after_the_aggregates_are_built_are_counted(program: Program) -> None:
    engine = program.engine
    assert stale(engine)  # everything the program wrote marked its days
    assert_same_figures(engine)  # read from the rows: every day is stale
    with transaction(engine) as session:
        rebuild(session, date(2026, 1, 1), date(2026, 12, 31), actor=OPERATOR)
    assert stale(engine) == []
    assert_same_figures(engine)  # every figure from the aggregates

    # Changes made after: new citations (and a referral), each taken somewhere.
    paying = issued(engine, "Paula", "2026-11-18", area="Westlake")
    pay(engine, paying, "40.00", when="2026-11-25")
    voided = issued(engine, "Victor", "2026-11-19")
    with transaction(engine) as session:
        void_citation(session, voided, "Wrong person stopped", actor=CLERK, now=at("2026-11-21"))
    moved = issued(engine, "Amy", "2026-11-17", language="en")
    change = Amendment(reason="Date mistyped", violation_at=at("2026-10-17"))
    with transaction(engine) as session:
        amend_citation(session, moved, change, actor=ADMIN, now=at("2026-11-21"))
    heard = issued(engine, "Hank", "2026-11-20")
    to_ready(engine, heard)
    officer_with_session(engine, "Judge Later", date(2026, 12, 16))
    with transaction(engine) as session:
        schedule_hearing(session, heard, actor=CLERK, now=at("2026-12-04"))
        decide_hearing(
            session,
            heard,
            Outcome.REDUCED,
            "Violation shown; a first offense.",
            new_amount=Decimal("50.00"),
            reduction_reason="First offense",
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
    assert cite(engine, "Rita", "2026-11-21", ordinance=DOG, born="2012-05-01") is None  # 14
    late = issued(engine, "Larry", "2026-11-16")
    with transaction(engine) as session:
        processed = process(session, as_of=date(2027, 2, 1), actor=ADMIN, now=at("2027-02-01"))
    assert late in processed.delinquent

    assert stale(engine)
    assert_same_figures(engine)  # the changed days from the rows, the others summed
    with transaction(engine) as session:
        done = refresh(session, actor=OPERATOR)
    assert done.citation_days >= 6  # the five new citations' days and the amended one's
    assert stale(engine) == []
    assert_same_figures(engine)  # all from the aggregates again


def test_keeping_the_aggregates_is_daily_processings_right(program: Program) -> None:
    with transaction(program.engine) as session, pytest.raises(PermissionDenied):
        refresh(session, actor=ATTORNEY)
    with transaction(program.engine) as session, pytest.raises(PermissionDenied):
        rebuild(session, date(2026, 1, 1), date(2026, 1, 2), actor=ATTORNEY)


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
) -> Iterator[tuple[Engine, str]]:
    with databases.migrated(request.param, tmp_path_factory.mktemp("seeded")) as url:
        engine = make_engine(url)
        seed(engine, 300, seed=4, now=NOW)
        try:
            yield engine, url
        finally:
            engine.dispose()


def test_a_seeded_program_through_the_commands(seeded: tuple[Engine, str]) -> None:
    """The seed's bulk writers mark their days too; `citations reports rebuild` and daily
    processing (`citations process`, which refreshes) keep the figures equal."""
    engine, url = seeded
    runner = CliRunner()
    done = runner.invoke(
        cli, ["reports", "rebuild", "--from", "2025-01-01", "--to", "2026-12-31", "--database", url]
    )
    assert done.exit_code == 0, done.output
    assert "Rebuilt the aggregates of 730 days." in done.output
    assert stale(engine) == []
    if engine.dialect.name == "postgresql":
        # The rebuilt tables have statistics at once (reltuples is -1 until a table's first
        # ANALYZE): without them a year's experiment was joined by a nested loop, 26 s at a
        # million citations instead of 0.12 s.
        with engine.connect() as connection:
            never_analyzed = connection.scalars(
                text(
                    "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples < 0"
                    " AND relname LIKE 'report\\_%' AND relname <> 'report_stale_days'"
                )
            ).all()
        assert never_analyzed == []
    with transaction(engine) as session:
        for table in (ReportRepeatDay, ReportResolutionDay):  # rebuilt with the others
            assert session.scalar(select(func.sum(table.citations))), table
        in_experiment = select(func.count()).where(Citation.experiment.is_not(None))
        assert session.scalar(select(func.sum(ReportExperimentDay.citations))) == (
            session.scalar(in_experiment)
        )
        assert session.scalar(select(func.sum(ReportReminderDay.messages)))
    year = report(engine, "aggregates", date(2026, 1, 1), date(2026, 12, 31), [])
    assert year.repeat_rates and year.days_to_resolution_p90 is not None  # compared below
    assert year.experiments and len(year.experiments[0].arms) > 1
    with transaction(engine) as session:
        summed = session.scalar(select(func.sum(ReportCitationDay.citations)))
        assert summed == session.scalar(select(func.count()).select_from(Citation))
    assert_same_figures(engine)
    done = runner.invoke(cli, ["process", "--as-of", "2026-11-29", "--no-send", "--database", url])
    assert done.exit_code == 0, done.output
    assert stale(engine) == []  # processing refreshed the days it changed
    assert_same_figures(engine)
    done = runner.invoke(cli, ["reports", "refresh", "--database", url])
    assert done.exit_code == 0, done.output
    assert "Refreshed 0 days of citations and 0 of intake." in done.output


def test_a_restored_database_reports_the_same_figures_before_any_rebuild(
    seeded: tuple[Engine, str], tmp_path: Path, databases: Databases
) -> None:
    """The export leaves the derived aggregates out; the restore's rows mark their days stale
    as they go in, so the restored database's report equals its rows' at once, and a rebuild
    makes it fast again."""
    engine, _ = seeded
    out = io.StringIO()
    export_records(engine, out)
    with databases.migrated(engine.dialect.name, tmp_path) as url:
        restored = make_engine(url)
        try:
            import_records(restored, out.getvalue().splitlines(keepends=True))
            with transaction(restored) as session:
                assert session.scalar(select(func.count()).select_from(ReportCitationDay)) == 0
            assert stale(restored)  # every restored day is read from the rows until rebuilt
            assert_same_figures(restored)
            with transaction(restored) as session:
                rebuild(session, date(2025, 1, 1), date(2026, 12, 31), actor=OPERATOR)
            assert stale(restored) == []
            assert_same_figures(restored)
        finally:
            restored.dispose()
