"""Issuing many messages at once (`issue_many`, the batch path) decides and records exactly
what issuing them one by one would: priors include citations issued earlier in the same
batch, numbers follow the batch's order, repeats replay, and refusals stand alone."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from citations.audit import verify
from citations.database import transaction
from citations.issuing.batch import Record, issue_records
from citations.issuing.intake import IntakeMessage
from citations.issuing.pipeline import Issued, Refusal, issue, issue_many
from citations.record.agencies import allocate_block
from citations.record.ledger import balance
from citations.record.lookup import find_citation, to_public
from citations.record.numbering import CitationNumber
from citations.record.tables import Citation
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import message, prepare, subject

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def program(tag: str) -> list[dict[str, Any]]:
    """Fourteen messages that exercise every way one message can depend on another, under
    the test catalog's 2020 version of TC 41.27(c) (age 18 or older, at most 3 priors)."""
    person = subject(last_name=f"Lopez{tag}", identifiers=[{"type": "CA-DL", "number": f"D{tag}"}])
    by_name = subject(first_name="Ana", last_name=f"Ruiz{tag}", identifiers=[])
    minor = subject(last_name=f"Kid{tag}", date_of_birth="2010-05-05", identifiers=[])

    def at(day: str, who: dict[str, Any], **more: Any) -> dict[str, Any]:
        return message(violation_at=f"{day}T21:00:00-07:00", subject=who, **more)

    second = at("2024-05-05", person)
    by_name_first = at("2024-05-02", by_name)
    return [
        at("2024-05-01", person),
        second,  # a prior from the message before it, in the same batch
        at("2024-04-20", person),  # arrives later but happened earlier: no priors before it
        by_name_first,
        at("2024-05-03", by_name),  # matched on name and date of birth alone
        at("2024-05-04", minor),  # under the minimum age: referred
        at(
            "2024-05-04", person, violations=[{"ordinance": "TC 41.18(d)", "narrative": "Blocked."}]
        ),
        dict(second),  # the same message again: replays its first result
        {**by_name_first, "location": {"address": "1 Other St", "area": "North"}},  # conflict
        at("2024-05-06", person, violations=[{"ordinance": "TC 99", "narrative": "No law."}]),
        at("2019-06-01", person),  # before the ordinance existed
        at("2024-05-06", person, declined={"reason": "Warned and left."}),
        at("2024-05-07", person),  # third prior within the lookback: the highest fine
        at("2024-05-08", person),  # a fourth prior exceeds the limit of three: referred
    ]


def comparable(outcome: Issued | Refusal, tag: str) -> Any:
    """An outcome with what differs between two runs (names, numbers) taken out."""
    if not isinstance(outcome, Issued):
        return (type(outcome).__name__, UUID.sub("<id>", str(outcome)).replace(tag, "#"))
    result = outcome.result.model_dump(mode="json")
    result["message_id"] = None
    result["citation_number"] = result["citation_number"] is not None
    return (outcome.replayed, json.loads(json.dumps(result).replace(tag, "#")))


def one_by_one(engine: Engine, bodies: list[dict[str, Any]]) -> list[Issued | Refusal]:
    outcomes: list[Issued | Refusal] = []
    for body in bodies:
        try:
            with transaction(engine) as session:
                outcomes.append(
                    issue(session, IntakeMessage.model_validate(body), actor=OPERATOR, now=NOW)
                )
        except Refusal.__args__ as exc:
            outcomes.append(exc)
    return outcomes


def test_a_batch_decides_exactly_as_one_message_at_a_time(ready: Engine) -> None:
    alone = one_by_one(ready, program("A"))
    with transaction(ready) as session:
        together = issue_many(
            session,
            [IntakeMessage.model_validate(b) for b in program("B")],
            actor=OPERATOR,
            now=NOW,
        )
    assert [comparable(o, "A") for o in alone] == [comparable(o, "B") for o in together]
    offenses = [
        o.result.violations[0].offense_count if isinstance(o, Issued) else None for o in together
    ]
    assert offenses == [1, 2, 1, 1, 2, 1, 1, 2, None, None, None, 4, 4, 5]
    kinds = [
        o.result.outcome.value if isinstance(o, Issued) else type(o).__name__ for o in together
    ]
    assert kinds == [
        "issued", "issued", "issued", "issued", "issued", "referred", "referred", "issued",
        "IdempotencyConflict", "InputRejected", "InputRejected", "declined", "issued", "referred",
    ]  # fmt: skip

    numbers_a = [o.result.citation_number for o in alone if isinstance(o, Issued)]
    numbers_b = [o.result.citation_number for o in together if isinstance(o, Issued)]
    assert numbers_b[7] == numbers_b[1]  # the replay names the first one's citation
    firsts = [n for i, n in enumerate(numbers_b) if n and i != 7]
    assert len(set(firsts)) == len(firsts) == 6
    last_alone = max(CitationNumber.parse(n).sequence for n in numbers_a if n)
    sequence = [CitationNumber.parse(n).sequence for n in firsts]
    assert sequence == list(range(last_alone + 1, last_alone + 7))  # no gaps, in batch order

    with transaction(ready) as session:
        for a, b in zip(numbers_a, numbers_b, strict=True):
            if a is None or b is None:
                assert a is None and b is None  # referred or declined in both runs
                continue
            left, right = find_citation(session, a, OPERATOR), find_citation(session, b, OPERATOR)
            assert balance(session, left) == balance(session, right)
            view_a = to_public(left).model_dump(mode="json")
            view_b = to_public(right).model_dump(mode="json")
            for view in (view_a, view_b):
                view.pop("number")
                view.pop("subject")
            assert view_a == view_b
            assert len(left.revisions) == len(right.revisions) == 1
        assert verify(session).intact


def test_a_device_number_used_twice_in_one_batch_is_refused_the_second_time(
    ready: Engine,
) -> None:
    with transaction(ready) as session:
        block = allocate_block(session, "DCPD", "unit-12", 10, year=2026, actor=OPERATOR, now=NOW)
    written = str(CitationNumber("DCPD", 2026, block.first_sequence))
    bodies = [
        message(citation_number=written),
        message(citation_number=written, subject=subject(last_name="Other")),
    ]
    with transaction(ready) as session:
        first, second = issue_many(
            session, [IntakeMessage.model_validate(b) for b in bodies], actor=OPERATOR, now=NOW
        )
    assert isinstance(first, Issued) and first.result.citation_number == written
    assert not isinstance(second, Issued)
    assert "has already been used" in str(second.errors[0].message)  # type: ignore[union-attr]


def test_a_chunk_the_database_refuses_is_decided_again_record_by_record(
    ready: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"count": 0}
    real = issue_many

    def refused_once(*args: Any, **kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == 1:
            raise IntegrityError("INSERT", {}, Exception("another writer took a number first"))
        return real(*args, **kwargs)

    monkeypatch.setattr("citations.issuing.pipeline.issue_many", refused_once)
    bodies = [message(violation_at=f"2026-11-{10 + i}T21:00:00-08:00") for i in range(5)]
    records = (Record(i + 1, json.dumps(b)) for i, b in enumerate(bodies))
    results = list(issue_records(ready, records, actor=OPERATOR, clock=lambda: NOW))
    assert [r.result.outcome.value for r in results if r.result] == ["issued"] * 5
    assert [r.result.violations[0].offense_count for r in results if r.result] == [1, 2, 3, 4, 5]
    with transaction(ready) as session:
        assert session.scalar(select(func.count()).select_from(Citation)) == 5
        assert verify(session).intact
