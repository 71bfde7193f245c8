"""Group commit: concurrent requests' messages are written together, each request gets its
own outcome, and none is answered before its group is committed."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from citations.audit import verify
from citations.database import transaction
from citations.errors import DatabaseUnavailable, InputRejected
from citations.issuing import pipeline as issuing
from citations.issuing.group_commit import IntakeWriter
from citations.issuing.intake import IntakeMessage
from citations.record.numbering import CitationNumber
from citations.record.tables import Citation
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import message, prepare, subject


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def messages(count: int) -> list[IntakeMessage]:
    return [
        IntakeMessage.model_validate(
            message(
                violation_at=f"2026-11-{1 + i % 27:02d}T21:00:00-08:00",
                subject=subject(last_name=f"Writer{i}", identifiers=[]),
            )
        )
        for i in range(count)
    ]


def test_requests_waiting_together_share_one_commit_and_get_their_own_outcomes(
    ready: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    groups: list[int] = []
    first_running, release = threading.Event(), threading.Event()
    real = issuing.issue_together

    def watched(engine: Engine, items: Any, *, now: Any) -> Any:
        groups.append(len(items))
        if len(groups) == 1:
            first_running.set()
            release.wait(10)  # hold the writer so the others queue up behind it
        return real(engine, items, now=now)

    monkeypatch.setattr("citations.issuing.group_commit.issue_together", watched)
    writer = IntakeWriter(ready, lambda: NOW)
    bad = IntakeMessage.model_validate(
        message(violations=[{"ordinance": "TC 99", "narrative": "No such law."}])
    )
    sent = messages(12)
    outcomes: dict[int, Any] = {}

    def send(index: int, body: IntakeMessage) -> None:
        try:
            outcomes[index] = writer.submit(body, OPERATOR)
        except InputRejected as exc:
            outcomes[index] = exc

    first = threading.Thread(target=send, args=(0, sent[0]))
    first.start()
    assert first_running.wait(10)
    others = [threading.Thread(target=send, args=(i, m)) for i, m in enumerate(sent[1:], 1)]
    others.append(threading.Thread(target=send, args=(12, bad)))
    for thread in others:
        thread.start()
    while len(groups) == 1 and writer._waiting.qsize() < 12:
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    writer.close()

    assert groups == [1, 12]  # one commit for the twelve that waited
    assert isinstance(outcomes[12], InputRejected)  # the bad one is refused alone
    numbers = [outcomes[i].result.citation_number for i in range(12)]
    sequences = sorted(CitationNumber.parse(n).sequence for n in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + 12))
    with transaction(ready) as session:
        assert session.scalar(select(func.count()).select_from(Citation)) == 12
        assert verify(session).intact


def test_a_database_failure_reaches_every_request_of_the_group(
    ready: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(engine: Engine, items: Any, *, now: Any) -> Any:
        raise DatabaseUnavailable("issuing", "connection refused")

    monkeypatch.setattr("citations.issuing.group_commit.issue_together", down)
    writer = IntakeWriter(ready, lambda: NOW)
    with pytest.raises(DatabaseUnavailable):
        writer.submit(messages(1)[0], OPERATOR)
    monkeypatch.setattr("citations.issuing.group_commit.issue_together", issuing.issue_together)
    assert writer.submit(messages(1)[0], OPERATOR).result.citation_number is not None
    writer.close()
