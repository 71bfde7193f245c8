"""Years of records on PostgreSQL (citations.partitions, citations.export.retire): ids carry
their year, a year's partitions are made when needed, and a closed year is exported and
detached with no mass delete of the large tables. SQLite keeps one table each."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, inspect, select, text

from citations.audit import AuditEvent, AuditRetired, checkpoint, lane_of, record, verify
from citations.database import make_engine, transaction
from citations.errors import YearNotRetirable, YearsNotPartitioned
from citations.export import export_records
from citations.export.retire import retire_year
from citations.issuing.void import void_citation
from citations.partitions import ensure_years, first_id, is_partitioned, partitions, year_of_id
from citations.record.ledger import LedgerEntry
from citations.record.lookup import find_citation
from citations.record.tables import Citation, IntakeRecord
from citations.roles import OPERATOR
from cli import cli
from tests.conftest import NOW
from tests.databases import Databases
from tests.export_steps import export_text, restore
from tests.factories import message, send


def close(engine: Engine, number: str) -> None:
    with transaction(engine) as session:
        void_citation(session, number, "Issued in error: wrong person.", actor=OPERATOR, now=NOW)


def issued(engine: Engine, violation_at: str) -> str:
    number = send(engine, message(violation_at=violation_at)).result.citation_number
    assert number is not None
    return number


def rows_of(engine: Engine, number: str) -> tuple[int, int, list[int]]:
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        entries = session.scalars(
            select(LedgerEntry.id).where(LedgerEntry.citation_id == citation.id)
        ).all()
        return citation.id, citation.intake_id, list(entries)


def written_in_2025(engine: Engine) -> list[str]:
    """Audit events as a database running in 2025 wrote them (the column's default takes
    the database's year): in lanes the test's setup left empty, so each is its lane's first,
    as on a database that was running then."""
    with transaction(engine) as session:
        used = set(session.scalars(select(AuditEvent.lane).distinct()))
        # 2025's partitions, as that database had them (this one's were made from the
        # clocks of today, which a run under faketime puts years later).
        ensure_years(session.connection(), [2025])
    keys = [f"n{n}" for n in range(200) if lane_of("note", f"n{n}", 16) not in used]
    for n, key in enumerate(keys[:6], start=1):
        with transaction(engine) as one:
            event = record(
                one,
                at=NOW.replace(year=2025),
                actor="clerk",
                action="noted",
                entity_type="note",
                entity_key=key,
            )
            event.id = first_id(2025) + n
    return keys[:6]


@pytest.fixture
def postgres(db: str, engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    return engine


def test_sqlite_keeps_one_table_each_and_refuses_a_year(db: str, engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the SQLite half")
    with engine.connect() as connection:
        assert not is_partitioned(connection)
    number = issued(engine, "2026-11-20T22:15:00-08:00")
    assert rows_of(engine, number)[0] < first_id(1)
    with pytest.raises(YearsNotPartitioned, match="needs PostgreSQL's partitions by year"):
        export_records(engine, io.StringIO(), year=2025, files=False)


def test_ids_carry_the_local_violation_year(postgres: Engine) -> None:
    with postgres.connect() as connection:
        years = partitions(connection)
    assert {NOW.year - 1, NOW.year, NOW.year + 1} <= years["citations"]
    # 23:30 on New Year's Eve in Los Angeles is 2026 in UTC: the local day decides.
    late = issued(postgres, "2025-12-31T23:30:00-08:00")
    citation_id, intake_id, entries = rows_of(postgres, late)
    assert (year_of_id(citation_id), year_of_id(intake_id)) == (2025, 2025)
    assert entries and {year_of_id(entry) for entry in entries} == {2025}


def test_an_old_year_gets_its_partitions_when_a_late_message_needs_them(
    postgres: Engine,
) -> None:
    with postgres.connect() as connection:
        assert 2021 not in partitions(connection)["citations"]
    old = issued(postgres, "2021-06-01T10:00:00-07:00")
    assert year_of_id(rows_of(postgres, old)[0]) == 2021
    with postgres.connect() as connection:
        found = partitions(connection)
    assert all(2021 in found[table] for table in found)
    names = set(inspect(postgres).get_table_names())
    assert {"citations_y2021", "audit_events_y2021", "ledger_entries_y2021"} <= names


def test_a_closed_year_is_exported_and_detached(
    postgres: Engine, tmp_path: Path, databases: Databases
) -> None:
    notes = written_in_2025(postgres)
    closed = issued(postgres, "2025-03-02T10:00:00-08:00")
    kept = issued(postgres, "2026-11-20T22:15:00-08:00")
    close(postgres, closed)
    with transaction(postgres) as session:
        assert find_citation(session, closed, OPERATOR).closed_at is not None
        before = checkpoint(session, NOW)
    file = tmp_path / "records-2025.jsonl"
    result = CliRunner().invoke(
        cli,
        ["export", "--year", "2025", "--output", str(file), "--database", str(postgres.url)],
    )
    assert result.exit_code == 0, result.output
    text_of = file.read_text()
    assert closed in text_of and kept not in text_of
    assert '"year":2025' in text_of.splitlines()[0]

    # Events written by the tests are this year's (the database's clock): retire 2025's
    # cases; their events of 2026 stay.
    with file.open("rb") as export:
        retired = retire_year(postgres, 2025, export, actor=OPERATOR, now=NOW)
    assert retired.detached["audit_events"] == len(notes)
    assert retired.detached["citations"] == 1
    assert retired.detached["citation_violations"] >= 1
    assert retired.detached["ledger_entries"] >= 1
    # Detached, not deleted: only the attachments (not partitioned) lose rows, none here.
    assert retired.removed == {"attachments": 0}
    with postgres.connect() as connection:
        assert 2025 not in partitions(connection)["citations"]
        assert connection.scalar(text("SELECT to_regclass('citations_y2025')")) is None
    with transaction(postgres) as session:
        assert session.scalar(select(func.count()).select_from(Citation)) == 1
        assert find_citation(session, kept, OPERATOR).number == kept
        assert (
            session.scalar(
                select(func.count())
                .select_from(IntakeRecord)
                .where(IntakeRecord.id < first_id(2026))
            )
            == 0
        )
        assert session.scalar(select(func.count()).where(AuditEvent.action == "year_retired")) == 1
    with transaction(postgres) as session:  # a lane goes on from its retired events
        later = record(
            session, at=NOW, actor="clerk", action="noted", entity_type="note", entity_key=notes[0]
        )
    with transaction(postgres) as session:
        assert year_of_id(later.id) == 2026 and later.prev_hash != "0" * 64
        outcome = verify(session, checkpoints=[before])
        assert outcome.intact, outcome.problem

    # What is left exports and restores whole, with where the retired year's events ended:
    # the restored trail verifies from there too.
    with databases.migrated("postgresql", tmp_path) as url:
        copy = make_engine(url)
        try:
            restore(copy, export_text(postgres))
            with transaction(copy) as session:
                assert (session.scalar(select(func.count()).select_from(AuditRetired)) or 0) >= 1
                outcome = verify(session, checkpoints=[before])
                assert outcome.intact, outcome.problem
            with transaction(copy) as session:  # a forged end of a retired year shows
                session.execute(text("UPDATE audit_retired SET head = repeat('a', 64)"))
                assert verify(session).problem == "its link to the previous event does not match"
        finally:
            copy.dispose()


def test_an_open_year_or_a_wrong_file_is_refused(postgres: Engine, tmp_path: Path) -> None:
    still_open = issued(postgres, "2025-03-02T10:00:00-08:00")
    file = tmp_path / "records-2025.jsonl"
    with file.open("w", encoding="utf-8") as out:
        export_records(postgres, out, year=2025, files=False)
    with file.open("rb") as export, pytest.raises(YearNotRetirable, match=still_open):
        retire_year(postgres, 2025, export, actor=OPERATOR, now=NOW)
    with pytest.raises(YearNotRetirable, match="it is not over"):
        retire_year(postgres, 2026, io.BytesIO(b""), actor=OPERATOR, now=NOW)
    close(postgres, still_open)
    # The file was exported before the payment: its rows are no longer the year's.
    with file.open("rb") as export, pytest.raises(YearNotRetirable, match="export the year again"):
        retire_year(postgres, 2025, export, actor=OPERATOR, now=NOW)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(file.read_text().splitlines(keepends=True)[:-1]))
    with cut.open("rb") as export, pytest.raises(YearNotRetirable, match="not whole"):
        retire_year(postgres, 2025, export, actor=OPERATOR, now=NOW)
    with postgres.connect() as connection:
        assert 2025 in partitions(connection)["citations"]


def test_a_late_message_of_a_year_another_process_retired_makes_it_anew(
    postgres: Engine, tmp_path: Path
) -> None:
    closed = issued(postgres, "2025-03-02T10:00:00-08:00")  # this engine now knows 2025
    close(postgres, closed)
    file = tmp_path / "records-2025.jsonl"
    with file.open("w", encoding="utf-8") as out:
        export_records(postgres, out, year=2025, files=False)
    other = make_engine(str(postgres.url.render_as_string(hide_password=False)))
    try:  # as another server process would
        with file.open("rb") as export:
            retire_year(other, 2025, export, actor=OPERATOR, now=NOW)
    finally:
        other.dispose()
    late = issued(postgres, "2025-12-30T10:00:00-08:00")
    assert year_of_id(rows_of(postgres, late)[0]) == 2025
