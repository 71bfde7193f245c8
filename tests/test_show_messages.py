"""`citations show` lists the citation's contact and messages, in text and in JSON (both
backends)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner
from sqlalchemy import create_engine, update

from citations.commands.show import show_command
from citations.database import transaction
from citations.record.tables import Citation
from tests.letters_steps import cited, queue

SENT_AT = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
"""10:00 on 2026-11-27 in Los Angeles."""


def test_show_lists_the_contact_and_every_message(db: str, runner: CliRunner) -> None:
    engine = create_engine(db)
    number = cited(engine)
    with transaction(engine) as session:
        session.execute(
            update(Citation)
            .where(Citation.number == number)
            .values(
                phone="+15105550123",
                texts_consent=True,
                phone_problem="not a mobile phone",
                experiment="reminders-2026",
                arm="plain",
            )
        )
    sent = queue(engine, number, kind="before_pay_by", channel="text", status="sent",
                 sent_at=SENT_AT, address="+15105550123")  # fmt: skip
    cancelled = queue(engine, number, kind="before_hearing", about="hearing", channel="text",
                      status="cancelled", cancelled_at=SENT_AT,
                      cancel_reason="the citation was paid")  # fmt: skip
    pending = queue(engine, number, kind="hearing_set", about="hearing", language="es",
                    due=datetime(2026, 12, 7, 18, 0, tzinfo=UTC))  # fmt: skip
    engine.dispose()

    result = runner.invoke(show_command, [number, "--database", db])
    assert result.exit_code == 0, result.output
    tail = "  phone:" + result.output.split("\n  phone:", 1)[1]
    assert tail == (
        "  phone:      +15105550123 (texts agreed)\n"
        "  email:      none on file (emails not agreed)\n"
        "  texts stopped:  not a mobile phone (fix the contact)\n"
        "  experiment: reminders-2026, arm plain\n"
        "  messages:   3\n"
        f"  #{sent} 2026-11-27 10:00 PST text (en) Reminder before the deadline to pay or "
        "contest: sent, to +15105550123\n"
        f"  #{cancelled} 2026-11-27 10:00 PST text (en) Reminder before the hearing: cancelled "
        "(the citation was paid)\n"
        f"  #{pending} 2026-12-07 10:00 PST letter (es) Hearing set: pending\n"
    )

    shown = json.loads(runner.invoke(show_command, [number, "--json", "--database", db]).output)
    assert shown["contact"]["phone"] == "+15105550123"
    assert shown["contact"]["phone_problem"] == "not a mobile phone"
    assert shown["contact"]["arm"] == "plain"
    assert [(m["id"], m["channel"], m["status"]) for m in shown["messages"]] == [
        (sent, "text", "sent"),
        (cancelled, "text", "cancelled"),
        (pending, "letter", "pending"),
    ]
    assert shown["messages"][1]["detail"] == "the citation was paid"
    assert shown["messages"][0]["at"] == "2026-11-27T18:00:00Z"


def test_show_says_when_there_is_no_message(db: str, runner: CliRunner) -> None:
    engine = create_engine(db)
    number = cited(engine)
    engine.dispose()
    result = runner.invoke(show_command, [number, "--database", db])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "  phone:      none on file (texts not agreed)\n"
        "  email:      none on file (emails not agreed)\n"
        "  messages:   none yet\n"
    )
