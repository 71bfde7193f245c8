"""The sender's faces: `citations outreach send`, daily processing delivering what is due,
and `citations outreach worker` as a real process that stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from citations.outreach.standins import MailSink, TextStandIn
from citations.settings import Settings
from cli import cli
from tests.clock import pinned_command
from tests.outbox_steps import channel_settings, queue, reachable_citation, row


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def texts() -> Iterator[TextStandIn]:
    with TextStandIn() as standin:
        yield standin


def environment(settings: Settings) -> dict[str, str]:
    """The settings as the CITATIONS_* variables an operator would set."""
    names = [
        "smtp_host",
        "smtp_port",
        "smtp_security",
        "mail_from",
        "emails_per_minute",
        "text_provider",
        "twilio_account_sid",
        "twilio_from",
        "twilio_api_base",
        "texts_per_minute",
    ]
    values = {
        f"CITATIONS_{n.upper()}": str(getattr(settings, n))
        for n in names
        if getattr(settings, n) is not None
    }
    for name in ("twilio_auth_token", "outreach_secret"):
        secret = getattr(settings, name)
        if secret is not None:
            values[f"CITATIONS_{name.upper()}"] = secret.get_secret_value()
    return values


def test_send_says_what_went_on_each_channel(
    engine: Engine, db: str, mail: MailSink, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101", email="maria@example.org")
    ids = [queue(engine, citation, "text"), queue(engine, citation, "email")]
    runner = CliRunner(env=environment(channel_settings(db, mail=mail, texts=texts)))

    result = runner.invoke(cli, ["outreach", "send", "--database", db])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Emails: 1 sent.", "Texts: 1 sent."]
    assert {row(engine, i).status for i in ids} == {"sent"}
    again = runner.invoke(cli, ["outreach", "send", "--database", db])
    assert again.output == "Nothing was due.\n"


def test_send_without_channels_names_the_settings_and_leaves_messages_waiting(
    engine: Engine, db: str, runner: CliRunner
) -> None:
    citation = reachable_citation(engine, 1, email="maria@example.org")
    message_id = queue(engine, citation, "email")

    result = runner.invoke(cli, ["outreach", "send", "--database", db])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "1 email wait: emails are not configured (set CITATIONS_SMTP_HOST (with "
        "CITATIONS_MAIL_FROM and CITATIONS_OUTREACH_SECRET)).\n"
    )
    assert row(engine, message_id).status == "pending"


def test_incomplete_settings_are_named_not_a_traceback(db: str) -> None:
    runner = CliRunner(env={"CITATIONS_SMTP_HOST": "mail.city.example"})
    result = runner.invoke(cli, ["outreach", "send", "--database", db])
    assert result.exit_code == 1
    assert result.output == (
        "Error: the settings are incomplete: sending reminders needs CITATIONS_MAIL_FROM, "
        "CITATIONS_OUTREACH_SECRET\n"
    )


def test_daily_processing_delivers_what_is_due_unless_told_not_to(
    engine: Engine, db: str, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    first = queue(engine, citation, "text")
    runner = CliRunner(env=environment(channel_settings(db, texts=texts)))
    process = ["process", "--as-of", "2026-11-29", "--database", db]

    skipped = runner.invoke(cli, [*process, "--no-send"])
    assert skipped.exit_code == 0, skipped.output
    assert "Reminders" not in skipped.output
    assert row(engine, first).status == "pending"

    processed = runner.invoke(cli, process)
    assert processed.exit_code == 0, processed.output
    assert processed.output.splitlines()[-1] == "Reminders: Texts: 1 sent."
    assert row(engine, first).status == "sent"


def test_the_worker_sends_as_messages_fall_due_and_stops_on_sigterm(
    engine: Engine, db: str, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    message_id = queue(engine, citation, "text")
    command = pinned_command("outreach", "worker", "--every", "1", "--database", db)
    env = os.environ | environment(channel_settings(db, texts=texts))
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as worker:
        watchdog = threading.Timer(60, worker.kill)
        watchdog.start()
        try:
            assert worker.stdout is not None
            banner = worker.stdout.readline()
            first_run = worker.stdout.readline()
            worker.send_signal(signal.SIGTERM)
            rest, errors = worker.communicate()
        finally:
            watchdog.cancel()
    assert worker.returncode == 0, errors
    assert banner == "Sending reminders every 1 s; SIGTERM or Ctrl-C stops.\n"
    assert first_run.startswith("2026-11-29T18:00")
    assert first_run.endswith(" Texts: 1 sent.\n")
    assert rest.splitlines()[-1] == "Stopped."
    assert row(engine, message_id).status == "sent"
    assert len(texts.received) == 1
