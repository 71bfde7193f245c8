"""The search and the list over the API (`GET /v1/citations/search`, `GET /v1/citations`)
and at the command line (`citations find`): the library's answers, its errors as
problem+json or a command's message; on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tests.browser.desk import desk_app
from tests.cli_steps import run
from tests.search_steps import SearchDesk, search_desk

pytestmark = pytest.mark.filled_by(fill=search_desk)

Api = tuple[TestClient, SearchDesk]


@pytest.fixture
def api(filled: SearchDesk, database_url: str) -> Iterator[Api]:
    with TestClient(desk_app(database_url), raise_server_exceptions=False) as client:
        yield client, filled


def bearer(desk: SearchDesk, role: str = "clerk") -> dict[str, str]:
    return {"Authorization": f"Bearer {desk.tokens[role]}"}


def test_the_api_search_finds_by_name_with_the_others(api: Api) -> None:
    client, desk = api
    answer = client.get("/v1/citations/search", params={"q": "López, María"}, headers=bearer(desk))
    assert answer.status_code == 200
    body = answer.json()
    assert body["exact"] is None and body["more"] is False
    found = {hit["number"]: hit for hit in body["hits"]}
    assert set(found) == {desk.town.maria, desk.town.maria_again, desk.town.maria_unaccented}
    first = found[desk.town.maria]
    assert first["name"] == "María López" and first["date_of_birth"] == "1990-04-02"
    assert first["matched"] == ["name"] and first["status"] == "issued"
    assert first["balance"] == "200.00"
    assert {o["number"] for o in first["others"]} == {
        desk.town.maria_again,
        desk.town.maria_unaccented,
    }
    exact = client.get("/v1/citations/search", params={"q": desk.town.john}, headers=bearer(desk))
    assert exact.json()["exact"] == desk.town.john


def test_the_api_keeps_officers_to_their_agency(api: Api) -> None:
    client, desk = api
    mine = client.get(
        "/v1/citations/search", params={"q": "lopez"}, headers=bearer(desk, "officer")
    )
    assert desk.town.ana not in {hit["number"] for hit in mine.json()["hits"]}
    theirs = client.get(
        "/v1/citations/search", params={"q": "lopez"}, headers=bearer(desk, "othr_officer")
    )
    assert [hit["number"] for hit in theirs.json()["hits"]] == [desk.town.ana]
    listed = client.get("/v1/citations", headers=bearer(desk, "othr_officer")).json()
    assert (listed["total"], [r["number"] for r in listed["rows"]]) == (1, [desk.town.ana])


def test_the_api_refuses_a_short_search_as_a_problem(api: Api) -> None:
    client, desk = api
    answer = client.get("/v1/citations/search", params={"q": "x"}, headers=bearer(desk))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["field"] == "q"
    assert client.get("/v1/citations/search", params={"q": "lopez"}).status_code == 401


def test_the_api_lists_with_filters_sort_and_pages(api: Api) -> None:
    client, desk = api
    answer = client.get(
        "/v1/citations",
        params=[("status", "issued"), ("agency", "DCPD"), ("sort", "name"), ("size", "25")],
        headers=bearer(desk),
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 4 and body["pages"] == 1 and body["sort"] == "name"
    assert body["has_next"] is False and body["has_previous"] is False
    assert [r["number"] for r in body["rows"]] == [
        desk.town.maria,
        desk.town.maria_again,
        desk.town.maria_unaccented,
        desk.town.john,
    ]
    assert body["rows"][3]["area"] == "Westside" and body["rows"][3]["balance"] == "200.00"


def test_the_api_names_every_bad_filter(api: Api) -> None:
    client, desk = api
    answer = client.get(
        "/v1/citations",
        params={"status": "lost", "sort": "colour", "size": "30", "owing": "yes"},
        headers=bearer(desk),
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert set(errors) == {"status", "sort", "size"}
    assert errors["status"] == "a status, e.g. issued, paid, delinquent"


def test_the_command_finds_and_lists_the_others(
    runner: CliRunner, filled: SearchDesk, database_url: str
) -> None:
    shown = run(runner, "find", "lopez, maria", "--database", database_url).output
    town = filled.town
    assert f"{town.maria}  María López (born 1990-04-02)  issued  issued 2026-11-02" in shown
    assert f"    also {town.maria_again}  issued  issued 2026-11-05" in shown
    assert "[name]" in shown
    as_json = json.loads(
        run(runner, "find", "D-1234567", "--json", "--database", database_url).output
    )
    assert {h["number"] for h in as_json["hits"]} == {town.maria, town.maria_unaccented}
    none = run(runner, "find", "zzyzx", "--database", database_url).output
    assert "nothing found for 'zzyzx'" in none


def test_the_command_says_what_is_wrong_with_a_query(
    runner: CliRunner, filled: SearchDesk, database_url: str
) -> None:
    result = run(runner, "find", "x", "--database", database_url, code=1)
    assert "type at least 2 letters or digits" in result.output
