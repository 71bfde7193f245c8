"""The cited person's door: finding one's citation by number and date of birth or by the
access code, the limit on wrong tries, the session, the language, and what the page shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from citations.database import transaction
from citations.errors import NotFound
from citations.notice.kept import notice_document
from citations.public.pages import languages_with_words, wording
from citations.record.access import grouped, mint_access_code
from citations.record.lookup import find_citation
from citations.roles import cited_person
from tests.browser.desk import CLOCK, set_desk
from tests.browser.html import Page
from tests.hearing_steps import CLERK
from tests.public_steps import (
    Door,
    birth_of,
    door,
    find_citation_as_person,
    move_door_clock,
    try_to_find,
)

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]
__all__ = ["door"]  # a fixture, used by name


def _try(client: TestClient, number: str, birth: str) -> tuple[int, str]:
    answer = try_to_find(client, number, birth)
    return answer.status_code, Page(answer.text).words("main") if answer.text else ""


def test_a_person_finds_their_citation_and_sees_what_to_do(door: Door) -> None:
    client, desk, _ = door
    number = desk.numbers["issued"]
    assert client.get("/citation").status_code == 303  # nothing before the check
    find_citation_as_person(client, number.lower(), birth_of(5))
    page = Page(client.get("/citation").text)
    main = page.words("main")
    assert f"Citation {number}" in main
    assert "You owe $200.00. Pay by Thursday, December 10, 2026." in main
    assert "The citation was issued." in main
    for link in ("/pay", "/review", "/help/ability", "/help/plan", "/contact", "/notice.pdf"):
        assert link in page.links, link
    assert "Ask for a review by" in main and "Pay by" in main
    assert "Ana" not in main or "Reyes" not in main  # the page does not need the full name


def test_an_unknown_number_and_a_wrong_birth_date_get_the_same_answer(door: Door) -> None:
    client, desk, _ = door
    wrong_birth = _try(client, desk.numbers["issued"], "1990-01-01")
    unknown = _try(client, "DCPD-2026-999999-0", "1985-05-15")
    malformed = _try(client, "not a number", "1985-05-15")
    assert wrong_birth[0] == unknown[0] == malformed[0] == 200
    message = "We could not find a citation with this number and date of birth."
    assert message in wrong_birth[1] and message in unknown[1] and message in malformed[1]
    assert client.get("/citation").status_code == 303


def test_wrong_tries_hit_the_limit_then_a_wait_said_plainly(door: Door) -> None:
    client, desk, _ = door
    number = desk.numbers["issued"]
    for _ in range(5):
        assert _try(client, number, "1990-01-01")[0] == 200
    status, words = _try(client, number, birth_of(5))  # even the right one waits now
    assert status == 429
    assert "too many tries" in words and "try again after December 4, 2026, 11:00" in words
    # Another number from the same client waits too (the limit is per client address).
    assert _try(client, desk.numbers["review"], birth_of(4))[0] == 429
    # An hour after the first wrong try, the right one opens the citation.
    app = client.app
    move_door_clock(app, CLOCK + timedelta(minutes=61))  # type: ignore[arg-type]
    find_citation_as_person(client, number, birth_of(5))


def test_the_session_ends_after_idle_minutes_and_on_leaving(door: Door) -> None:
    client, desk, _ = door
    number = desk.numbers["issued"]
    token = find_citation_as_person(client, number, birth_of(5))
    app = client.app
    move_door_clock(app, CLOCK + timedelta(minutes=29))  # type: ignore[arg-type]
    assert client.get("/citation").status_code == 200  # used: the idle time starts again
    move_door_clock(app, CLOCK + timedelta(minutes=29 + 31))  # type: ignore[arg-type]
    ended = client.get("/citation")
    assert ended.status_code == 303 and ended.headers["location"] == "/?ended=1"
    assert "Your session ended" in Page(client.get("/?ended=1").text).words("main")
    move_door_clock(app, CLOCK + timedelta(hours=2))  # type: ignore[arg-type]
    token = find_citation_as_person(client, number, birth_of(5))
    copy = dict(client.cookies)
    left = client.post("/leave", data={"csrf_token": token})
    assert left.status_code == 303 and left.headers["location"] == "/?left=1"
    client.cookies.update(copy)  # a copy of the cookie kept somewhere opens nothing
    assert client.get("/citation").status_code == 303


def test_the_access_code_opens_one_citation(door: Door) -> None:
    client, desk, engine = door
    number = desk.numbers["review"]
    with transaction(engine) as session:
        citation = find_citation(session, number, CLERK)
        code = mint_access_code(session, citation, printed_on="notice", now=CLOCK)
    assert client.get("/c/0000-0000-0000-0000").status_code == 404
    missing = Page(client.get("/c/0000000000000000").text).words("main")
    assert "does not open a citation" in missing
    opened = client.get(f"/c/{grouped(code).lower()}")
    assert opened.status_code == 303 and opened.headers["location"] == "/citation"
    assert f"Citation {number}" in Page(client.get("/citation").text).words("main")
    typed = client.get("/code", params={"code": code})
    assert typed.status_code == 303


def test_pages_are_marked_not_to_be_indexed_or_cached(door: Door) -> None:
    client, desk, _ = door
    for answer in (client.get("/"), client.get("/c/0000000000000000")):
        assert answer.headers["x-robots-tag"] == "noindex, nofollow"
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert '<meta name="robots" content="noindex, nofollow">' in answer.text
    find_citation_as_person(client, desk.numbers["issued"], birth_of(5))
    notice = client.get("/notice.pdf")
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
    assert notice.headers["cache-control"] == "no-store"
    assert notice.headers["x-robots-tag"] == "noindex, nofollow"
    cookie = client.cookies.jar
    assert all(c.secure for c in cookie)


def test_the_person_reads_the_documents_sent_to_them_and_no_one_elses(door: Door) -> None:
    client, desk, engine = door
    mine, other = desk.numbers["issued"], desk.numbers["review"]
    with transaction(engine) as session:
        theirs = notice_document(session, other, CLERK, now=CLOCK).id
    find_citation_as_person(client, mine, birth_of(5))
    assert client.get("/notice.pdf").status_code == 200  # kept now, listed from now on
    page = Page(client.get("/citation").text)
    links = [link for link in page.links if link.startswith("/documents/")]
    assert len(links) == 1
    first = client.get(links[0])
    assert first.status_code == 200 and first.content == client.get(links[0]).content
    assert client.get(f"/documents/{theirs}.pdf").status_code == 404
    assert client.get("/documents/²7.pdf").status_code == 404
    with transaction(engine) as session, pytest.raises(NotFound):
        find_citation(session, other, cited_person(mine))


def test_the_page_speaks_the_persons_language_and_the_link_changes_it(door: Door) -> None:
    client, desk, _ = door
    find_citation_as_person(client, desk.numbers["on_docket"], birth_of(1))  # Maria: Spanish
    page = Page(client.get("/citation").text)
    assert "Su audiencia" in page.words("main")
    assert "/language/en?next=/citation" in page.links
    switched = client.get("/language/en", params={"next": "/citation"})
    assert switched.status_code == 303 and switched.headers["location"] == "/citation"
    english = Page(client.get("/citation").text).words("main")
    assert "Your hearing" in english and "Monday, December 14, 2026" in english
    assert client.get("/language/en", params={"next": "//evil.example/"}).headers["location"] == "/"


def test_a_form_without_its_token_is_refused(door: Door) -> None:
    client, desk, _ = door
    answer = client.post("/", data={"number": desk.numbers["issued"], "year": "1985"})
    assert answer.status_code == 403
    assert "The form could not be accepted" in Page(answer.text).words("main")


def test_every_language_has_every_key() -> None:
    languages = languages_with_words()
    assert {"en", "es"} <= set(languages)
    keys = {language: set(wording(language)) for language in languages}
    for language in languages:
        assert keys[language] == keys["en"], (
            language,
            sorted(keys["en"] ^ keys[language])[:10],
        )
