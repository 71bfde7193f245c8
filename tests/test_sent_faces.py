"""The documents as sent through the API, the command line and the clerks' pages: the list,
the same bytes on every download, a returned letter and a new address (both backends)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import transaction
from citations.hearings.decisions import Outcome
from citations.hearings.scheduling import decide_hearing
from citations.record.lookup import find_citation
from citations.record.sent import documents_of
from citations.record.tables import SentDocument
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.browser.desk import sign_in
from tests.browser.html import Page
from tests.cli_steps import run
from tests.conftest import NOW
from tests.hearing_steps import CLERK, at, to_review_upheld
from tests.pdfs import pdf_text
from tests.test_sent_documents import ADDRESS, english, to_scheduled

AFTER_RETURN = datetime(2026, 12, 11, 18, 0, tzinfo=UTC)
"""10:00 on 2026-12-11 in Los Angeles: the review's order, mailed on the 1st, came back."""
NEW_ADDRESS = {"line1": "48 Alvarado St", "line2": "Apt 3", "city": "Los Angeles"}


# The API


@pytest.fixture
def api(db: str, engine: Engine) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    headers = {}
    with transaction(engine) as session:
        for role, agency in [("clerk", None), ("officer", "DCPD"), ("auditor", None)]:
            _, secret = create_token(
                session, role=role, agency=agency, name=role, actor=OPERATOR, now=NOW
            )
            headers[role] = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        yield client, headers


@pytest.mark.clock(AFTER_RETURN)
def test_the_api_lists_documents_serves_their_bytes_and_records_returns(
    api: tuple[TestClient, dict[str, dict[str, str]]],
    engine: Engine,
) -> None:
    client, h = api
    number = english(engine)
    to_review_upheld(engine, number)
    base = f"/v1/citations/{number}"
    notice = client.get(f"{base}/notice.pdf", headers=h["officer"])  # first print: kept
    assert notice.status_code == 200
    listed = client.get(f"{base}/documents", headers=h["clerk"]).json()
    assert [(d["kind"], d["delivery"]) for d in listed] == [
        ("order", "mailed"),
        ("notice", "handed_over"),
    ]
    order = listed[0]
    # Ids carry their year on PostgreSQL (citations.partitions): the order's own id.
    assert re.fullmatch(r"order:\d+", order["about"]) and order["language"] == "en"
    assert order["issued_on"] == "2026-12-01" and order["address"]["line1"] == ADDRESS["line1"]
    assert order["mailing"] == {
        "mailed_on": "2026-12-01",
        "address": ADDRESS | {"line2": None},
        "returned_on": None,
        "return_reason": None,
        "return_recorded_at": None,
        "return_recorded_by": None,
    }
    for document in listed:
        url = f"{base}/documents/{document['id']}.pdf"
        first, again = (client.get(url, headers=h["auditor"]) for _ in range(2))
        assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
        assert first.content == again.content
        assert hashlib.sha256(first.content).hexdigest() == document["sha256"]
        assert len(first.content) == document["size"]
    assert client.get(f"{base}/documents/{listed[1]['id']}.pdf", headers=h["officer"]).content == (
        notice.content
    )
    assert client.get(f"{base}/documents/999.pdf", headers=h["clerk"]).status_code == 404
    returned = {"returned_on": "2026-12-10", "reason": "Moved, left no address"}
    url = f"{base}/documents/{order['id']}/return"
    assert client.post(url, json=returned, headers=h["officer"]).status_code == 403
    future = client.post(url, json=returned | {"returned_on": "2026-12-12"}, headers=h["clerk"])
    assert future.status_code == 422 and future.json()["type"] == "/problems/too-early"
    recorded = client.post(url, json=returned, headers=h["clerk"])
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["mailing"]["returned_on"] == "2026-12-10"
    assert client.post(url, json=returned, headers=h["clerk"]).status_code == 422  # twice
    with transaction(engine) as session:
        assert "came back on 2026-12-10" in (find_citation(session, number, CLERK).attention or "")
    moved = client.post(f"{base}/address", json=NEW_ADDRESS, headers=h["clerk"])
    assert moved.status_code == 201, moved.text
    # Past the notice (the review upheld it), the order that came back goes out again as it
    # was sent: the same bytes, to the new address, a mailing of its own.
    again = moved.json()
    assert again["delivery"] == "mailed"
    assert re.fullmatch(re.escape(order["about"]) + r"/mailing:\d+", again["about"])
    assert again["sha256"] == order["sha256"] and again["kind"] == "order"
    assert again["mailing"]["address"] == NEW_ADDRESS | {"state": None, "postal_code": None}
    with transaction(engine) as session:
        assert find_citation(session, number, CLERK).attention is None
    bad = client.post(f"{base}/address", json={"line1": "48 Alvarado St"}, headers=h["clerk"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "city"


# The command line


@pytest.mark.clock(AFTER_RETURN)
def test_the_command_line_lists_prints_and_records_returns(
    runner: CliRunner, db: str, engine: Engine, tmp_path: Path
) -> None:
    number = english(engine)
    to_scheduled(engine, number)
    d = ["--database", db]
    before = tmp_path / "before.pdf"
    run(runner, "hearings", "print", number, "--document", "notice", "--output", str(before), *d)
    with transaction(engine) as session:
        decide_hearing(
            session,
            number,
            Outcome.UPHELD,
            "The photo is clear.",
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
    # A decided hearing's notice still prints (it was "has no hearing scheduled"), unchanged.
    after = tmp_path / "after.pdf"
    run(runner, "hearings", "print", number, "--document", "notice", "--output", str(after), *d)
    assert after.read_bytes() == before.read_bytes()
    listing = run(runner, "documents", "list", number, *d).output
    assert f"Documents sent on {number}: 5" in listing  # the hearing packet with the notice
    assert re.search(r"hearing packet \(hearing:\d+\), dated 2026-12-04", listing)
    assert re.search(
        r"hearing notice \(hearing:\d+\), dated 2026-12-04, en, mailed on 2026-12-04 "
        r"to 1200 W 7th St",
        listing,
    )
    documents = json.loads(run(runner, "documents", "list", number, "--json", *d).output)
    hearing_notice = next(x for x in documents if x["kind"] == "hearing_notice")
    printed = tmp_path / "printed.pdf"
    run(
        runner,
        "documents",
        "print",
        number,
        str(hearing_notice["id"]),
        "--output",
        str(printed),
        *d,
    )
    assert printed.read_bytes() == before.read_bytes()
    order = documents[0]
    returned = run(
        runner,
        "mail",
        "return",
        number,
        "--document",
        str(order["id"]),
        "--on",
        "2026-12-10",
        "--reason",
        "Moved",
        *d,
    ).output
    assert "returned 2026-12-10: Moved" in returned
    assert f"{number} is flagged for attention" in returned
    shown = run(runner, "show", number, *d).output
    assert "attention:  The order mailed on 2026-12-01 to 1200 W 7th St" in shown
    assert "documents sent: 5" in shown and "returned 2026-12-10: Moved" in shown
    moved = run(
        runner, "mail", "address", number, "--line1", "48 Alvarado St", "--city", "Los Angeles", *d
    ).output
    assert "Address recorded; mailed to it: #" in moved
    assert re.search(r"order \(order:\d+/mailing:", moved) and "48 Alvarado St" in moved
    assert "attention" not in run(runner, "show", number, *d).output
    refused = run(
        runner,
        "mail",
        "return",
        number,
        "--document",
        str(order["id"]),
        "--on",
        "2026-12-10",
        "--reason",
        "Moved",
        *d,
        code=1,
    ).output
    assert "already recorded as returned on 2026-12-10" in refused


# The clerks' pages


@pytest.mark.clock(AFTER_RETURN)
def test_a_clerk_records_a_returned_letter_and_a_new_address_on_the_page(
    db: str, engine: Engine
) -> None:
    number = english(engine)
    to_review_upheld(engine, number)
    with transaction(engine) as session:
        [mailed] = [str(d.id) for d in documents_of(session, number, CLERK) if d.kind == "order"]
        _, secret = create_token(
            session, role="clerk", agency=None, name="Jordan", actor=OPERATOR, now=NOW
        )
    with TestClient(
        create_app(db), base_url="https://testserver", follow_redirects=False
    ) as client:
        csrf = sign_in(client, secret)
        page = Page(client.get(f"/clerk/citations/{number}").text)
        assert f"/clerk/citations/{number}/mail-return" in page.links
        assert "Order: review decision, upheld (PDF)" in page.words("documents-section")
        form = Page(client.get(f"/clerk/citations/{number}/mail-return").text)
        [choice] = [o for o in form.inputs if o.get("id") == "f-document"]
        refused = client.post(
            f"/clerk/citations/{number}/mail-return",
            data={
                "csrf_token": csrf,
                "document": mailed,
                "returned_on": "2026-12-10",
                "reason": "",
            },
        )
        assert refused.status_code == 422
        assert "say why it came back" in Page(refused.text).words("f-reason-error-1")
        answer = client.post(
            f"/clerk/citations/{number}/mail-return",
            data={
                "csrf_token": csrf,
                "document": mailed,
                "returned_on": "2026-12-10",
                "reason": "Moved",
            },
        )
        assert answer.status_code == 303, answer.text
        page = Page(client.get(answer.headers["location"]).text)
        assert "The returned letter is recorded" in page.words("main")
        assert "came back on 2026-12-10: Moved" in page.words("attention")
        assert "returned Dec 10, 2026: Moved" in page.words("documents-section")
        assert f"/clerk/citations/{number}/mail-return" not in page.links  # nothing else mailed
        queue = Page(client.get("/clerk/contests").text)
        assert number in queue.words("main") and "came back on 2026-12-10" in queue.words("main")
        missing = client.post(
            f"/clerk/citations/{number}/address",
            data={"csrf_token": csrf, "line1": "48 Alvarado St", "city": ""},
        )
        assert missing.status_code == 422 and "required" in Page(missing.text).words(
            "f-city-error-1"
        )
        moved = client.post(
            f"/clerk/citations/{number}/address",
            data={"csrf_token": csrf, "line1": "48 Alvarado St", "city": "Los Angeles"},
        )
        assert moved.status_code == 303, moved.text
        page = Page(client.get(moved.headers["location"]).text)
        assert "The new address is recorded" in page.words("main")
        assert "attention" not in page.attrs
        assert number not in Page(client.get("/clerk/contests").text).words("main")
    assert choice["name"] == "document"
    with transaction(engine) as session:
        resent = documents_of(session, number, CLERK)[-1]
    assert re.search(r"/mailing:\d+$", resent.about) and resent.address is not None
    assert resent.address["line1"] == "48 Alvarado St"
    with transaction(engine) as session:
        text = pdf_text(session.get(SentDocument, int(mailed)).content)  # type: ignore[union-attr]
    assert "You owe $200.00" in text
