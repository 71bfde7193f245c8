"""`citations outreach plan`: every open citation's reminders brought up to date at once, for
what no citation's own commit saw (a consent recorded without a change being audited here
stands for a profile changed after the citations were issued)."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine, select

from citations.database import transaction
from citations.record.messages import OutboxMessage
from cli import cli
from tests.outbox_steps import reachable_citation


def pending_texts(engine: Engine, citation_id: int) -> list[str]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage.kind).where(
                    OutboxMessage.citation_id == citation_id,
                    OutboxMessage.status == "pending",
                    OutboxMessage.channel == "text",
                )
            )
        )


def test_plan_writes_what_the_schedules_want_and_then_nothing(
    runner: CliRunner, engine: Engine, db: str
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    assert pending_texts(engine, citation.id) == []  # its consent was set without a commit hook

    result = runner.invoke(cli, ["outreach", "plan", "--database", db])

    assert result.exit_code == 0, result.output
    kinds = pending_texts(engine, citation.id)
    # Issued today, handed over: 7 and 1 days before the notice's deadline, and the day after.
    assert sorted(kinds) == ["before_pay_by", "before_pay_by", "missed_pay_by"]
    assert result.output == (
        f"Brought 1 citation up to date: {len(kinds)} reminders written, 0 cancelled.\n"
    )
    again = runner.invoke(cli, ["outreach", "plan", "--database", db])
    assert again.output == "Brought 1 citation up to date: 0 reminders written, 0 cancelled.\n"
