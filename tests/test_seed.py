"""`citations seed`: the same seed makes the same program, on either backend, and the program
keeps the library's invariants; and the report computed in SQL over it agrees with the same
figures computed in Python from the rows (both backends)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from citations.audit import AuditEvent, verify
from citations.database import make_engine, transaction
from citations.record.ledger import CHARGES, EntryKind, LedgerEntry
from citations.record.repeats import add_months
from citations.record.status import CLOSED
from citations.record.tables import Citation, CitationViolation
from citations.reports.compute import compute_report
from citations.reports.model import ProgramReport
from citations.roles import OPERATOR
from citations.seed import seed
from cli import cli
from tests.conftest import NOW
from tests.databases import Databases
from tests.permission_world import BACKENDS
from tests.report_program import next_days_from_scratch, stored_next_days

SIZE = 300
FIRST, LAST = date(2025, 1, 1), date(2026, 11, 29)
"""A period that holds the whole seeded program (the 400 days before NOW)."""


def seeded(url: str, seed_value: int = 2) -> Engine:
    """The program seeded into the migrated database at `url`."""
    engine = make_engine(url)
    seed(engine, SIZE, seed=seed_value, now=NOW)
    return engine


@pytest.fixture(scope="module", params=BACKENDS)
def program(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
) -> Iterator[Engine]:
    with databases.migrated(request.param, tmp_path_factory.mktemp("seed")) as url:
        engine = seeded(url)
        try:
            yield engine
        finally:
            engine.dispose()


def report_of(engine: Engine, start: date = FIRST, end: date = LAST) -> ProgramReport:
    with transaction(engine) as session:
        return compute_report(session, start, end, actor=OPERATOR, now=NOW)


def citation_rows(engine: Engine) -> list[tuple[Any, ...]]:
    """What a citation is, by number, with its ledger's balance: ids aside, the program."""
    with transaction(engine) as session:
        rows = session.execute(
            select(
                Citation.number,
                Citation.status,
                Citation.violation_date,
                Citation.area,
                Citation.subject_name_key,
                Citation.subject_dob,
                Citation.total_fine_cents,
                Citation.next_citation_date,
                Citation.closed_at,
            ).order_by(Citation.number)
        ).all()
        balances = ledger_balances(session)
        numbers = dict(session.execute(select(Citation.id, Citation.number)).all())
    by_number = {numbers[i]: cents for i, cents in balances.items()}
    return [(*row, by_number.get(row[0])) for row in rows]


def ledger_balances(session: Session) -> dict[int, int]:
    """Each citation's balance in cents, from its ledger entries (charges minus credits)."""
    totals: dict[int, int] = defaultdict(int)
    for citation_id, kind, cents in session.execute(
        select(LedgerEntry.citation_id, LedgerEntry.kind, LedgerEntry.amount_cents)
    ):
        totals[citation_id] += cents if EntryKind(kind) in CHARGES else -cents
    return totals


def test_the_same_seed_makes_the_same_program(
    program: Engine, tmp_path: Path, databases: Databases
) -> None:
    """Seeded again into a fresh SQLite database: the same rows and the same figures. For
    the PostgreSQL program this also shows that the backend changes nothing (the seed draws
    everything in Python)."""
    with databases.migrated("sqlite", tmp_path) as url:
        again = seeded(url)
        try:
            assert citation_rows(again) == citation_rows(program)
            assert report_of(again) == report_of(program)
        finally:
            again.dispose()


def test_another_seed_makes_another_program(
    program: Engine, tmp_path: Path, databases: Databases
) -> None:
    with databases.migrated("sqlite", tmp_path) as url:
        other = seeded(url, seed_value=8)
        try:
            assert citation_rows(other) != citation_rows(program)
            assert report_of(other).issued_by_area != report_of(program).issued_by_area
        finally:
            other.dispose()


def test_every_balance_matches_its_status(program: Engine) -> None:
    closed = {s.value for s in CLOSED}
    rows = citation_rows(program)
    assert len(rows) >= SIZE * 0.95
    wrong = [
        (number, status, cents)
        for number, status, *_, closed_at, cents in rows
        if (cents == 0) != (status in closed) or (closed_at is not None) != (status in closed)
    ]
    assert wrong == []
    # The program is varied: most statuses a citation can end in are there.
    assert {row[1] for row in rows} >= {
        "paid",
        "served",
        "diverted",
        "dismissed",
        "waived",
        "issued",
        "on_plan",
        "delinquent",
        "in_collections",
    }


def test_the_audit_chain_verifies(program: Engine) -> None:
    with transaction(program) as session:
        result = verify(session)
        citations = session.scalar(select(func.count()).select_from(Citation)) or 0
        seeded_events = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "seed.citation")
        )
    assert result.intact, result.problem
    assert seeded_events == citations and result.events > citations


def test_next_citation_days_match_a_computation_from_scratch(program: Engine) -> None:
    with transaction(program) as session:
        stored = stored_next_days(session)
        assert stored == next_days_from_scratch(session)
    assert sum(day is not None for day in stored.values()) > 10  # some people are cited again


def tenth(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def test_the_report_agrees_with_python_over_the_rows(program: Engine) -> None:
    """The figures the SQL computes, computed again in Python from every row."""
    report = report_of(program)
    with transaction(program) as session:
        citations = session.scalars(select(Citation)).all()
        codes: dict[int, str] = dict(
            session.execute(
                select(CitationViolation.citation_id, CitationViolation.ordinance_code)
            ).all()
        )
        balances = ledger_balances(session)
        people: dict[tuple[str, str, date], list[Citation]] = defaultdict(list)
        for c in citations:
            if c.subject_dob is not None and c.status != "voided":
                people[(codes[c.id], c.subject_name_key, c.subject_dob)].append(c)
        closed_days = [
            (c.closed_at - c.issued_at).total_seconds() / 86400
            for c in citations
            if c.closed_at is not None
        ]
        statuses = Counter(c.status for c in citations)
    assert report.issued_total == len(citations)
    assert {c.key: c.count for c in report.issued_by_ordinance} == dict(Counter(codes.values()))
    outcomes = {o.outcome: o.count for o in report.outcomes}
    for status in ("served", "diverted", "dismissed", "waived", "delinquent", "in_collections"):
        assert outcomes.get(status, 0) == statuses[status], status
    assert sum(outcomes.values()) == len(citations)
    assert report.money.outstanding == Decimal(sum(balances.values())) / 100
    assert report.resolved_count == len(closed_days)
    assert report.days_to_resolution_median == tenth(statistics.median(closed_days))
    p90 = statistics.quantiles(closed_days, n=10, method="inclusive")[8]
    assert report.days_to_resolution_p90 == tenth(p90)
    expected_rates: dict[str, list[int]] = {}
    for (code, *_), cited in people.items():
        for months in (6, 12):
            matured = [c for c in cited if add_months(c.violation_date, months) <= LAST]
            again = [
                c
                for c in matured
                if c.next_citation_date is not None
                and c.next_citation_date <= add_months(c.violation_date, months)
            ]
            tally = expected_rates.setdefault(code, [0, 0, 0, 0])
            tally[(months == 12) * 2] += bool(matured)
            tally[(months == 12) * 2 + 1] += bool(again)
    computed = {
        r.ordinance: [r.people, r.again_6_months, r.people_12_months, r.again_12_months]
        for r in report.repeat_rates
    }
    assert computed == {code: t for code, t in expected_rates.items() if t[0]}
    assert sum(t[1] for t in computed.values()) > 0  # repeats happen in the program


def test_several_hearing_officers_uphold_reduce_and_dismiss(program: Engine) -> None:
    """Contests reach more than one (synthetic) hearing officer, and hearings uphold
    citations too, not only reduce or dismiss them."""
    officers = [r for r in report_of(program).hearing_outcomes if r.hearing_officer]
    assert len(officers) > 1
    assert all(str(r.hearing_officer).endswith("(synthetic)") for r in officers)
    assert sum(r.upheld for r in officers) > 0
    assert sum(r.reduced for r in officers) > 0
    assert sum(r.dismissed for r in officers) > 0


def test_hearing_officers_decide_at_their_own_rates(tmp_path: Path, databases: Databases) -> None:
    """Over a larger program every officer sits hearings and upholds citations, at plausible
    rates that differ from one officer to another; hearings also reduce and dismiss."""
    with databases.migrated("sqlite", tmp_path) as url:
        engine = make_engine(url)
        try:
            seed(engine, 3000, seed=11, now=NOW)
            officers = [r for r in report_of(engine).hearing_outcomes if r.hearing_officer]
        finally:
            engine.dispose()
    assert len(officers) >= 3
    upheld = []
    for row in officers:
        total = row.upheld + row.reduced + row.dismissed + row.default
        assert total >= 15 and row.upheld > 0, row
        upheld.append(row.upheld / total)
    assert all(0.25 <= share <= 0.9 for share in upheld), upheld
    assert max(upheld) - min(upheld) >= 0.15, upheld  # a strict officer and a lenient one
    assert sum(row.reduced for row in officers) and sum(row.dismissed for row in officers)


def test_the_command_seeds_and_says_what_it_made(
    runner: CliRunner, tmp_path: Path, databases: Databases
) -> None:
    url = databases.sqlite_copy(tmp_path / "seeded.db")
    result = runner.invoke(cli, ["seed", "--citations", "50", "--seed", "3", "--database", url])
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            count = session.scalar(select(func.count()).select_from(Citation))
    finally:
        engine.dispose()
    assert f"Seeded {count} citations (" in result.output
    refused = runner.invoke(cli, ["seed", "--citations", "0", "--database", url])
    assert refused.exit_code == 2 and "--citations must be at least 1" in refused.output
