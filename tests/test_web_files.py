"""A citation's files on the clerks' pages and on the person's page (both backends): the
list with hash, who, when and from where; adding a file from the pages and its refusals
next to the field; withdrawing with a reason; who may; and what the person sees."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, select

from citations.attachments.tables import Attachment
from citations.audit import history
from citations.database import make_engine, transaction
from citations.record.tables import Citation
from citations.settings import get_settings
from tests.browser.desk import CLOCK, Desk, set_desk, sign_in
from tests.browser.html import Page
from tests.evidence_steps import Evidence, evidence_photo, put_evidence, scanned_letter
from tests.public_steps import birth_of, door_client, find_citation_as_person
from tests.test_online_files import picture

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

JPEG, PDF = "image/jpeg", "application/pdf"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def clerk(filled: Desk, database_url: str) -> Iterator[tuple[TestClient, str]]:
    """A clerk signed in (with the token), and the session's form token."""
    with door_client(database_url) as client:
        yield client, sign_in(client, filled.tokens["clerk"])


def add(
    client: TestClient,
    csrf: str,
    number: str,
    file: tuple[str, bytes, str] | None,
    **fields: str,
) -> tuple[int, str]:
    values = {"csrf_token": csrf, "source": "person", "purpose": "mail", **fields}
    answer = client.post(
        f"/clerk/files?citation={number}",
        data=values,
        files=[("file", file or ("", b"", "application/octet-stream"))],
    )
    return answer.status_code, answer.headers.get("location", "") or answer.text


def rows_on(engine: Engine, number: str) -> list[Attachment]:
    with transaction(engine) as session:
        found = list(
            session.scalars(
                select(Attachment)
                .join(Citation, Citation.id == Attachment.citation_id)
                .where(Citation.number == number)
                .order_by(Attachment.id)
            )
        )
        session.expunge_all()
        return found


def test_a_clerk_adds_a_letter_and_sees_it_listed_with_its_hash_and_who_added_it(
    clerk: tuple[TestClient, str], filled: Desk, engine: Engine
) -> None:
    client, csrf = clerk
    number = filled.numbers["issued"]
    letter = scanned_letter()
    code, where = add(
        client,
        csrf,
        number,
        ("letter-dec-3.pdf", letter, PDF),
        description="Letter from the person, received by mail on Dec 3",
    )
    assert code == 303, where
    assert where == f"/clerk/citations/{number}?done=file-added#files-section"
    page = Page(client.get(where.split("#")[0]).text)
    section = page.words("files-section")
    assert "The file is added to the record" in section
    assert "letter-dec-3.pdf" in section
    assert "The person's · Came by mail · PDF" in section
    assert "Letter from the person, received by mail on Dec 3" in section
    assert "token 1 (clerk desk), from clerks' pages testclient" in section
    sha = hashlib.sha256(letter).hexdigest()
    assert sha[:12] in section and sha in section  # shortened, and the whole one
    (row,) = [r for r in rows_on(engine, number) if r.sha256 == sha]
    assert (row.source, row.purpose, row.added_by) == ("person", "mail", "token 1 (clerk desk)")
    opened = client.get(f"/clerk/citations/{number}/files/{row.key}")
    assert opened.content == letter
    assert opened.headers["cache-control"] == "no-store"
    assert opened.headers["content-disposition"].startswith("attachment;")
    with transaction(engine) as session:
        actions = [e.action for e in history(session, "citation", number)]
    assert "attachment.added" in actions


@pytest.mark.parametrize(
    ("file", "fields", "field", "message"),
    [
        (("notes.txt", b"just words\n", "text/plain"), {}, "file", "notes.txt is not a JPEG"),
        (None, {}, "file", "choose the file to add"),
        (("a.pdf", scanned_letter(), PDF), {"source": "officer"}, "source", "choose whose"),
        (("a.pdf", scanned_letter(), PDF), {"purpose": "bribe"}, "purpose", "choose what"),
        (
            ("broken.jpg", b"\xff\xd8\xff\xe0" + bytes(40), JPEG),
            {},
            "file",
            "broken.jpg is damaged",
        ),
    ],
)
def test_a_refused_file_is_said_next_to_its_field_and_nothing_is_added(
    clerk: tuple[TestClient, str],
    filled: Desk,
    engine: Engine,
    file: tuple[str, bytes, str] | None,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    client, csrf = clerk
    number = filled.numbers["issued"]
    code, html = add(client, csrf, number, file, description="kept as typed", **fields)
    assert code == 422
    page = Page(html)
    assert message in page.words(f"f-{field}-error-1")
    assert page.attrs["f-description"]["tag"] == "textarea"
    assert "kept as typed" in page.words("f-description")
    assert rows_on(engine, number) == []


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    clerk: tuple[TestClient, str],
    filled: Desk,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CITATIONS_FILE_MAX_MEGABYTES", "1")
    get_settings.cache_clear()
    try:
        client, csrf = clerk
        number = filled.numbers["issued"]
        big = scanned_letter() + b"%" * (2 * 1024 * 1024)  # a 2 MB PDF, past 1 MB + the form
        code, html = add(client, csrf, number, ("scan.pdf", big, PDF))
        assert code == 413
        assert "larger than the limit of 1 MB" in Page(html).words("f-file-error-1")
        just_over = scanned_letter() + b"%" * (1024 * 1024)  # under the body's cap, over 1 MB
        code, html = add(client, csrf, number, ("scan.pdf", just_over, PDF))
        assert code == 422
        assert "the limit is 1 MB" in Page(html).words("f-file-error-1")
        assert rows_on(engine, number) == []
    finally:
        get_settings.cache_clear()


def test_a_form_without_the_session_token_adds_nothing(
    clerk: tuple[TestClient, str], filled: Desk, engine: Engine
) -> None:
    client, _ = clerk
    number = filled.numbers["issued"]
    code, html = add(client, "forged", number, ("a.pdf", scanned_letter(), PDF))
    assert code == 403
    assert "form token" in html
    assert rows_on(engine, number) == []


def test_the_list_shows_every_file_awaited_and_withdrawn_with_the_photos_details(
    clerk: tuple[TestClient, str], filled: Desk, engine: Engine
) -> None:
    client, _ = clerk
    number = filled.numbers["issued"]
    evidence = put_evidence(engine, number)
    page = Page(client.get(f"/clerk/citations/{number}").text)
    photo = page.words(f"file-{evidence.photo}")
    assert "IMG_0412.jpg" in photo
    assert "The officer's · Evidence · JPEG picture" in photo
    assert "Nov 20, 2026, 9:58 AM Place" in photo  # when, in the officer's offset
    assert "34.052000, -118.234444 (latitude, longitude)" in photo
    assert "Apple iPhone 15" in photo
    assert "officer Alvarez, from API 10.0.0.7" in photo
    wrong = page.words(f"file-{evidence.withdrawn}")
    assert "withdrawn" in wrong and "A photo of another car" in wrong
    assert f"/clerk/citations/{number}/files/{evidence.withdrawn}/withdraw" not in page.links
    assert f"/clerk/citations/{number}/files/{evidence.photo}/withdraw" in page.links
    awaited = page.words("files-section")
    assert "Awaited from the officer's device" in awaited
    assert evidence.awaited_sha in awaited
    assert "The city's · Community service hours · PDF" in page.words(f"file-{evidence.city}")
    # The original keeps where it was taken; the shown copy and the thumbnail do not.
    base = f"/clerk/citations/{number}/files/{evidence.photo}"
    original = client.get(base)
    shown = client.get(f"{base}?copy=shown")
    small = client.get(f"{base}/thumbnail")
    assert original.content == evidence_photo()
    for answer in (shown, small):
        assert answer.status_code == 200
        assert answer.headers["content-type"] == JPEG
        assert answer.headers["cache-control"] == "no-store"
        assert not Image.open(BytesIO(answer.content)).getexif()
    assert max(Image.open(BytesIO(small.content)).size) <= 240
    assert (
        client.get(f"/clerk/citations/{number}/files/{evidence.city}/thumbnail").status_code == 404
    )


def test_another_citations_file_is_not_found_under_this_one(
    clerk: tuple[TestClient, str], filled: Desk, engine: Engine
) -> None:
    client, csrf = clerk
    number, other = filled.numbers["issued"], filled.numbers["to_schedule"]
    evidence = put_evidence(engine, number)
    for tail in ("", "?copy=shown", "/thumbnail", "/withdraw"):
        answer = client.get(f"/clerk/citations/{other}/files/{evidence.photo}{tail}")
        assert answer.status_code == 404, tail
    answer = client.post(
        f"/clerk/citations/{other}/files/{evidence.photo}/withdraw",
        data={"csrf_token": csrf, "reason": "wrong citation"},
    )
    assert answer.status_code == 404
    assert client.get(f"/clerk/citations/{number}/files/att_{'a' * 26}").status_code == 404
    (row,) = [r for r in rows_on(engine, number) if r.key == evidence.photo]
    assert row.withdrawn_at is None


def test_withdrawing_needs_a_reason_and_keeps_the_file(
    clerk: tuple[TestClient, str], filled: Desk, engine: Engine
) -> None:
    client, csrf = clerk
    number = filled.numbers["issued"]
    evidence = put_evidence(engine, number)
    address = f"/clerk/citations/{number}/files/{evidence.photo}/withdraw"
    form = Page(client.get(address).text)
    assert "IMG_0412.jpg" in form.words("withdrawn-file")
    refused = client.post(address, data={"csrf_token": csrf, "reason": "   "})
    assert refused.status_code == 422
    assert "say why the file is withdrawn" in Page(refused.text).words("f-reason-error-1")
    done = client.post(address, data={"csrf_token": csrf, "reason": "Taken at another address"})
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"?done=file-withdrawn#file-{evidence.photo}")
    page = Page(client.get(done.headers["location"].split("#")[0]).text)
    assert "The file is withdrawn" in page.words("files-section")
    line = page.words(f"file-{evidence.photo}")
    assert "withdrawn" in line and "(clerk desk): Taken at another address" in line
    # Kept: staff still open it; a second withdrawal is refused, saying when it was.
    assert client.get(f"/clerk/citations/{number}/files/{evidence.photo}").status_code == 200
    again = client.post(address, data={"csrf_token": csrf, "reason": "again"})
    assert again.status_code == 422
    assert "already withdrawn" in Page(again.text).words("f-reason-error-1") or (
        "already withdrawn" in again.text
    )


def test_a_hearing_officer_sees_the_files_but_no_form_to_change_them(
    filled: Desk, database_url: str, engine: Engine
) -> None:
    number = filled.numbers["issued"]
    evidence = put_evidence(engine, number)
    with door_client(database_url) as client:
        sign_in(client, filled.tokens["hearing_officer"])
        page = Page(client.get(f"/clerk/citations/{number}").text)
        assert "IMG_0412.jpg" in page.words("files-section")
        assert f"/clerk/citations/{number}/add-file" not in page.links
        assert not [link for link in page.links if link.endswith("/withdraw")]
        assert client.get(f"/clerk/citations/{number}/add-file").status_code == 403
        base = f"/clerk/citations/{number}/files/{evidence.photo}"
        assert client.get(f"{base}/withdraw").status_code == 403
        assert client.get(f"{base}?copy=shown").status_code == 200


def test_the_person_sees_the_officers_evidence_and_their_own_files_but_not_the_citys(
    filled: Desk, database_url: str, engine: Engine
) -> None:
    number = filled.numbers["issued"]
    evidence: Evidence = put_evidence(engine, number)
    with door_client(database_url) as client:
        find_citation_as_person(client, number, birth_of(5))
        page = Page(client.get("/citation").text)
        section = page.words("files")
        assert "From the officer" in section and "Your files" in section
        assert f"/files/{evidence.photo}" in page.links
        assert f"/files/{evidence.own}" in page.links
        assert "IMG_0412.jpg" in section and "my-photo.jpg" in section
        assert "hours.pdf" not in page.html and evidence.city not in page.html
        wrong = page.words(f"file-{evidence.withdrawn}")
        assert "Withdrawn" in wrong and "A photo of another car" in wrong
        assert f"/files/{evidence.withdrawn}" not in page.links
        photo = client.get(f"/files/{evidence.photo}")
        assert photo.status_code == 200 and photo.headers["content-type"] == JPEG
        assert not Image.open(BytesIO(photo.content)).getexif()  # the shown copy
        assert client.get(f"/files/{evidence.photo}/thumbnail").status_code == 200
        for hidden in (evidence.withdrawn, evidence.city):
            assert client.get(f"/files/{hidden}").status_code == 404
            assert client.get(f"/files/{hidden}/thumbnail").status_code == 404
        client.get("/language/es?next=/citation")
        spanish = Page(client.get("/citation").text).words("files")
        assert "Del agente" in spanish and "Retirado del expediente" in spanish


def test_another_person_sees_none_of_these_files(
    filled: Desk, database_url: str, engine: Engine
) -> None:
    evidence = put_evidence(engine, filled.numbers["issued"])
    with door_client(database_url) as client:
        find_citation_as_person(client, filled.numbers["to_schedule"], birth_of(2))
        assert "files-title" not in client.get("/citation").text
        for key in (evidence.photo, evidence.own):
            assert client.get(f"/files/{key}").status_code == 404
            assert client.get(f"/files/{key}/thumbnail").status_code == 404


def test_a_png_picture_added_by_a_clerk_has_a_thumbnail(
    clerk: tuple[TestClient, str], filled: Desk, engine: Engine
) -> None:
    client, csrf = clerk
    number = filled.numbers["issued"]
    code, _ = add(
        client,
        csrf,
        number,
        ("hours.png", picture("PNG", (900, 300)), "image/png"),
        source="city",
        purpose="service_hours",
    )
    assert code == 303
    (row,) = rows_on(engine, number)
    small = client.get(f"/clerk/citations/{number}/files/{row.key}/thumbnail")
    assert Image.open(BytesIO(small.content)).size == (240, 80)
