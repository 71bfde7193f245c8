"""The audit trail is hash-chained: intact after real work, and tampering is found (both
backends)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, delete, select, update

from citations.audit import GENESIS, AuditEvent, AuditHead, Checkpoint, checkpoint, verify
from citations.database import transaction
from cli import cli
from tests.conftest import NOW
from tests.factories import prepare
from tests.money_steps import issue_one, pay


@pytest.fixture
def worked(engine: Engine) -> tuple[Engine, str]:
    prepare(engine)
    number = issue_one(engine)
    pay(engine, number, "50.00")
    return engine, number


def test_the_chain_is_intact_after_real_work(worked: tuple[Engine, str]) -> None:
    engine, _ = worked
    with transaction(engine) as session:
        result = verify(session)
    assert result.intact
    assert result.events >= 8


@pytest.mark.parametrize("field", ["actor", "reason", "after"])
def test_a_changed_event_is_found(worked: tuple[Engine, str], field: str) -> None:
    engine, number = worked
    with transaction(engine) as session:
        target = session.scalars(
            select(AuditEvent.id).where(AuditEvent.entity_key == number).order_by(AuditEvent.id)
        ).first()
        value = {"after": {"forged": True}}.get(field, "someone else")
        session.execute(update(AuditEvent).where(AuditEvent.id == target).values({field: value}))
    with transaction(engine) as session:
        result = verify(session)
    assert (result.intact, result.first_broken) == (False, target)
    assert result.problem == "its content does not match its hash"


def test_a_removed_event_is_found(worked: tuple[Engine, str]) -> None:
    engine, _ = worked
    with transaction(engine) as session:
        ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
        session.delete(session.get(AuditEvent, ids[3]))
    with transaction(engine) as session:
        result = verify(session)
    assert (result.intact, result.first_broken) == (False, ids[4])
    assert result.problem == "its link to the previous event does not match"


def test_cli_verify_and_show(worked: tuple[Engine, str], database_url: str) -> None:
    engine, number = worked
    runner = CliRunner()
    result = runner.invoke(cli, ["audit", "verify", "--database", database_url])
    assert result.exit_code == 0, result.output
    assert "The audit trail is intact" in result.output
    shown = runner.invoke(cli, ["audit", "show", number, "--database", database_url])
    assert shown.exit_code == 0, shown.output
    assert "intake.issued" in shown.output
    assert "ledger.payment" in shown.output
    with transaction(engine) as session:
        session.execute(
            update(AuditEvent).where(AuditEvent.action == "ledger.payment").values(reason="edited")
        )
    broken = runner.invoke(cli, ["audit", "verify", "--database", database_url])
    assert broken.exit_code == 1
    assert "the audit trail is broken at event" in broken.output


def _newest_lane(engine: Engine) -> int:
    with transaction(engine) as session:
        lane = session.scalars(select(AuditEvent.lane).order_by(AuditEvent.id.desc())).first()
    return lane or 0


def _cut_newest(engine: Engine, *, events: int, head: str | None) -> None:
    """Delete the newest `events` events of the newest event's lane and set its head row to
    `head` (None: delete every head row)."""
    lane = _newest_lane(engine)
    with transaction(engine) as session:
        ids = list(
            session.scalars(
                select(AuditEvent.id).where(AuditEvent.lane == lane).order_by(AuditEvent.id.desc())
            )
        )
        session.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids[:events])))
        if head is None:
            session.execute(delete(AuditHead))
        else:
            session.execute(update(AuditHead).where(AuditHead.id == lane).values(hash=head))


def _hash_of_newest(engine: Engine, skip: int) -> str:
    """The hash of the newest event but `skip` in the newest event's lane."""
    lane = _newest_lane(engine)
    with transaction(engine) as session:
        hashes = list(
            session.scalars(
                select(AuditEvent.hash)
                .where(AuditEvent.lane == lane)
                .order_by(AuditEvent.id.desc())
            )
        )
    return hashes[skip] if skip < len(hashes) else GENESIS


@pytest.mark.parametrize("events", [1, 1000], ids=["the newest event", "every event"])
def test_events_removed_with_the_head_row_are_found(
    worked: tuple[Engine, str], events: int
) -> None:
    engine, _ = worked
    _cut_newest(engine, events=events, head=None)
    with transaction(engine) as session:
        result = verify(session)
    assert (result.intact, result.problem) == (False, "the chain's head row is missing")


def test_a_checkpoint_finds_newest_events_removed_with_the_head_moved_back(
    worked: tuple[Engine, str], database_url: str, tmp_path: Path
) -> None:
    engine, _ = worked
    runner = CliRunner()
    folder = tmp_path / "checkpoints"
    written = runner.invoke(
        cli, ["audit", "checkpoint", "--folder", str(folder), "--database", database_url]
    )
    assert written.exit_code == 0, written.output
    [file] = folder.iterdir()
    mark = Checkpoint.model_validate_json(file.read_text())
    assert mark.head == _hash_of_newest(engine, 0)
    assert (
        f"Audit checkpoint: {mark.events:,} events, head {mark.head}, in {file}." in written.output
    )
    printed = runner.invoke(  # the files' check has its own tests (test_files_verify.py)
        cli,
        ["audit", "verify", "--no-files", "--checkpoint", str(folder), "--database", database_url],
    )
    assert printed.exit_code == 0, printed.output
    assert printed.output == (
        f"The audit trail is intact: {mark.events:,} events, head {mark.head}.\n"
        "It holds all 1 checkpoints given.\n"
    )

    # The newest two events of a lane go, and its head is set back to the event now newest
    # in it: a valid, shorter chain, which only the checkpoint kept outside the database can
    # tell.
    lane = _newest_lane(engine)
    [before] = [mark.events for mark in mark.marks() if mark.lane == lane]
    _cut_newest(engine, events=2, head=_hash_of_newest(engine, 2))
    alone = runner.invoke(cli, ["audit", "verify", "--database", database_url])
    assert alone.exit_code == 0, alone.output
    assert f"intact: {mark.events - 2:,} events" in alone.output
    checked = runner.invoke(
        cli, ["audit", "verify", "--checkpoint", str(file), "--database", database_url]
    )
    assert checked.exit_code == 1
    assert checked.output == (
        f"Error: the audit trail is broken at lane {lane}'s head: events were removed: the "
        f"checkpoint of {mark.taken_at.isoformat()} counted {before:,} events in lane {lane} "
        f"ending in {mark.head}, which the lane no longer holds (it has {before - 2:,}) "
        f"({mark.events - 2:,} events checked)\n"
    )


def test_a_checkpoint_at_another_count_is_a_break(worked: tuple[Engine, str]) -> None:
    engine, _ = worked
    with transaction(engine) as session:
        mark = checkpoint(session, NOW)
    assert mark.lanes is not None
    [lane] = [lane for lane in mark.lanes if lane.head == mark.head]
    moved = Checkpoint(
        events=mark.events + 1,
        head=mark.head,
        lanes=tuple(
            other.model_copy(update={"events": other.events + 1}) if other == lane else other
            for other in mark.lanes
        ),
        taken_at=mark.taken_at,
    )
    with transaction(engine) as session:
        assert verify(session, checkpoints=[mark]).checkpoints == 1
        result = verify(session, checkpoints=[moved])
    assert (result.intact, result.lane) == (False, lane.lane)
    assert result.problem is not None and result.problem.endswith(
        f"counted {lane.events + 1:,} events in lane {lane.lane} up to this one, the lane has "
        f"{lane.events:,}"
    )


def test_a_file_that_is_not_a_checkpoint_is_named(
    worked: tuple[Engine, str], database_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "audit-checkpoint.json"
    bad.write_text('{"format": "citations-audit-checkpoint", "events": -1}')
    result = CliRunner().invoke(
        cli, ["audit", "verify", "--checkpoint", str(bad), "--database", database_url]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad} is not an audit checkpoint: events: ")
    assert "Traceback" not in result.output


def test_daily_processing_writes_a_checkpoint(
    worked: tuple[Engine, str], database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "checkpoints"
    runner = CliRunner(env={"CITATIONS_AUDIT_CHECKPOINTS": str(folder)})
    processed = runner.invoke(cli, ["process", "--as-of", "2026-11-29", "--database", database_url])
    assert processed.exit_code == 0, processed.output
    [file] = folder.iterdir()
    assert f"in {file}." in processed.output
    checked = runner.invoke(
        cli, ["audit", "verify", "--checkpoint", str(folder), "--database", database_url]
    )
    assert "It holds all 1 checkpoints given." in checked.output
