"""The search box in every page's header, its results, and the citations list with its
filters, sorts and pages (`/clerk/search`, `/clerk/citations`); on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.desk import CLOCK, desk_app, sign_in
from tests.browser.html import Page
from tests.search_steps import SearchDesk, search_desk

pytestmark = [pytest.mark.filled_by(fill=search_desk), pytest.mark.clock(CLOCK)]

Web = tuple[TestClient, SearchDesk]


@pytest.fixture
def web(filled: SearchDesk, database_url: str) -> Iterator[Web]:
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        sign_in(client, filled.tokens["clerk"])
        yield client, filled


def test_every_page_has_the_search_box_and_the_list_in_its_navigation(web: Web) -> None:
    client, _ = web
    page = Page(client.get("/clerk/contests").text)
    assert page.attrs["search-q"]["name"] == "q"
    assert "/clerk/citations" in page.links
    assert "search-number" not in page.attrs


def test_a_name_lists_the_people_with_their_other_citations(web: Web) -> None:
    client, desk = web
    answer = client.get("/clerk/search", params={"q": "lopez"})
    assert answer.status_code == 200
    page = Page(answer.text)
    main = page.words("main")
    assert "4 found for “lopez”" in main  # Ana López is another agency's: a clerk sees her
    for number in (desk.town.maria, desk.town.maria_again, desk.town.maria_unaccented):
        assert f"/clerk/citations/{number}" in page.links
    assert "María López" in main and "Apr 2, 1990" in main and "Issued" in main
    assert "$" in main and "name" in main
    assert page.attrs["f-q"]["value"] == "lopez"
    assert page.attrs["search-q"]["value"] == "lopez"


def test_a_whole_number_opens_the_citation_and_the_old_find_still_works(web: Web) -> None:
    client, desk = web
    number = desk.town.john
    answer = client.get("/clerk/search", params={"q": f" {number.lower()} "})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/clerk/citations/{number}"
    old = client.get("/clerk/find", params={"number": number})
    assert old.status_code == 303
    assert old.headers["location"] == f"/clerk/search?q={number}"
    assert client.get(old.headers["location"]).headers["location"] == f"/clerk/citations/{number}"


def test_a_mistyped_number_says_why_and_nothing_found_says_so(web: Web) -> None:
    client, desk = web
    number = desk.town.john
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    page = Page(client.get("/clerk/search", params={"q": typo}).text)
    assert "check digit does not match" in page.words("search-note")
    assert f"Nothing found for “{typo}”" in page.words("main")
    page = Page(client.get("/clerk/search", params={"q": "zzyzx"}).text)
    assert "Nothing found for “zzyzx”" in page.words("main")


def test_too_short_a_search_is_an_error_next_to_the_box(web: Web) -> None:
    client, _ = web
    answer = client.get("/clerk/search", params={"q": "a"})
    assert answer.status_code == 422
    page = Page(answer.text)
    assert "type at least 2 letters or digits" in page.words("f-q-error-1")
    assert page.attrs["f-q"]["aria-invalid"] == "true"
    empty = client.get("/clerk/search")
    assert empty.status_code == 200 and "f-q-error-1" not in Page(empty.text).attrs


def test_the_list_filters_sorts_and_keeps_the_filters_in_its_links(web: Web) -> None:
    client, desk = web
    page = Page(client.get("/clerk/citations").text)
    assert page.words("list-heading") == "5 citations"
    answer = client.get(
        "/clerk/citations", params={"agency": "DCPD", "area": "Central", "sort": "name"}
    )
    page = Page(answer.text)
    assert page.words("list-heading") == "3 citations"
    assert page.attrs["f-area"]["value"] == "Central"
    rows = [n for n in page.links if n.startswith("/clerk/citations/")]
    town = desk.town
    assert rows == [
        f"/clerk/citations/{n}" for n in (town.maria, town.maria_again, town.maria_unaccented)
    ]
    # The name heading sorts the other way next, keeping the filters.
    assert "/clerk/citations?agency=DCPD&area=Central&sort=-name&page=1" in page.links
    assert 'aria-sort="ascending"' in answer.text


def test_bad_filters_are_shown_next_to_their_fields(web: Web) -> None:
    client, _ = web
    answer = client.get(
        "/clerk/citations",
        params={"issued_from": "2026-13-01", "balance_min": "lots", "sort": "colour"},
    )
    assert answer.status_code == 422
    page = Page(answer.text)
    assert "a date written 2026-11-20" in page.words("f-issued_from-error-1")
    assert "an amount of 0 or more" in page.words("f-balance_min-error-1")
    assert "sort by one of" in page.words("main")
    assert page.attrs["f-balance_min"]["value"] == "lots"


def test_pages_link_to_each_other(web: Web) -> None:
    client, _ = web
    page = Page(client.get("/clerk/citations", params={"size": "25"}).text)
    assert "Next page" not in page.words("main")
    answer = client.get("/clerk/citations", params={"page": "3"})
    page = Page(answer.text)
    assert "No citation on this page." in page.words("main")
    assert "/clerk/citations?page=2" in page.links
