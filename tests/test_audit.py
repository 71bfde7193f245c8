"""The audit trail is hash-chained: intact after real work, and tampering is found (both
backends)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select, update

from citations.audit import AuditEvent, verify
from citations.database import transaction
from cli import cli
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
