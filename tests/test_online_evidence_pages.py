"""The person's page for sending photos and papers for their hearing (`/evidence`): offered on
their citation's page while open, files and a note sent and listed, refusals in their
language, closed on the hearing day and before a hearing is asked for, and what the clerks'
page then shows (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.attachments.tables import Attachment
from citations.database import transaction
from tests.browser.desk import CLOCK, Desk, set_desk, sign_in
from tests.browser.html import Page
from tests.evidence_steps import scanned_letter
from tests.public_steps import (
    Door,
    birth_of,
    door,
    find_citation_as_person,
    move_door_clock,
)
from tests.test_online_files import gps_jpeg, picture

__all__ = ["door"]  # a fixture, used by name

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

JPEG = "image/jpeg"
PDF = "application/pdf"
NOTE = "The sign was hidden by a tree; these are from the corner."


def on_docket(client: TestClient, desk: Desk) -> str:
    """Find the citation whose hearing is on Monday 2026-12-14, in English; its form token."""
    csrf = find_citation_as_person(client, desk.numbers["on_docket"], birth_of(1))
    client.get("/language/en?next=/evidence")
    return csrf


def post(
    client: TestClient, csrf: str, note: str, files: list[tuple[str, bytes, str]]
) -> tuple[int, str]:
    answer = client.post(
        "/evidence",
        data={"csrf_token": csrf, "note": note},
        files=[("files", f) for f in files] or [("files", ("", b"", "application/octet-stream"))],
    )
    return answer.status_code, answer.headers.get("location", "") or answer.text


def kept(engine: Engine) -> list[tuple[str, str, str | None]]:
    with transaction(engine) as session:
        rows = session.scalars(select(Attachment).order_by(Attachment.id))
        return [(r.filename, r.purpose, r.description) for r in rows]


def test_the_citation_page_offers_it_while_a_hearing_waits(door: Door) -> None:
    client, desk, _ = door
    on_docket(client, desk)
    page = Page(client.get("/citation").text)
    main = page.words("main")
    assert "Send photos or papers for your hearing" in main
    assert "Last day: Sunday, December 13, 2026" in main
    assert "/evidence" in page.links
    other = door_client_for(door, desk.numbers["issued"], birth_of(5))
    assert "/evidence" not in Page(other.get("/citation").text).links


def door_client_for(door: Door, number: str, birth: str) -> TestClient:
    """The same application, as another person in another browser."""
    client, _, _ = door
    other = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    find_citation_as_person(other, number, birth)
    return other


def test_photos_and_a_paper_sent_with_a_note_reach_the_clerks(door: Door) -> None:
    client, desk, engine = door
    number = desk.numbers["on_docket"]
    csrf = on_docket(client, desk)
    form = Page(client.get("/evidence").text)
    main = form.words("main")
    assert "Send them by Sunday, December 13, 2026, the day before your hearing." in main
    assert 'enctype="multipart/form-data"' in form.html
    assert 'name="files" type="file" multiple' in form.html and 'name="note"' in form.html
    big_scan = scanned_letter() + bytes(1536 * 1024)  # past the application's 1 MiB limit
    sent = post(
        client,
        csrf,
        NOTE,
        [("IMG_2291.JPG", gps_jpeg(), JPEG), ("receipt.pdf", big_scan, PDF)],
    )
    assert sent == (303, "/evidence?sent=1")
    page = Page(client.get("/evidence?sent=1").text)
    main = page.words("main")
    assert (
        "We received your files: IMG_2291.JPG, receipt.pdf. The hearing officer will see them "
        "with your hearing papers." in main
    )
    assert "What you sent for your hearing" in main and f"Your note: {NOTE}" in main
    assert kept(engine) == [("IMG_2291.JPG", "hearing", NOTE), ("receipt.pdf", "hearing", NOTE)]
    with transaction(engine) as session:
        keys = session.scalars(select(Attachment.key).order_by(Attachment.id)).all()
    assert [f"/files/{k}" for k in keys] == [link for link in page.links if "/files/" in link]
    assert 'name="files"' in page.html  # still open: more can be sent
    citation = Page(client.get("/citation").text).words("main")
    assert "IMG_2291.JPG" in citation and "receipt.pdf" in citation

    sign_in(client, desk.tokens["clerk"])
    files = Page(client.get(f"/clerk/citations/{number}").text).words("files-section")
    assert "IMG_2291.JPG" in files and "For the hearing" in files and NOTE in files


def test_refusals_come_back_in_the_person_s_language(door: Door) -> None:
    client, desk, engine = door
    csrf = find_citation_as_person(client, desk.numbers["on_docket"], birth_of(1))
    client.get("/language/es?next=/evidence")
    assert "Envíelos a más tardar el domingo" in Page(client.get("/evidence").text).words("main")
    code, text = post(client, csrf, "Fotos del letrero.", [("photo.jpg", b"just text", JPEG)])
    main = Page(text).words("main")
    assert code == 422
    assert "photo.jpg no es un archivo JPEG, PNG, HEIC ni PDF." in main
    assert "Fotos del letrero." in text  # what was typed is kept
    code, text = post(client, csrf, "Sin archivos.", [])
    assert code == 422
    assert "Elija al menos una foto o documento para enviar." in Page(text).words("main")
    assert kept(engine) == []


def test_without_the_form_token_nothing_is_kept(door: Door) -> None:
    client, desk, engine = door
    on_docket(client, desk)
    code, _ = post(client, "forged", NOTE, [("sign.png", picture("PNG"), "image/png")])
    assert code == 403
    assert kept(engine) == []


def test_on_the_hearing_day_the_page_says_to_bring_them(door: Door) -> None:
    client, desk, engine = door
    move_door_clock(client.app, datetime(2026, 12, 14, 16, 0, tzinfo=UTC))  # type: ignore[arg-type]
    csrf = on_docket(client, desk)  # 08:00 on the hearing day in Los Angeles
    page = Page(client.get("/evidence").text)
    main = page.words("main")
    assert "Your hearing is today. Files can no longer be sent online." in main
    assert 'name="files"' not in page.html
    assert "/evidence" not in Page(client.get("/citation").text).links
    code, text = post(client, csrf, NOTE, [("sign.png", picture("PNG"), "image/png")])
    assert code == 422 and "Bring them with you to the hearing." in Page(text).words("main")
    assert kept(engine) == []


def test_a_hearing_asked_for_without_a_day_and_none_asked_for(door: Door) -> None:
    client, desk, _ = door
    find_citation_as_person(client, desk.numbers["to_schedule"], birth_of(2))
    main = Page(client.get("/evidence").text).words("main")
    assert "You can send them until the day before your hearing. We will send you its date." in (
        main
    )
    other = door_client_for(door, desk.numbers["issued"], birth_of(5))
    page = Page(other.get("/evidence").text)
    assert "can be sent here once you have asked for a hearing" in page.words("main")
    assert 'name="files"' not in page.html
