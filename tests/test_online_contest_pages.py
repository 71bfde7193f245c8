"""The contest pages as a person uses them (review with photos, hearing, moving it, reopening a
missed hearing, their own files) and what the clerks' pages then show (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, select

from citations.attachments.service import keep_cleaned
from citations.attachments.tables import Attachment
from citations.database import transaction
from citations.hearings.scheduling import record_no_show
from citations.hearings.tables import Contest
from citations.record.lookup import find_citation
from citations.record.person import PersonRequest
from citations.roles import OPERATOR, cited_person
from tests.browser.desk import CLOCK, HEARING_TIME, set_desk, sign_in
from tests.browser.html import Page
from tests.hearing_steps import CLERK, issue_one, officer_with_session, to_review_upheld
from tests.public_steps import (
    Door,
    birth_of,
    door,
    find_citation_as_person,
    move_door_clock,
)
from tests.test_online_files import gps_jpeg, picture
from tests.test_online_payments import PROVIDER
from tests.test_online_payments_pages import press, use_provider

__all__ = ["door"]  # a fixture, used by name

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

JPEG = "image/jpeg"


def status(engine: Engine, number: str) -> str:
    with transaction(engine) as session:
        return find_citation(session, number, OPERATOR).status


def post_review(
    client: TestClient, csrf: str, statement: str, files: list[tuple[str, bytes, str]]
) -> tuple[int, str]:
    answer = client.post(
        "/review",
        data={"csrf_token": csrf, "statement": statement},
        files=[("files", f) for f in files] or [("files", ("", b"", "application/octet-stream"))],
    )
    return answer.status_code, answer.headers.get("location", "") or answer.text


def test_a_person_asks_for_a_review_with_photos_and_the_clerk_sees_them(door: Door) -> None:
    client, desk, engine = door
    number = desk.numbers["issued"]
    csrf = find_citation_as_person(client, number, birth_of(5))
    form = Page(client.get("/review").text)
    assert "Ask by Thursday, December 10, 2026." in form.words("main")
    assert 'enctype="multipart/form-data"' in form.html
    sent = post_review(
        client,
        csrf,
        "The sign was hidden by a tree.",
        [("IMG_2291.JPG", gps_jpeg(), JPEG), ("sign.jpg", picture("PNG"), JPEG)],
    )
    assert sent == (303, "/review?sent=1")
    assert status(engine, number) == "in_review"
    page = Page(client.get("/review?sent=1").text)
    main = page.words("main")
    assert "We received your request for a review." in main
    assert "The sign was hidden by a tree." in main and "sign.png" in main
    with transaction(engine) as session:
        ids = session.scalars(select(Attachment.key).order_by(Attachment.id)).all()
    assert [f"/files/{i}" for i in ids] == [link for link in page.links if "/files/" in link]
    photo = client.get(f"/files/{ids[0]}")
    assert photo.status_code == 200 and photo.headers["content-type"] == JPEG
    assert photo.headers["cache-control"] == "no-store"
    assert photo.headers["content-disposition"] == f'inline; filename="{ids[0]}-IMG_2291.JPG"'
    assert dict(Image.open(BytesIO(photo.content)).getexif()) == {}  # no place, no phone
    assert client.get(f"/files/{ids[1]}").headers["content-type"] == "image/png"

    sign_in(client, desk.tokens["clerk"])
    queue = Page(client.get("/clerk/contests").text)
    reviews = queue.html[queue.html.index('id="reviews"') : queue.html.index('id="waivers"')]
    assert "online" in reviews and "2 files" in reviews
    clerk_page = Page(client.get(f"/clerk/citations/{number}").text)
    assert "The sign was hidden by a tree." in clerk_page.words("contest-section")
    assert f"/clerk/citations/{number}/files/{ids[0]}" in clerk_page.links
    download = client.get(f"/clerk/citations/{number}/files/{ids[0]}")
    assert download.status_code == 200 and download.content == photo.content
    other = desk.numbers["waiver"]
    assert client.get(f"/clerk/citations/{other}/files/{ids[0]}").status_code == 404


def test_another_citations_file_is_not_found(door: Door) -> None:
    client, desk, engine = door
    with transaction(engine) as session:
        theirs = find_citation(session, desk.numbers["review"], OPERATOR)
        (row,) = keep_cleaned(
            session,
            theirs,
            [("theirs.png", "image/png", picture("PNG"), "0" * 64)],
            purpose="review",
            actor=cited_person(theirs.number),
            now=CLOCK,
            added_from="the public pages",
        )
        theirs_id = row.key
    find_citation_as_person(client, desk.numbers["issued"], birth_of(5))
    assert client.get(f"/files/{theirs_id}").status_code == 404
    assert client.get("/files/att_" + "a" * 26).status_code == 404
    assert client.get("/files/abc").status_code == 404


def test_files_that_lie_are_refused_in_the_persons_language(door: Door) -> None:
    client, desk, engine = door
    number = desk.numbers["issued"]
    csrf = find_citation_as_person(client, number, birth_of(5))
    client.get("/language/es?next=/review")
    code, text = post_review(
        client,
        csrf,
        "No había letrero.",
        [("photo.jpg", b"just text", JPEG), ("setup.exe", b"MZ\x90\x00" + bytes(64), JPEG)],
    )
    main = Page(text).words("main")
    assert code == 422
    assert "photo.jpg no es un archivo JPEG, PNG, HEIC ni PDF." in main
    assert "setup.exe no es un archivo JPEG, PNG, HEIC ni PDF." in main
    assert "No había letrero." in text  # what was typed is kept
    assert status(engine, number) == "issued"
    code, text = post_review(client, csrf, "", [])
    assert code == 422 and "Diga por qué la citación está equivocada." in Page(text).words("main")


def test_a_body_larger_than_all_files_together_is_not_read(door: Door) -> None:
    client, desk, _ = door
    csrf = find_citation_as_person(client, desk.numbers["issued"], birth_of(5))
    huge = b"%PDF-1.4\n" + bytes(52 * 1024 * 1024)
    code, text = post_review(client, csrf, "Too much.", [("scan.pdf", huge, "application/pdf")])
    assert code == 413
    assert "The files together are too large." in Page(text).words("main")


def test_a_body_sent_without_its_length_is_cut_off_at_the_limit(door: Door) -> None:
    """A chunked body (no Content-Length) is read only up to the limit, then refused."""
    client, desk, engine = door
    number = desk.numbers["issued"]
    csrf = find_citation_as_person(client, number, birth_of(5))
    boundary = "contestboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="statement"\r\n\r\nToo much\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(60):  # 60 MiB, past the 51 MiB that 5 files of 10 MB allow
            yield bytes(1024 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = client.post(
        "/review",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert answer.status_code == 413
    assert "The files together are too large." in Page(answer.text).words("main")
    assert status(engine, number) == "issued"


def test_a_late_review_says_the_last_day_and_has_no_form(door: Door) -> None:
    client, desk, _ = door
    move_door_clock(client.app, datetime(2026, 12, 11, 18, 0, tzinfo=UTC))  # type: ignore[arg-type]
    find_citation_as_person(client, desk.numbers["issued"], birth_of(5))
    page = Page(client.get("/review").text)
    assert "The last day to ask for a review was Thursday, December 10, 2026." in page.words("main")
    assert "(555) 010-2400" in page.words("main") and 'name="statement"' not in page.html


def test_a_hearing_with_the_waiver_and_the_deposit_path(door: Door) -> None:
    client, _, engine = door
    number = issue_one(engine, date_of_birth="1988-08-18", preferred_language="en")
    to_review_upheld(engine, number)
    csrf = find_citation_as_person(client, number, "1988-08-18")
    form = Page(client.get("/hearing").text)
    assert "Ask by Wednesday, December 16, 2026." in form.words("main")
    assert "Vietnamese" in form.html and "American Sign Language" in form.html
    base = {"csrf_token": csrf, "hearing_mode": "in_person", "interpreter_language": "vi"}
    refused = client.post("/hearing", data=base | {"path": "waiver", "declaration": "x"})
    main = Page(refused.text).words("main")
    assert refused.status_code == 422
    assert "Tick the box to declare that what you wrote is true." in main
    assert "Say in a few sentences why you cannot pay the deposit." in main
    off = client.post("/hearing", data=base | {"path": "deposit"})
    assert off.status_code == 422 and "Paying online is not available." in Page(off.text).words(
        "main"
    )
    waiver = {
        "path": "waiver",
        "declaration": "I receive CalFresh and have no savings at all.",
        "sworn": "yes",
        "accommodation": "A room I can reach in a wheelchair",
    }
    asked = client.post("/hearing", data=base | waiver)
    assert (asked.status_code, asked.headers["location"]) == (303, "/hearing?sent=1")
    assert status(engine, number) == "hearing_requested"
    page = Page(client.get("/hearing?sent=1").text).words("main")
    assert "We received your request for a hearing." in page
    assert "Vietnamese" in page and "A room I can reach in a wheelchair" in page
    assert "hardship waiver asked, waiting for the office" in page


def test_a_hearing_moves_once_then_the_office_must_move_it(door: Door) -> None:
    client, desk, engine = door
    number = desk.numbers["on_docket"]
    officer_with_session(engine, "Judge Later", date(2026, 12, 16))
    csrf = find_citation_as_person(client, number, birth_of(1))
    client.get("/language/en?next=/hearing/move")
    form = Page(client.get("/hearing/move").text).words("main")
    assert "Your hearing is on Monday, December 14, 2026." in form
    assert "until Saturday, December 12, 2026" in form
    moved = client.post("/hearing/move", data={"csrf_token": csrf, "reason": "A shift at work."})
    assert (moved.status_code, moved.headers["location"]) == (303, "/hearing/move?moved=1")
    page = Page(client.get("/hearing/move?moved=1").text).words("main")
    assert "Your hearing was moved to Wednesday, December 16, 2026." in page
    again = client.post("/hearing/move", data={"csrf_token": csrf, "reason": "Again, sorry."})
    assert again.status_code == 422
    assert (
        "Your hearing was already moved online. To move it again, call the office at "
        "(555) 010-2400." in Page(again.text).words("main")
    )


def test_a_missed_hearing_reopened_on_request_and_granted_by_the_clerk(door: Door) -> None:
    client, desk, engine = door
    number = desk.numbers["on_docket"]
    with transaction(engine) as session:
        record_no_show(session, number, actor=CLERK, now=HEARING_TIME.replace(hour=20))
    move_door_clock(client.app, datetime(2026, 12, 15, 18, 0, tzinfo=UTC))  # type: ignore[arg-type]
    csrf = find_citation_as_person(client, number, birth_of(1))
    client.get("/language/en?next=/set-aside")
    assert "Ask by" in Page(client.get("/set-aside").text).words("main")
    asked = client.post(
        "/set-aside",
        data={"csrf_token": csrf, "reason": "I was in the hospital that morning."},
        files=[("files", ("note.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))],
    )
    assert (asked.status_code, asked.headers["location"]) == (303, "/set-aside?sent=1")
    page = Page(client.get("/set-aside?sent=1").text)
    assert "waiting for the office" in page.words("main") and "note.pdf" in page.words("main")

    clerk_csrf = sign_in(client, desk.tokens["clerk"])
    queue = Page(client.get("/clerk/contests").text)
    assert number in queue.html[queue.html.index('id="set-asides"') :]
    with transaction(engine) as session:
        request_id = session.scalars(select(PersonRequest.id)).one()
    clerk_page = Page(client.get(f"/clerk/citations/{number}").text)
    online = clerk_page.words("online-section")
    assert "I was in the hospital that morning." in online and "note.pdf" in online
    action = f"/clerk/citations/{number}/set-aside-requests/{request_id}"
    empty = client.post(action, data={"csrf_token": clerk_csrf, "decision": "grant"})
    assert empty.status_code == 422
    granted = client.post(
        action,
        data={"csrf_token": clerk_csrf, "decision": "grant", "answer": "Hospital record seen."},
    )
    assert granted.status_code == 303
    assert status(engine, number) == "hearing_requested"


def test_a_hearing_asked_by_paying_the_deposit_online(door: Door) -> None:
    """The deposit path: the test provider's page, then the hearing is requested with the
    person's choices once the payment posts."""
    client, _, engine = door
    use_provider(client, PROVIDER)
    number = issue_one(engine, date_of_birth="1988-08-18", preferred_language="en")
    to_review_upheld(engine, number)
    csrf = find_citation_as_person(client, number, "1988-08-18")
    form = client.get("/hearing")
    assert "Pay the deposit of $200.00 now, by card" in Page(form.text).words("main")
    asked = client.post(
        "/hearing",
        data={
            "csrf_token": csrf,
            "hearing_mode": "in_person",
            "interpreter_language": "ase",
            "accommodation": "Ramp",
            "path": "deposit",
        },
    )
    assert asked.status_code == 303, Page(asked.text).words("main")
    stand_in = asked.headers["location"].removeprefix("https://testserver")
    assert stand_in.startswith("/pay/test-provider/")
    press(client, stand_in, "approve")
    assert status(engine, number) == "hearing_requested"
    with transaction(engine) as session:
        contest = session.scalars(
            select(Contest).where(
                Contest.citation_id == find_citation(session, number, OPERATOR).id
            )
        ).one()
        assert (contest.hearing_mode, contest.interpreter_language, contest.accommodation) == (
            "in_person",
            "ase",
            "Ramp",
        )
        assert contest.deposit_status == "paid"
