"""`citations serve --workers 4` as a real server on PostgreSQL, with 16 clients at once:
citations for two agencies, payments and repeated messages. Every answer is 2xx; the numbers
are unique and without a gap per agency; a message repeated at once from several
connections, and again after the server's processes are all replaced, gives one citation;
and `citations audit verify` passes after.

The worker processes share nothing but the database: group commit runs in each (its own
intake writer), numbers come from each agency's sequence row, a repeated message_id meets
the unique index, and each transaction chains its events in one audit lane.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.record.numbering import CitationNumber
from citations.record.tables import Agency, Citation
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from cli import cli
from tests.factories import message, prepare, subject
from tests.hearing_steps import ISSUED_AT, issue_one
from tests.live_server import LiveServer

WORKERS = 4
CLIENTS = 16
ROUNDS = 5
"""Citations each client issues."""
AGENCIES = ("DCPD", "OTHR")


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    if engine.dialect.name != "postgresql":
        pytest.skip("several workers need PostgreSQL (serve refuses them on SQLite)")
    prepare(engine)
    secrets = {}
    with transaction(engine) as session:
        for role, agency in [("officer", "DCPD"), ("officer", "OTHR"), ("clerk", None)]:
            _, secret = create_token(
                session,
                role=role,
                agency=agency,
                name=f"{role} {agency}",
                actor=OPERATOR,
                now=ISSUED_AT,
            )
            secrets[agency or role] = secret
    return secrets


@pytest.fixture
def server(database_url: str, tmp_path: Path, tokens: dict[str, str]) -> Iterator[LiveServer]:
    with LiveServer(database_url, tmp_path / "server.log", workers=WORKERS) as live:
        yield live


def citation_body(client: int, round_: int, agency: str) -> dict[str, Any]:
    """A message about a person of its own (no priors: always a citation)."""
    person = subject(
        first_name=f"Client{client}",
        last_name=f"Round{round_}",
        identifiers=[{"type": "CA-DL", "number": f"D{client:02d}{round_:05d}"}],
    )
    return message(agency=agency, subject=person)


class Answers:
    """Every answer of every client: (what was asked: "citation", "payment", or the agency
    of the repeated message; status; body)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.all: list[tuple[str, int, Any]] = []

    def add(self, asked: str, status: int, body: Any) -> Any:
        with self._lock:
            self.all.append((asked, status, body))
        return body


def run_clients(
    server: LiveServer, tokens: dict[str, str], to_pay: list[str], repeated: dict[str, Any]
) -> tuple[Answers, dict[int, list[tuple[dict[str, Any], str]]]]:
    """16 threads, each with its own connections: citations for its agency, a payment, and
    the shared repeated message, all released together."""
    answers = Answers()
    sent: dict[int, list[tuple[dict[str, Any], str]]] = defaultdict(list)
    start = threading.Barrier(CLIENTS)
    failures: list[BaseException] = []

    def client(index: int) -> None:
        agency = AGENCIES[index % 2]
        try:
            start.wait()
            with server.client(tokens[agency]) as officer:
                answer = officer.post("/v1/citations", json=repeated[agency])
                replayed = answer.headers.get("Idempotent-Replayed") == "true"
                answers.add(agency, answer.status_code, answer.json() | {"replayed": replayed})
                for round_ in range(ROUNDS):
                    body = citation_body(index, round_, agency)
                    answer = officer.post("/v1/citations", json=body)
                    result = answers.add(f"citation {agency}", answer.status_code, answer.json())
                    sent[index].append((body, result.get("citation_number")))
            with server.client(tokens["clerk"]) as clerk:
                answer = clerk.post(
                    f"/v1/citations/{to_pay[index]}/payments",
                    json={"amount": "10.00", "method": "card"},
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
                answers.add("payment", answer.status_code, answer.json())
        except BaseException as exc:  # a dropped connection fails the test below
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return answers, sent


def numbers_by_agency(engine: Engine) -> dict[str, list[CitationNumber]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(Agency.code, Citation.number).join(Agency, Agency.id == Citation.agency_id)
        ).all()
    found: dict[str, list[CitationNumber]] = defaultdict(list)
    for agency, number in rows:
        found[agency].append(CitationNumber.parse(number))
    return found


def test_four_workers_and_sixteen_clients(
    server: LiveServer, engine: Engine, database_url: str, tokens: dict[str, str]
) -> None:
    to_pay = [issue_one(engine, first_name=f"Payer{i}") for i in range(CLIENTS)]
    repeated = {agency: citation_body(99, 0, agency) for agency in AGENCIES}

    answers, sent = run_clients(server, tokens, to_pay, repeated)

    statuses = Counter(status for _, status, _ in answers.all)
    assert all(200 <= status < 300 for status in statuses), [
        (asked, status, body) for asked, status, body in answers.all if status >= 300
    ]
    assert sum(statuses.values()) == CLIENTS * (ROUNDS + 2)
    issued = [body["citation_number"] for asked, _, body in answers.all if asked.startswith("cit")]
    assert len(issued) == len(set(issued)) == CLIENTS * ROUNDS
    for agency in AGENCIES:  # eight connections sent it at once: one citation
        repeats = [body for asked, _, body in answers.all if asked == agency]
        assert len({body["citation_number"] for body in repeats}) == 1, repeats
        assert sorted(body["replayed"] for body in repeats) == [False] + [True] * 7

    # Unique and without a gap, per agency (and year): 1..n, each once.
    found = numbers_by_agency(engine)
    assert sum(len(numbers) for numbers in found.values()) == CLIENTS * (ROUNDS + 1) + 2
    for agency, numbers in found.items():
        assert {number.year for number in numbers} == {2026}
        sequences = sorted(number.sequence for number in numbers)
        assert sequences == list(range(1, len(sequences) + 1)), agency
    assert set(issued) <= {str(number) for numbers in found.values() for number in numbers}

    # Every worker process replaced: each message sent again gives the same citation.
    server.stop()
    server.start()
    with server.client(tokens["DCPD"]) as dcpd, server.client(tokens["OTHR"]) as othr:
        for index, [(body, number), *_] in sent.items():
            officer = dcpd if AGENCIES[index % 2] == "DCPD" else othr
            again = officer.post("/v1/citations", json=body)
            assert (again.status_code, again.json()["citation_number"]) == (201, number)
            assert again.headers["Idempotent-Replayed"] == "true"
    assert numbers_by_agency(engine) == found  # nothing new was issued

    verified = CliRunner().invoke(cli, ["audit", "verify", "--database", database_url])
    assert verified.exit_code == 0, verified.output
    assert "The audit trail is intact" in verified.output
    with transaction(engine) as session:
        lanes = set(session.scalars(select(AuditEvent.lane).distinct()))
    assert len(lanes) > 1  # the work went to several lanes


def test_more_than_one_worker_on_sqlite_is_refused(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the refusal is SQLite's")
    result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--database", database_url])
    assert result.exit_code == 1
    assert result.output == (
        "Error: --workers 2 needs PostgreSQL: SQLite lets one writer in at a time, so more "
        "processes would only queue for its lock. Serve SQLite with --workers 1, or move the "
        "records to PostgreSQL (--database postgresql://USER@HOST/DB).\n"
    )
