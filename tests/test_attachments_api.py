"""Officers' files through the API (both backends): uploaded before or after the intake
message that names them, checked from their bytes, stored once, seen only by their agency
and staff, withdrawn but kept, and served so no browser or cache keeps or runs them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, func, select

from citations.app import create_app
from citations.attachments.store import StoreError
from citations.audit import AuditEvent
from citations.database import transaction
from citations.record.tables import Citation, IntakeRecord
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from citations.settings import get_settings
from tests.conftest import NOW
from tests.factories import message, prepare
from tests.test_online_files import gps_jpeg, picture

Api = tuple[TestClient, dict[str, str]]


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[Api]:
    prepare(engine)
    secrets: dict[str, str] = {}
    with transaction(engine) as session:
        for name, role, agency in [
            ("officer", "officer", "DCPD"),
            ("other", "officer", "OTHR"),
            ("clerk", "clerk", None),
            ("auditor", "auditor", None),
        ]:
            _, secrets[name] = create_token(
                session, role=role, agency=agency, name=name, actor=OPERATOR, now=NOW
            )
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, secrets


@pytest.fixture
def own_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A files store of this test's own, so its files can be counted."""
    folder = tmp_path / "files"
    monkeypatch.setenv("CITATIONS_FILES_FOLDER", str(folder))
    get_settings.cache_clear()
    yield folder
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """1 MB a file, 1 MB a citation."""
    monkeypatch.setenv("CITATIONS_FILE_MAX_MEGABYTES", "1")
    monkeypatch.setenv("CITATIONS_CITATION_FILES_MAX_MEGABYTES", "1")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def send_raw(
    client: TestClient,
    secret: str,
    data: bytes,
    content_type: str = "image/jpeg",
    **params: str,
) -> Response:
    return client.post(
        "/v1/attachments",
        content=data,
        params=params,
        headers={**auth(secret), "Content-Type": content_type},
    )


def issue(client: TestClient, secret: str, body: dict[str, Any]) -> str:
    answer = client.post("/v1/citations", json=body, headers=auth(secret))
    assert answer.status_code == 201, answer.text
    number: str = answer.json()["citation_number"]
    return number


def listed(client: TestClient, secret: str, number: str) -> list[dict[str, Any]]:
    answer = client.get(f"/v1/citations/{number}/attachments", headers=auth(secret))
    assert answer.status_code == 200, answer.text
    files: list[dict[str, Any]] = answer.json()
    return files


def problem(answer: Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    return body


def pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 9)


def test_an_upload_before_the_message_joins_it_by_id(api: Api) -> None:
    client, tokens = api
    photo = gps_jpeg()
    answer = send_raw(client, tokens["officer"], photo, filename="scene 1.jpg")
    assert answer.status_code == 201, answer.text
    uploaded = answer.json()
    assert uploaded["id"].startswith("att_")
    assert answer.headers["location"] == f"/v1/attachments/{uploaded['id']}"
    assert uploaded["sha256"] == hashlib.sha256(photo).hexdigest()
    assert (uploaded["filename"], uploaded["content_type"]) == ("scene 1.jpg", "image/jpeg")
    assert (uploaded["size"], uploaded["citation"], uploaded["state"]) == (
        len(photo),
        None,
        "uploaded",
    )
    assert uploaded["added_from"] == "API testclient"
    assert uploaded["details"]["latitude"] == "34.051944"  # 34° 3' 7" N, from the EXIF
    number = issue(client, tokens["officer"], message(attachments=[uploaded["id"]]))
    [on] = listed(client, tokens["officer"], number)
    assert (on["id"], on["citation"], on["state"], on["source"]) == (
        uploaded["id"],
        number,
        "attached",
        "officer",
    )
    assert on["named_by"].endswith("(officer)")
    # The clerk sees it too; the record says who added it and from where.
    record = client.get(f"/v1/attachments/{on['id']}", headers=auth(tokens["clerk"])).json()
    assert record["added_by"].endswith("(officer)") and record["agency"] == "DCPD"


def test_an_upload_before_the_message_joins_it_by_hash(api: Api) -> None:
    client, tokens = api
    scene = picture("PNG")
    form = {"file": ("scene.png", scene, "image/png")}
    fields = {"purpose": "evidence", "description": "The can on the bench"}
    answer = client.post(
        "/v1/attachments", files=form, data=fields, headers=auth(tokens["officer"])
    )
    assert answer.status_code == 201, answer.text
    sha = answer.json()["sha256"]
    assert answer.json()["description"] == "The can on the bench"
    number = issue(client, tokens["officer"], message(attachments=[sha]))
    [on] = listed(client, tokens["officer"], number)
    assert (on["id"], on["state"], on["content_type"]) == (
        answer.json()["id"],
        "attached",
        "image/png",
    )


def test_a_message_names_a_hash_and_the_upload_joins_it_later(api: Api) -> None:
    client, tokens = api
    photo = gps_jpeg()
    sha = hashlib.sha256(photo).hexdigest()
    number = issue(client, tokens["officer"], message(attachments=[sha]))
    [waiting] = listed(client, tokens["officer"], number)
    assert (waiting["state"], waiting["sha256"], waiting["size"]) == ("awaited", sha, None)
    waits = client.get(f"/v1/attachments/{waiting['id']}/content", headers=auth(tokens["clerk"]))
    assert problem(waits, 404)["type"] == "/problems/not-found"  # no bytes yet
    came = send_raw(client, tokens["officer"], photo, filename="IMG_0001.JPG")
    assert came.status_code == 201, came.text
    assert (came.json()["id"], came.json()["citation"]) == (waiting["id"], number)
    [on] = listed(client, tokens["clerk"], number)
    assert (on["state"], on["filename"], on["size"]) == ("attached", "IMG_0001.JPG", len(photo))
    content = client.get(f"/v1/attachments/{on['id']}/content", headers=auth(tokens["officer"]))
    assert content.content == photo


def test_files_named_on_an_existing_citation(api: Api) -> None:
    client, tokens = api
    number = issue(client, tokens["officer"], message())
    first = send_raw(client, tokens["officer"], picture("JPEG", (40, 40))).json()
    later = hashlib.sha256(picture("PNG", (30, 30))).hexdigest()
    named = client.post(
        f"/v1/citations/{number}/attachments",
        json={"attachments": [first["id"], later]},
        headers=auth(tokens["officer"]),
    )
    assert named.status_code == 200, named.text
    assert [(f["id"], f["state"]) for f in named.json()] == [
        (first["id"], "attached"),
        (named.json()[1]["id"], "awaited"),
    ]
    again = client.post(
        f"/v1/citations/{number}/attachments",
        json={"attachments": [first["id"]]},
        headers=auth(tokens["officer"]),
    )
    assert again.json()[0]["id"] == first["id"]  # named again: nothing new
    assert len(listed(client, tokens["officer"], number)) == 2
    bad = client.post(
        f"/v1/citations/{number}/attachments",
        json={"attachments": ["photo.jpg"]},
        headers=auth(tokens["officer"]),
    )
    assert problem(bad, 422)["errors"][0]["field"] == "attachments[0]"


def test_an_upload_straight_onto_a_citation(api: Api) -> None:
    client, tokens = api
    number = issue(client, tokens["officer"], message())
    answer = send_raw(
        client, tokens["officer"], pdf(2000), "application/pdf", citation=number, purpose="other"
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["citation"], answer.json()["purpose"]) == (number, "other")
    assert [f["id"] for f in listed(client, tokens["clerk"], number)] == [answer.json()["id"]]


@pytest.mark.parametrize(
    ("data", "declared", "field"),
    [
        (b"", "image/jpeg", "file"),
        (b"just words", "image/jpeg", "file"),
        (b"PNG-ish", "text/plain", "file"),
    ],
)
def test_what_is_not_a_picture_or_pdf_is_refused(
    api: Api, data: bytes, declared: str, field: str
) -> None:
    client, tokens = api
    answer = send_raw(client, tokens["officer"], data, declared)
    assert problem(answer, 422)["errors"][0]["field"] == field


def test_a_lying_content_type_is_refused(api: Api) -> None:
    client, tokens = api
    raw = send_raw(client, tokens["officer"], picture("PNG"), "image/jpeg", filename="a.jpg")
    body = problem(raw, 422)
    assert body["errors"] == [
        {"field": "content_type", "message": "a.jpg was sent as image/jpeg but is a PNG file"}
    ]
    lying_part = {"file": ("doc.pdf", picture("JPEG"), "application/pdf")}
    form = client.post("/v1/attachments", files=lying_part, headers=auth(tokens["officer"]))
    assert problem(form, 422)["errors"][0]["field"] == "content_type"
    with_no_file = client.post(
        "/v1/attachments", files={"other": ("a.jpg", b"x")}, headers=auth(tokens["officer"])
    )
    assert problem(with_no_file, 422)["errors"][0]["field"] == "file"


def test_the_same_bytes_are_stored_once(api: Api, own_store: Path) -> None:
    client, tokens = api
    photo = gps_jpeg()
    first = send_raw(client, tokens["officer"], photo)
    again = send_raw(client, tokens["officer"], photo)  # a device retrying after a lost answer
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    number = issue(client, tokens["officer"], message(attachments=[first.json()["id"]]))
    onto = send_raw(client, tokens["officer"], photo, citation=number)
    assert onto.status_code == 201 and onto.json()["id"] != first.json()["id"]
    kept = sorted(p.name for p in (own_store / "sha256").rglob("*") if p.is_file())
    # The original and its shown copy (re-encoded without where it was taken): once each.
    assert kept == sorted({first.json()["sha256"], first.json()["shown_sha256"]})
    assert len(kept) == 2


def test_another_agencys_officer_is_told_nothing_exists(api: Api) -> None:
    client, tokens = api
    photo = picture("JPEG", (50, 50))
    own = send_raw(client, tokens["officer"], photo).json()
    number = issue(client, tokens["officer"], message(attachments=[own["id"]]))
    other = auth(tokens["other"])
    key = own["id"]
    answers = [
        client.get(f"/v1/attachments/{key}", headers=other),
        client.get(f"/v1/attachments/{key}/content", headers=other),
        client.get(f"/v1/attachments/{key}/content?copy=shown", headers=other),
        client.post(f"/v1/attachments/{key}/withdraw", json={"reason": "mine"}, headers=other),
        client.get(f"/v1/citations/{number}/attachments", headers=other),
        client.post(
            f"/v1/citations/{number}/attachments", json={"attachments": [key]}, headers=other
        ),
        send_raw(client, tokens["other"], picture("PNG"), "image/png", citation=number),
    ]
    for answer in answers:
        assert problem(answer, 404)["type"] == "/problems/not-found", answer.request.url
    # Its id named in OTHR's own message: refused as unknown, before anything is written.
    refused = client.post(
        "/v1/citations", json=message(agency="OTHR", attachments=[key]), headers=other
    )
    assert problem(refused, 422)["errors"] == [
        {"field": "attachments[0]", "message": f"no file {key} was uploaded by this agency"}
    ]
    # The same bytes sent by OTHR are OTHR's own upload, apart from DCPD's.
    theirs = send_raw(client, tokens["other"], photo)
    assert theirs.status_code == 201 and theirs.json()["id"] != key


def test_a_message_naming_an_unknown_upload_writes_nothing(api: Api, engine: Engine) -> None:
    client, tokens = api
    body = message(attachments=["att_" + "q" * 26])
    answer = client.post("/v1/citations", json=body, headers=auth(tokens["officer"]))
    assert problem(answer, 422)["errors"][0]["field"] == "attachments[0]"
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Citation)) == 0
        assert session.scalar(select(func.count()).select_from(IntakeRecord)) == 0


def test_a_withdrawn_file_stays_in_the_record(api: Api, engine: Engine) -> None:
    client, tokens = api
    photo = picture("JPEG", (60, 20))
    number = issue(client, tokens["officer"], message())
    key = send_raw(client, tokens["officer"], photo, citation=number).json()["id"]
    short = client.post(
        f"/v1/attachments/{key}/withdraw", json={"reason": ""}, headers=auth(tokens["clerk"])
    )
    assert problem(short, 422)["errors"][0]["field"] == "reason"
    reason = "Photo of the wrong bench"
    answer = client.post(
        f"/v1/attachments/{key}/withdraw", json={"reason": reason}, headers=auth(tokens["clerk"])
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["withdrawn"]["reason"] == reason
    assert answer.json()["withdrawn"]["by"].endswith("(clerk)")
    [kept] = listed(client, tokens["officer"], number)
    assert kept["withdrawn"]["reason"] == reason and kept["state"] == "attached"
    content = client.get(f"/v1/attachments/{key}/content", headers=auth(tokens["clerk"]))
    assert content.status_code == 200 and content.content == photo
    twice = client.post(
        f"/v1/attachments/{key}/withdraw", json={"reason": reason}, headers=auth(tokens["clerk"])
    )
    assert "already withdrawn" in problem(twice, 422)["errors"][0]["message"]
    with transaction(engine) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "attachment.withdrawn")
        ).one()
        assert (event.entity_key, event.reason) == (number, reason)
        assert event.actor.endswith("(clerk)")


def test_an_officer_withdraws_their_agencys_own_file(api: Api) -> None:
    client, tokens = api
    number = issue(client, tokens["officer"], message())
    key = send_raw(client, tokens["officer"], picture("PNG"), "image/png", citation=number)
    key = key.json()["id"]
    reason = "Sent from the wrong stop"
    answer = client.post(
        f"/v1/attachments/{key}/withdraw", json={"reason": reason}, headers=auth(tokens["officer"])
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["withdrawn"]["reason"] == reason
    assert answer.json()["withdrawn"]["by"].endswith("(officer)")
    # An auditor reads every file but withdraws none.
    auditor = client.post(
        f"/v1/attachments/{key}/withdraw",
        json={"reason": "not mine"},
        headers=auth(tokens["auditor"]),
    )
    assert problem(auditor, 403)["type"] == "/problems/forbidden"


def test_size_limits_per_file_and_per_citation(api: Api, small_limits: None) -> None:
    client, tokens = api
    huge = send_raw(client, tokens["officer"], pdf(2 * 1024 * 1024), "application/pdf")
    body = problem(huge, 413)
    assert body["type"] == "/problems/content-too-large"
    assert "the limit is 1,114,112 bytes (a file of at most 1 MB" in body["detail"]
    over = send_raw(client, tokens["officer"], pdf(1024 * 1024 + 10), "application/pdf")
    assert problem(over, 422)["errors"][0]["message"] == "file is 1.1 MB; the limit is 1 MB"
    number = issue(client, tokens["officer"], message())
    first = send_raw(client, tokens["officer"], pdf(600_000), "application/pdf", citation=number)
    assert first.status_code == 201, first.text
    second = send_raw(client, tokens["officer"], pdf(600_001), "application/pdf", citation=number)
    assert problem(second, 422)["errors"][0]["message"] == (
        f"file.pdf would bring citation {number}'s files to 1.2 MB; the limit is 1 MB a citation"
    )
    # Named in a message, files already here are counted before it is issued.
    a = send_raw(client, tokens["officer"], pdf(600_002), "application/pdf").json()["id"]
    b = send_raw(client, tokens["officer"], pdf(600_003), "application/pdf").json()["id"]
    refused = client.post(
        "/v1/citations", json=message(attachments=[a, b]), headers=auth(tokens["officer"])
    )
    assert problem(refused, 422)["errors"][0]["field"] == "attachments"


def test_files_are_served_never_kept_or_sniffed(api: Api) -> None:
    client, tokens = api
    photo = gps_jpeg()
    number = issue(client, tokens["officer"], message())
    key = send_raw(client, tokens["officer"], photo, citation=number, filename="fotó 1.jpg")
    key_id = key.json()["id"]
    original = client.get(f"/v1/attachments/{key_id}/content", headers=auth(tokens["clerk"]))
    assert original.content == photo
    assert original.headers["content-type"] == "image/jpeg"
    assert original.headers["content-disposition"] == f'inline; filename="{key_id}-fot_1.jpg"'
    assert original.headers["cache-control"] == "no-store"
    assert original.headers["x-content-type-options"] == "nosniff"
    shown = client.get(
        f"/v1/attachments/{key_id}/content?copy=shown", headers=auth(tokens["clerk"])
    )
    assert shown.status_code == 200 and shown.content != photo
    assert hashlib.sha256(shown.content).hexdigest() == key.json()["shown_sha256"]
    assert b"Apple" not in shown.content  # the shown copy has no metadata
    paper = send_raw(client, tokens["officer"], pdf(500), "application/pdf", citation=number)
    got = client.get(f"/v1/attachments/{paper.json()['id']}/content", headers=auth(tokens["clerk"]))
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment; ")
    assert "sandbox" in got.headers["content-security-policy"]
    bad_copy = client.get(f"/v1/attachments/{key_id}/content?copy=x", headers=auth(tokens["clerk"]))
    assert problem(bad_copy, 422)["errors"][0]["field"] == "copy"


def test_a_message_sent_again_with_its_files_is_idempotent(api: Api) -> None:
    client, tokens = api
    photo = picture("JPEG", (33, 33))
    key = send_raw(client, tokens["officer"], photo).json()["id"]
    later = hashlib.sha256(b"not yet").hexdigest()
    body = message(attachments=[key, later])
    first = client.post("/v1/citations", json=body, headers=auth(tokens["officer"]))
    again = client.post("/v1/citations", json=body, headers=auth(tokens["officer"]))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    number = first.json()["citation_number"]
    assert [f["state"] for f in listed(client, tokens["officer"], number)] == [
        "attached",
        "awaited",
    ]
    changed = client.post(
        "/v1/citations", json={**body, "attachments": [key]}, headers=auth(tokens["officer"])
    )
    assert problem(changed, 409)["type"] == "/problems/idempotency-conflict"


def test_a_failing_files_store_is_a_503(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    client, tokens = api

    class Broken:
        where = "a broken store"

        def put(self, data: bytes) -> str:
            raise StoreError("the files store (/secret/place) could not write")

    monkeypatch.setattr("citations.attachments.service.open_store", Broken)
    answer = send_raw(client, tokens["officer"], picture("JPEG"))
    body = problem(answer, 503)
    assert body["type"] == "/problems/files-store-unavailable"
    assert "/secret/place" not in body["detail"]


def test_a_role_that_may_not_attach_is_refused_before_the_body_is_read(api: Api) -> None:
    client, tokens = api
    answer = send_raw(client, tokens["auditor"], picture("JPEG"))
    assert problem(answer, 403)["detail"].startswith("a auditor may not ")
