"""The audit trail in lanes: work spreads over them, each lane verifies, tampering is named
with its lane, a checkpoint catches a truncated lane, checkpoints from before lanes still
hold, writers of different lanes do not wait for each other (PostgreSQL), and the migration
makes the one chain lane 0's (both backends)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import Engine, Table, delete, func, insert, select, text, update
from sqlalchemy.exc import OperationalError

from citations.audit import (
    DEFAULT_LANES,
    GENESIS,
    AuditEvent,
    AuditHead,
    Checkpoint,
    checkpoint,
    event_fields,
    event_hash,
    lane_of,
    record,
    verify,
)
from citations.database import alembic_config, make_engine, transaction, upgrade
from cli import cli
from tests.conftest import NOW
from tests.factories import prepare
from tests.hearing_steps import issue_one
from tests.money_steps import pay

NAMES = ["Ana", "Ben", "Chloe", "Dev", "Eli", "Fay"]


@pytest.fixture
def worked(engine: Engine) -> tuple[Engine, list[str]]:
    """Six citations, each paid in part: single-citation transactions in several lanes."""
    prepare(engine)
    numbers = [issue_one(engine, first_name=name) for name in NAMES]
    for number in numbers:
        pay(engine, number, "10.00")
    return engine, numbers


def lanes_of(engine: Engine, number: str) -> set[int]:
    with transaction(engine) as session:
        return set(session.scalars(select(AuditEvent.lane).where(AuditEvent.entity_key == number)))


def test_each_citation_keeps_to_its_lane_and_every_lane_verifies(
    worked: tuple[Engine, list[str]],
) -> None:
    engine, numbers = worked
    for number in numbers:
        assert lanes_of(engine, number) == {lane_of("citation", number, DEFAULT_LANES)}
    with transaction(engine) as session:
        used = Counter(session.scalars(select(AuditEvent.lane)))
        result = verify(session)
        heads = session.scalar(select(func.count()).select_from(AuditHead))
    assert len(used) >= 3, used  # six citations in sixteen lanes
    assert heads == DEFAULT_LANES
    assert (result.intact, result.lanes, result.events) == (True, DEFAULT_LANES, used.total())


def test_a_changed_event_is_named_with_its_lane(
    worked: tuple[Engine, list[str]], database_url: str
) -> None:
    engine, numbers = worked
    number = numbers[2]
    lane = lane_of("citation", number, DEFAULT_LANES)
    with transaction(engine) as session:
        target = session.scalars(
            select(AuditEvent.id)
            .where(AuditEvent.entity_key == number, AuditEvent.action == "ledger.payment")
            .order_by(AuditEvent.id)
        ).one()
        session.execute(update(AuditEvent).where(AuditEvent.id == target).values(actor="X"))
    with transaction(engine) as session:
        result = verify(session)
    assert (result.intact, result.first_broken, result.lane) == (False, target, lane)
    checked = CliRunner().invoke(cli, ["audit", "verify", "--database", database_url])
    assert checked.exit_code == 1
    assert f"the audit trail is broken at event {target} in lane {lane}: its content" in (
        checked.output
    )


def _truncate(engine: Engine, lane: int) -> None:
    """Remove a lane's newest event and set its head back: a valid, shorter lane."""
    with transaction(engine) as session:
        newest, previous = session.execute(
            select(AuditEvent.id, AuditEvent.prev_hash)
            .where(AuditEvent.lane == lane)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).one()
        session.execute(delete(AuditEvent).where(AuditEvent.id == newest))
        session.execute(update(AuditHead).where(AuditHead.id == lane).values(hash=previous))


def test_a_checkpoint_catches_a_lane_truncated_while_others_went_on(
    worked: tuple[Engine, list[str]], database_url: str, tmp_path: Path
) -> None:
    engine, numbers = worked
    folder = tmp_path / "checkpoints"
    runner = CliRunner()
    taken = runner.invoke(
        cli, ["audit", "checkpoint", "--folder", str(folder), "--database", database_url]
    )
    assert taken.exit_code == 0, taken.output
    [file] = folder.iterdir()
    mark = Checkpoint.model_validate_json(file.read_text())
    assert mark.lanes is not None and len(mark.lanes) == DEFAULT_LANES
    # The first citation's lane loses its newest event; the others go on after the mark.
    lane = lane_of("citation", numbers[0], DEFAULT_LANES)
    _truncate(engine, lane)
    for number in numbers[1:]:
        if lane_of("citation", number, DEFAULT_LANES) != lane:
            pay(engine, number, "1.00", when="2026-11-26")
    [kept] = [m for m in mark.lanes if m.lane == lane]

    alone = runner.invoke(cli, ["audit", "verify", "--no-files", "--database", database_url])
    assert alone.exit_code == 0, alone.output
    checked = runner.invoke(
        cli,
        ["audit", "verify", "--no-files", "--checkpoint", str(folder), "--database", database_url],
    )
    assert checked.exit_code == 1
    assert (
        f"Error: the audit trail is broken at lane {lane}'s head: events were removed: the "
        f"checkpoint of {mark.taken_at.isoformat()} counted {kept.events:,} events in lane "
        f"{lane} ending in {kept.head}, which the lane no longer holds (it has "
        f"{kept.events - 1:,})"
    ) in checked.output


def test_a_checkpoint_from_before_lanes_is_lane_0s(worked: tuple[Engine, list[str]]) -> None:
    engine, _ = worked
    key = next(str(n) for n in range(100) if lane_of("citation", str(n), DEFAULT_LANES) == 0)
    for _ in range(3):  # the events before lanes are lane 0's
        with transaction(engine) as session:
            record(session, at=NOW, actor="a", action="x", entity_type="citation", entity_key=key)
    with transaction(engine) as session:
        [lane_0] = [m for m in checkpoint(session, NOW).marks() if m.lane == 0]
    assert lane_0.events == 3
    line = (
        f'{{"format": "citations-audit-checkpoint", "events": {lane_0.events}, '
        f'"head": "{lane_0.head}", "taken_at": "{NOW.isoformat()}"}}'
    )
    old = Checkpoint.model_validate_json(line)
    wrong = old.model_copy(update={"events": lane_0.events + 1})
    with transaction(engine) as session:
        assert verify(session, checkpoints=[old]).checkpoints == 1
        result = verify(session, checkpoints=[wrong])
    assert (result.intact, result.lane) == (False, 0)


def test_a_checkpoint_whose_lanes_do_not_add_up_is_refused(
    worked: tuple[Engine, list[str]], database_url: str, tmp_path: Path
) -> None:
    engine, _ = worked
    with transaction(engine) as session:
        mark = checkpoint(session, NOW)
    bad = tmp_path / "audit-checkpoint.json"
    bad.write_text(mark.model_dump_json().replace(f'"events":{mark.events},', '"events":1,', 1))
    result = CliRunner().invoke(
        cli, ["audit", "verify", "--checkpoint", str(bad), "--database", database_url]
    )
    assert result.exit_code == 1
    assert "is not an audit checkpoint: the file: Value error, events: the lanes count " in (
        result.output
    )


def test_a_missing_lane_head_row_is_named(worked: tuple[Engine, list[str]]) -> None:
    engine, _ = worked
    with transaction(engine) as session:
        used = set(session.scalars(select(AuditEvent.lane)))
        empty = min(set(range(DEFAULT_LANES)) - used)
        session.execute(delete(AuditHead).where(AuditHead.id == empty))
    with transaction(engine) as session:
        result = verify(session)
    assert (result.intact, result.lane) == (False, empty)
    assert result.problem == "the chain's head row is missing"


def _keys(same: bool) -> tuple[str, str]:
    """Two citation numbers whose lanes are the same, or differ."""
    first = "DCPD-2026-000001-5"
    for sequence in range(2, 200):
        other = f"DCPD-2026-{sequence:06d}-0"
        if (lane_of("citation", other, 16) == lane_of("citation", first, 16)) == same:
            return first, other
    raise AssertionError("no such pair")


@pytest.mark.parametrize("same_lane", [False, True], ids=["other lanes", "one lane"])
def test_writers_of_other_lanes_do_not_wait(
    engine: Engine, database_url: str, same_lane: bool
) -> None:
    """One transaction holds its lane; another, in a lane of its own, records and commits
    meanwhile. In the same lane it waits (its lock_timeout ends the wait, as a finding)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer")
    held, other = _keys(same_lane)
    second = make_engine(database_url)
    try:
        with transaction(engine) as holding:
            record(holding, at=NOW, actor="a", action="x", entity_type="citation", entity_key=held)
            holding.flush()

            def write() -> None:
                with transaction(second) as session:
                    session.execute(text("SET LOCAL lock_timeout = '3s'"))
                    record(
                        session,
                        at=NOW,
                        actor="b",
                        action="x",
                        entity_type="citation",
                        entity_key=other,
                    )

            if same_lane:
                with pytest.raises(OperationalError, match="lock timeout"):
                    write()
            else:
                write()
    finally:
        second.dispose()
    with transaction(engine) as session:
        assert verify(session).intact


def test_the_migration_makes_the_one_chain_lane_0(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        command.upgrade(alembic_config(engine), "0017")  # its head row 1 is at genesis
        head = _old_chain_without_lane(engine, 5)
        upgrade(engine)
        with transaction(engine) as session:
            lanes = dict(session.execute(select(AuditHead.id, AuditHead.hash)).all())
            assert set(session.scalars(select(AuditEvent.lane))) == {0}
            result = verify(session)
        assert lanes == {0: head} | dict.fromkeys(range(1, 16), GENESIS)
        assert (result.intact, result.events, result.head) == (True, 5, head)
        command.downgrade(alembic_config(engine), "0017")  # lane 0 alone: possible
        upgrade(engine)
        with transaction(engine) as session:
            record(session, at=NOW, actor="a", action="x", entity_type="citation", entity_key="1")
            lane = session.scalars(select(AuditEvent.lane).order_by(AuditEvent.id.desc())).first()
        assert lane == lane_of("citation", "1", 16) != 0
        with pytest.raises(RuntimeError, match="1 audit events are in lanes other than 0"):
            command.downgrade(alembic_config(engine), "0017")
    finally:
        engine.dispose()


def _old_chain_without_lane(engine: Engine, events: int) -> str:
    """Events chained as before lanes (one chain, head row 1), in the table as 0017 has it."""
    previous = GENESIS
    with engine.begin() as connection:
        for index in range(events):
            fields = event_fields(
                at=NOW,
                actor="clerk",
                action="test.old",
                entity_type="citation",
                entity_key=str(index),
            )
            digest = event_hash(previous, **fields)
            table = AuditEvent.__table__
            assert isinstance(table, Table)
            columns = table.c
            values = {**fields, "prev_hash": previous, "hash": digest}
            connection.execute(
                insert(table).values({columns[name]: value for name, value in values.items()})
            )
            previous = digest
        connection.execute(text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": previous})
    return previous
