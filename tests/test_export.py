"""`citations export` / `import-export`: every table out, back in, and out again unchanged.

The source database has at least one row in every table (the seed's synthetic program plus
the library steps the seed skips), and a postponed hearing that names a later row of its own
table. Round trips run in all four directions between SQLite and PostgreSQL; each way of
refusing a file is checked against its message.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Column, Engine, Float, Integer, MetaData, Table, inspect

from citations.audit import verify
from citations.database import head_revision, make_engine, transaction
from citations.errors import ExportFileInvalid, ExportSchemaMismatch, RestoreTargetNotEmpty
from citations.export import export_records
from citations.export.codec import codec_for
from citations.orm import Base
from citations.partitions import YEAR_SPAN, first_id, is_partitioned, partition_year
from citations.record.agencies import list_agencies, register_agency
from citations.record.daily import DERIVED_TABLES
from citations.record.lookup import find_citation
from citations.record.sent import stored_document
from citations.record.tables import Citation
from citations.roles import OPERATOR
from cli import cli
from tests.conftest import NOW
from tests.databases import Databases
from tests.export_steps import (
    EXPORTED_AT,
    b64,
    export_text,
    files_start,
    issue,
    line_of,
    populate,
    replaced,
    reseal,
    restore,
    rows_of,
    set_column,
)
from tests.hearing_steps import CLERK

RECORDS = set(Base.metadata.tables) - DERIVED_TABLES
"""The tables an export carries: every one but the report's daily aggregates."""
FILLED = RECORDS - {"audit_retired"}
"""The tables `populate` gives rows: all but the marks of a retired year, which only retiring
a year on PostgreSQL writes (tests/test_partitions.py exports and restores them)."""


def table_names(engine: Engine) -> set[str]:
    """The database's tables, a year's partition counted as its table's."""
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if partition_year(name) is None}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def source(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
) -> Iterator[tuple[str, str]]:
    """(URL, export) of a populated database on each backend, made once for the module."""
    with databases.migrated(request.param, tmp_path_factory.mktemp("export")) as url:
        engine = make_engine(url)
        try:
            populate(engine)
            yield url, export_text(engine)
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def sample(
    tmp_path_factory: pytest.TempPathFactory, databases: Databases
) -> Iterator[tuple[str, str]]:
    """(URL, export) of a populated SQLite database, for the tests of refusals and the CLI."""
    with databases.migrated("sqlite", tmp_path_factory.mktemp("export")) as url:
        engine = make_engine(url)
        try:
            populate(engine)
            yield url, export_text(engine)
        finally:
            engine.dispose()


def test_every_table_round_trips_byte_for_byte(source: tuple[str, str], engine: Engine) -> None:
    _, content = source
    trailer = json.loads(content.splitlines()[-1])
    migrated = table_names(engine)
    assert set(trailer["row_counts"]) == migrated - DERIVED_TABLES == RECORDS
    assert migrated >= DERIVED_TABLES  # the report's aggregates: derived, not exported
    empty = [name for name, count in trailer["row_counts"].items() if count == 0]
    assert empty == sorted(RECORDS - FILLED)
    # The deferred path: a postponed hearing names the later hearing that replaced it.
    assert any(
        h["replaced_by_id"] > h["id"] for h in rows_of(content, "hearings") if h["replaced_by_id"]
    )
    restore(engine, content)
    assert export_text(engine) == content
    with transaction(engine) as session:
        chain = verify(session)
    assert chain.intact
    assert chain.events == trailer["row_counts"]["audit_events"]


def test_documents_as_sent_and_their_mailing_log_come_back_byte_for_byte(
    source: tuple[str, str], engine: Engine
) -> None:
    """The PDFs as sent (base64 in the file), their mailing log with a returned letter, and
    the citation flagged for it: restored, each download gives the same bytes."""
    _, content = source
    documents = rows_of(content, "sent_documents")
    kinds = {d["kind"] for d in documents}
    assert {"notice", "order", "receipt", "hearing_notice"} <= kinds
    returned = [m for m in rows_of(content, "mailings") if m["returned_on"]]
    assert len(returned) == 1 and returned[0]["return_reason"] == "Moved"
    restore(engine, content)
    with transaction(engine) as session:
        for row in documents:
            number = session.get(Citation, row["citation_id"])
            assert number is not None
            kept = stored_document(session, number.number, row["id"], OPERATOR)
            assert kept.content == base64.b64decode(row["content"])
            assert hashlib.sha256(kept.content).hexdigest() == row["sha256"]
        flagged = [c for c in rows_of(content, "citations") if c["attention"]]
        assert len(flagged) == 1 and "came back on 2026-12-09: Moved" in flagged[0]["attention"]


def test_new_records_after_a_restore_take_fresh_ids(
    sample: tuple[str, str], engine: Engine
) -> None:
    _, content = sample
    restore(engine, content)
    highest = max(int(row["id"]) for row in rows_of(content, "citations"))
    events = len(rows_of(content, "audit_events"))
    number = issue(engine, "After")  # PostgreSQL: fails with a duplicate id unless sequences moved
    with transaction(engine) as session:
        new_id = find_citation(session, number, CLERK).id
        partitioned = is_partitioned(session.connection())
        chain = verify(session)
    if partitioned:  # the id carries its year; the sequence moved past the restored numbers
        assert new_id == first_id(2026) + highest % YEAR_SPAN + 1
    else:
        assert new_id == highest + 1
    assert chain.intact
    assert chain.events > events  # the new citation's events continue the restored chain


def test_the_export_module_alone_knows_every_table(engine: Engine) -> None:
    """In a fresh interpreter (the tests import every module anyway), the export's own imports
    must bring in every table the migrations make (the derived ones it leaves out by name)."""
    program = "from citations.export.codec import schema_tables as t; print(*[x.name for x in t()])"
    names = subprocess.run(
        [sys.executable, "-c", program], check=True, capture_output=True, text=True
    ).stdout.split()
    assert set(names) == table_names(engine) - DERIVED_TABLES


def test_a_column_without_an_exact_json_form_is_refused() -> None:
    assert codec_for(Base.metadata.tables["agencies"].c.id).encode(7) == 7
    table = Base.metadata.tables["citations"]
    assert codec_for(table.c.violation_date).decode("2026-02-28") == date(2026, 2, 28)
    floats = Table(
        "measurements", MetaData(), Column("id", Integer, primary_key=True), Column("x", Float)
    )
    with pytest.raises(TypeError, match=r"column measurements\.x has type FLOAT"):
        codec_for(floats.c.x)


Edit = Callable[[list[str]], tuple[list[str], "str | re.Pattern[str]"]]


def edited_at(lines: list[str]) -> re.Pattern[str]:
    """The message for an edit found by the checksum: the trailer's line, what was hashed."""
    n = len(lines)
    return re.compile(
        rf"line {n}: the SHA-256 of lines 1-{n - 1} is [0-9a-f]{{64}}, not the trailer's "
        r"[0-9a-f]{64}: the file was edited or damaged after export"
    )


def _empty(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    return [], "line 1: the file is empty; expected the export header"


def _not_an_export(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    expected = 'line 1: not a records export: the header must have "format": "citations-export"'
    return ['{"format": "csv"}', *lines[1:]], expected


def _newer_format(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    header = lines[0].replace('"version":1', '"version":2')
    expected = "line 1: export format version 2 is not supported (this citations reads version 1)"
    return [header, *lines[1:]], expected


def _cut_at_a_line_end(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    kept = lines[:-6]
    n = len(kept)
    return kept, f"line {n}: the file ends after this line without its trailer: it is cut short"


def _cut_mid_line(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    k = line_of(lines, "citations")
    expected = f"line {k + 1}: not a JSON object (the line is damaged or cut short)"
    return [*lines[:k], lines[k][:40]], expected


def _edited_value(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    k = line_of(lines, "agencies")
    return replaced(lines, k, set_column(lines[k], "name", "Other Police")), edited_at(lines)


def _edited_foreign_key(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    """An edit that also breaks a constraint is still reported as an edit."""
    k = line_of(lines, "citations")
    return replaced(lines, k, set_column(lines[k], "agency_id", 99)), edited_at(lines)


def _resealed_foreign_key(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    """A file with good checksums whose row the database refuses (a foreign writer's)."""
    k = line_of(lines, "citations")
    edited = reseal(replaced(lines, k, set_column(lines[k], "agency_id", 99)))
    pattern = (
        rf"line {k + 1}: the database refused a row in lines {k + 1}-\d+: .*(?i:foreign key).*"
    )
    return edited, re.compile(pattern)


def _altered_document(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    """A document as sent whose bytes were swapped, the file resealed: its SHA-256 says so."""
    k = line_of(lines, "sent_documents")
    row = json.loads(lines[k])["row"]
    forged = base64.b64decode(row["content"]).replace(b"%PDF", b"%FDP", 1)
    edited = reseal(replaced(lines, k, set_column(lines[k], "content", b64(forged))))
    digest = hashlib.sha256(forged).hexdigest()
    return edited, (
        f"line {k + 1}: sent document {row['id']}: its bytes ({len(forged):,}, SHA-256 "
        f"{digest}) are not the ones kept ({row['size']:,}, SHA-256 {row['sha256']}): the "
        "document was altered"
    )


def _unknown_table(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    stray = '{"table": "nicknames", "row": {"id": 1}}'
    expected = f'line 2: unknown table "nicknames" (not in schema revision {head_revision()})'
    return [lines[0], stray, *lines[1:]], expected


def _bad_date(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    k = line_of(lines, "agencies")
    edited = replaced(lines, k, set_column(lines[k], "created_at", "2026-11-29 18:00"))
    return edited, (
        f"line {k + 1}: column agencies.created_at: expected an ISO 8601 date-time with an "
        'offset, got "2026-11-29 18:00"'
    )


def _missing_column(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    k = line_of(lines, "agencies")
    item = json.loads(lines[k])
    del item["row"]["code"]
    expected = f"line {k + 1}: the row of agencies lacks column code"
    return replaced(lines, k, json.dumps(item)), expected


def _out_of_order(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    k, end = line_of(lines, "agencies"), files_start(lines)  # moved after the last row
    moved = [*lines[:k], *lines[k + 1 : end], lines[k], *lines[end:]]
    last = json.loads(lines[end - 1])["table"]
    return reseal(moved), (
        f"line {end}: a row of agencies after rows of {last}: tables must come in foreign-key order"
    )


def _wrong_count(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    trailer = json.loads(lines[-1])
    trailer["row_counts"]["agencies"] = 2
    expected = f"line {len(lines)}: the trailer counts 2 rows of agencies, the file has 1"
    return replaced(lines, len(lines) - 1, json.dumps(trailer)), expected


def _after_the_trailer(lines: list[str]) -> tuple[list[str], str | re.Pattern[str]]:
    return [*lines, "{}"], f"line {len(lines) + 1}: more lines after the trailer"


REFUSALS: list[Edit] = [
    _empty,
    _not_an_export,
    _newer_format,
    _cut_at_a_line_end,
    _cut_mid_line,
    _edited_value,
    _edited_foreign_key,
    _resealed_foreign_key,
    _altered_document,
    _unknown_table,
    _bad_date,
    _missing_column,
    _out_of_order,
    _wrong_count,
    _after_the_trailer,
]


@pytest.mark.parametrize("edit", REFUSALS, ids=[e.__name__.strip("_") for e in REFUSALS])
def test_a_damaged_file_is_refused_with_its_line_and_leaves_nothing(
    sample: tuple[str, str], engine: Engine, edit: Edit
) -> None:
    _, content = sample
    lines, expected = edit(content.splitlines())
    with pytest.raises(ExportFileInvalid) as raised:
        restore(engine, "".join(line + "\n" for line in lines))
    message = str(raised.value)
    if isinstance(expected, str):
        assert message == f"records.jsonl, {expected}"
    else:
        assert expected.fullmatch(message.removeprefix("records.jsonl, ")), message
    restore(engine, content)  # nothing was left behind: the good file still restores
    assert export_text(engine) == content


def test_a_database_with_records_is_refused_and_left_alone(
    sample: tuple[str, str], engine: Engine
) -> None:
    _, content = sample
    with transaction(engine) as session:
        register_agency(session, "OTHR", "Other Agency", actor=OPERATOR, now=NOW)
    with pytest.raises(RestoreTargetNotEmpty) as raised:
        restore(engine, content)
    assert str(raised.value).endswith(
        " is not empty (rows in table agencies, audit_events, audit_head): import-export "
        "restores only into an empty database made with `citations db upgrade`"
    )
    assert raised.value.tables == ["agencies", "audit_events", "audit_head"]
    with transaction(engine) as session:
        assert [a.code for a in list_agencies(session)] == ["OTHR"]
        assert verify(session).events == 1


def test_a_second_restore_into_the_same_database_is_refused(
    sample: tuple[str, str], engine: Engine
) -> None:
    _, content = sample
    restore(engine, content)
    with pytest.raises(RestoreTargetNotEmpty) as raised:
        restore(engine, content)
    assert len(raised.value.tables) == len(FILLED)
    assert str(raised.value).count(f" and {len(FILLED) - 5} more)") == 1
    assert export_text(engine) == content


def test_an_export_of_another_schema_revision_is_refused(
    sample: tuple[str, str], engine: Engine
) -> None:
    _, content = sample
    head = head_revision()
    older = content.replace(f'"schema_revision":"{head}"', '"schema_revision":"0006"', 1)
    with pytest.raises(ExportSchemaMismatch) as raised:
        restore(engine, older)
    assert str(raised.value) == (
        f"records.jsonl was exported at schema revision 0006, but the database is at {head}: "
        "restore it into a database at 0006 (with the citations release that wrote it), then "
        "run `citations db upgrade`"
    )


def run(runner: CliRunner, *args: str, code: int = 0, stdin: str | None = None) -> Result:
    result = runner.invoke(cli, list(args), input=stdin, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def test_the_commands_round_trip_through_files(
    runner: CliRunner, sample: tuple[str, str], empty_database_url: str, tmp_path: Path
) -> None:
    source, content = sample
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    rows = files_start(content.splitlines()) - 1
    exported = run(runner, "export", "--output", str(first), "--database", source).stdout
    assert f"Exported {rows:,} rows of {len(FILLED)} tables from " in exported
    assert first.stat().st_mode & 0o777 == 0o600  # personal data: the owner's eyes only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.jsonl"]  # no .partial left
    run(runner, "db", "upgrade", "--database", empty_database_url)
    restored = run(runner, "import-export", str(first), "--database", empty_database_url).stdout
    assert f"Restored {rows:,} rows of {len(FILLED)} tables into " in restored
    events = len(rows_of(content, "audit_events"))
    assert f"The audit trail is intact: {events:,} events." in restored
    run(runner, "export", "-o", str(second), "--database", empty_database_url)
    a, b = first.read_text().splitlines(), second.read_text().splitlines()
    assert a[1:-1] == b[1:-1] == content.splitlines()[1:-1]  # every row, byte for byte
    digest = json.loads(a[-1])["rows_sha256"]
    assert digest == json.loads(b[-1])["rows_sha256"]
    assert f"Records digest (rows_sha256): {digest}" in exported
    assert f"Records digest (rows_sha256): {digest}" in restored
    again = run(runner, "export", "-o", str(first), "--database", empty_database_url, code=1)
    assert again.output == f"Error: {first} exists: name a new file for the export\n"
    twice = run(runner, "import-export", str(first), "--database", empty_database_url, code=1)
    assert "is not empty (rows in table agencies, audit_events, " in twice.output


def test_a_leftover_partial_file_is_named_not_a_traceback(
    runner: CliRunner, sample: tuple[str, str], tmp_path: Path
) -> None:
    source, _ = sample
    target, partial = tmp_path / "records.jsonl", tmp_path / "records.jsonl.partial"
    partial.write_text("an export that was killed\n")
    refused = run(runner, "export", "-o", str(target), "--database", source, code=1)
    assert refused.output.startswith(f"Error: {partial} exists: an export to {target} is ")
    assert "Traceback" not in refused.output
    assert partial.read_text() == "an export that was killed\n"  # left for the operator
    assert not target.exists()


def test_the_commands_stream_through_standard_output_and_input(
    runner: CliRunner, sample: tuple[str, str], empty_database_url: str
) -> None:
    source, content = sample
    exported = run(runner, "export", "--output", "-", "--database", source)
    lines = exported.stdout.splitlines()
    assert lines[1:-1] == content.splitlines()[1:-1]
    assert "Records digest" in exported.stderr  # the summary stays out of the file
    run(runner, "db", "upgrade", "--database", empty_database_url)
    restored = run(
        runner, "import-export", "-", "--database", empty_database_url, stdin=exported.stdout
    )
    assert "Restored " in restored.stdout


def test_an_edited_file_is_refused_by_the_command_with_its_line(
    runner: CliRunner, sample: tuple[str, str], empty_database_url: str, tmp_path: Path
) -> None:
    _, content = sample
    lines = content.splitlines()
    k = line_of(lines, "agencies")
    edited = tmp_path / "edited.jsonl"
    changed = replaced(lines, k, set_column(lines[k], "name", "X"))
    edited.write_text("".join(line + "\n" for line in changed))
    run(runner, "db", "upgrade", "--database", empty_database_url)
    refused = run(runner, "import-export", str(edited), "--database", empty_database_url, code=1)
    assert refused.output.startswith(f"Error: {edited}, line {len(lines)}: the SHA-256 of lines 1-")
    assert "Traceback" not in refused.output


class WritesDuringExport(io.StringIO):
    """An output that, once the header is out, commits a new agency from another connection."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.wrote = False

    def write(self, text: str) -> int:
        if not self.wrote:
            self.wrote = True
            with transaction(self.engine) as session:  # waits 30 s if the export held a lock
                register_agency(session, "LATE", "Late Agency", actor=OPERATOR, now=NOW)
        return super().write(text)


def test_an_export_reads_one_snapshot_and_does_not_hold_up_writers(
    sample: tuple[str, str], engine: Engine
) -> None:
    _, content = sample
    restore(engine, content)
    out = WritesDuringExport(engine)
    export_records(engine, out, exported_at=EXPORTED_AT)
    assert out.getvalue() == content  # the agency committed meanwhile is not in this export
    with transaction(engine) as session:
        assert "LATE" in [a.code for a in list_agencies(session)]
    assert export_text(engine) != content
