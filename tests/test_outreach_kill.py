"""A sender killed with SIGKILL in the middle of the outbox, and run again, delivers every
message, each text exactly once and each email once per Message-ID (both backends).

`citations outreach send` runs as a real process against the mail server's and Twilio's
stand-ins, each a process of its own that writes what it receives to a file as it arrives,
so what was delivered survives the sender's death. Each stand-in keeps a message a moment
before it answers: the window in which a sender that dies leaves a message delivered but
not recorded. The test kills the sender once some messages have arrived, moves its clock
past the claim's lease, runs the same command to the end, and checks what arrived against
the outbox: no text twice, no email lost, at most one email sent twice (the one in the
sender's hands, with the same Message-ID, and its row says so), every row `sent`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import time_machine
from sqlalchemy import Engine, select

from citations.database import transaction
from citations.outreach.compose import redact
from citations.outreach.send import FOUND, NOT_FOUND, SENT_AGAIN
from citations.outreach.standins import read_mail, read_texts
from citations.record.messages import OutboxMessage
from tests.clock import pause, pinned_command
from tests.outbox_steps import MAIL_FROM, SECRET, queue, reachable_citation

PEOPLE = 30
"""Each with a text and an email due: 60 messages."""
KILL_AFTER = 16
"""Messages the stand-ins have received when the sender is killed."""
ACCOUNT, TOKEN = "AC" + "7" * 32, "kill-test-token"


@contextmanager
def standin(kind: str, store: Path, *extra: str) -> Iterator[int]:
    """A stand-in as a process of its own; its port."""
    command = [sys.executable, "-m", "citations.outreach.standins", kind, "--store", str(store)]
    with subprocess.Popen(
        [*command, "--delay", "0.1", *extra], stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("listening on 127.0.0.1:"), line
            yield int(line.rsplit(":", 1)[1])
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait()


def received(mail: Path, texts: Path) -> int:
    return len(read_mail(mail)) + len(read_texts(texts))


def test_a_sender_killed_midway_and_run_again_delivers_each_message_once(
    engine: Engine, db: str, tmp_path: Path, pinned_clock: time_machine.Traveller
) -> None:
    expected = {}
    for index in range(PEOPLE):
        phone, email = f"+1510555{index:04d}", f"person{index}@example.org"
        citation = reachable_citation(engine, index, phone=phone, email=email)
        expected[queue(engine, citation, "text")] = phone
        expected[queue(engine, citation, "email")] = email
    mail_store, text_store = tmp_path / "mail.jsonl", tmp_path / "texts.jsonl"

    with (
        standin("mail", mail_store) as mail_port,
        standin("texts", text_store, "--account-sid", ACCOUNT, "--auth-token", TOKEN) as text_port,
    ):
        env = os.environ | {
            "CITATIONS_SMTP_HOST": "127.0.0.1",
            "CITATIONS_SMTP_PORT": str(mail_port),
            "CITATIONS_SMTP_SECURITY": "none",
            "CITATIONS_MAIL_FROM": MAIL_FROM,
            "CITATIONS_OUTREACH_SECRET": SECRET,
            "CITATIONS_EMAILS_PER_MINUTE": "6000",
            "CITATIONS_TEXT_PROVIDER": "twilio",
            "CITATIONS_TWILIO_ACCOUNT_SID": ACCOUNT,
            "CITATIONS_TWILIO_AUTH_TOKEN": TOKEN,
            "CITATIONS_TWILIO_FROM": "+15105550100",
            "CITATIONS_TWILIO_API_BASE": f"http://127.0.0.1:{text_port}",
            "CITATIONS_TEXTS_PER_MINUTE": "6000",
        }
        send = ["outreach", "send", "--database", db]
        with (tmp_path / "killed.log").open("w") as log:
            sender = subprocess.Popen(
                pinned_command(*send), stdout=log, stderr=subprocess.STDOUT, env=env
            )
            deadline = time.monotonic() + 120
            try:
                while received(mail_store, text_store) < KILL_AFTER:
                    assert sender.poll() is None, (tmp_path / "killed.log").read_text()
                    assert time.monotonic() < deadline, "the sender did not get going"
                    pause(0.005)
            finally:
                sender.send_signal(signal.SIGKILL)
                sender.wait()
        assert sender.returncode == -signal.SIGKILL
        at_kill = received(mail_store, text_store)
        assert KILL_AFTER <= at_kill < len(expected), "the kill did not land mid-way"

        pinned_clock.shift(timedelta(minutes=11))  # past the claim's lease
        rerun = finish(pinned_command(*send), env)  # on the clock as it is now
        assert rerun.returncode == 0, rerun.stderr[-2000:]

    texts, mails = read_texts(text_store), read_mail(mail_store)
    with transaction(engine) as session:
        rows = {r.id: r for r in session.scalars(select(OutboxMessage))}
    assert {r.status for r in rows.values()} == {"sent"}
    interrupted = {i: r.error for i, r in rows.items() if r.error}
    assert len(interrupted) <= 1, interrupted  # only the message in the dead sender's hands
    print(
        f"\nkilled after {at_kill} of {len(expected)} arrived; "
        f"in its hands: {interrupted or 'nothing recorded in doubt'}; rerun: {rerun.stdout!r}"
    )

    # Texts: every number exactly once, with the SID and words the row keeps.
    assert Counter(t["to"] for t in texts) == Counter(
        a for i, a in expected.items() if rows[i].channel == "text"
    )
    by_number = {t["to"]: t for t in texts}
    for message in (r for r in rows.values() if r.channel == "text"):
        text = by_number[expected[message.id]]
        assert message.provider_id == text["sid"]
        assert message.body == redact(text["body"])
        assert message.error in (None, FOUND, NOT_FOUND)

    # Emails: every one arrived; a second copy only of the one in flight, same Message-ID.
    copies = Counter(m.message["Message-ID"] for m in mails)
    emails = {r.provider_id: r for r in rows.values() if r.channel == "email"}
    assert set(copies) == set(emails)
    twice = [header for header, count in copies.items() if count > 1]
    assert len(twice) <= 1 and max(copies.values()) <= 2
    for header in twice:
        assert emails[header].error == SENT_AGAIN
    for header, message in emails.items():
        [recipient] = {tuple(m.rcpt_tos) for m in mails if m.message["Message-ID"] == header}
        assert recipient == (expected[message.id],)


def finish(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `command` to its end (as `tests.clock.run_to_the_end`, with an environment)."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as process:
        watchdog = threading.Timer(300, process.kill)
        watchdog.start()
        try:
            stdout, stderr = process.communicate()
        finally:
            watchdog.cancel()
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
