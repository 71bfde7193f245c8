"""The contests page as work queues (TestClient, both backends): filtered by tier, deadline
and assignee, a contest assigned from its row to someone who may take its next step (or to
oneself), and each person's own list, "Mine"."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.database import transaction
from citations.record.person import PersonRequest
from citations.record.tables import Citation
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk, sign_in, sign_in_account
from tests.browser.html import Page
from tests.queue_steps import PASSWORD, Staff, add_staff

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

Web = tuple[TestClient, Desk, str, Staff]


@pytest.fixture
def web(filled: Desk, database_url: str, engine: Engine) -> Iterator[Web]:
    staff = add_staff(engine)
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client, filled, sign_in_account(client, "jlee", PASSWORD), staff


def section(page: Page, ident: str) -> str:
    """The html of the list whose heading is `ident`, to the end of its section."""
    start = page.html.index(f'id="{ident}"')
    return page.html[start : page.html.index("</section>", start)]


def words(page: Page, ident: str) -> str:
    """The text of the list `ident`, as one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(section(page, ident))).split())


def options(page: Page, ident: str) -> list[str]:
    """The values offered by the <select> `ident`."""
    html = page.html[page.html.index(f'id="{ident}"') :]
    html = html[: html.index("</select>")]
    return [part.split('"')[1] for part in html.split("<option value=")[1:]]


def assign(
    client: TestClient, csrf: str, number: str, username: str, **view: str
) -> httpx2.Response:
    return client.post(
        f"/clerk/contests/{number}/assignee",
        data={"csrf_token": csrf, "assignee": username, **view},
    )


def test_the_queue_filters_by_tier_deadline_and_assignee(web: Web) -> None:
    client, desk, _, _ = web
    review, waiver, ready = (desk.numbers[k] for k in ("review", "waiver", "to_schedule"))
    page = Page(client.get("/clerk/contests").text)
    assert options(page, "f-tier") == ["", "review", "waiver", "deposit", "schedule", "set_aside"]
    assert options(page, "f-due") == ["", "overdue", "0", "3", "7"]
    assert options(page, "f-assignee") == ["", "unassigned", "mine", "amoss", "jlee", "pkim"]
    assert "6 days left" in words(page, "reviews") and "12 days left" in words(page, "waivers")
    only_waivers = Page(client.get("/clerk/contests?tier=waiver").text)
    assert waiver in only_waivers.words("main") and "reviews" not in only_waivers.attrs
    assert '<option value="waiver" selected>' in only_waivers.html
    within_week = Page(client.get("/clerk/contests?due=7").text)
    assert review in within_week.words("main")
    assert waiver not in within_week.words("main") and ready not in within_week.words("main")
    assert "Nothing waiting" in words(within_week, "waivers")
    overdue = Page(client.get("/clerk/contests?due=overdue").text)
    assert "Initial reviews to decide (0)" in words(overdue, "reviews")
    odd = client.get("/clerk/contests?tier=nonsense&due=-3")  # an old link: everything shown
    assert odd.status_code == 200 and review in Page(odd.text).words("main")


def test_a_clerk_assigns_from_the_row_to_someone_able(web: Web) -> None:
    client, desk, csrf, _ = web
    review, waiver = desk.numbers["review"], desk.numbers["waiver"]
    page = Page(client.get("/clerk/contests").text)
    # Only those who may take the step are offered: a hearing officer may decide reviews,
    # not waivers; the auditor and the disabled account never.
    assert options(page, f"assign-{review}") == ["", "jlee", "pkim"]
    assert options(page, f"assign-{waiver}") == ["", "jlee"]
    answer = assign(client, csrf, review, "pkim", tier="review", due="7")
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location == f"/clerk/contests?tier=review&due=7&done={review}"
    shown = Page(client.get(location).text)
    assert f"The assignment of {review} is recorded." in shown.words("main")
    assert shown.words(f"assignee-{review}") == "Pat Kim"
    assert 'value="pkim" selected' in section(shown, "reviews")
    theirs = Page(client.get("/clerk/contests?assignee=pkim").text)
    assert review in theirs.words("main") and waiver not in theirs.words("main")
    assert waiver in Page(client.get("/clerk/contests?assignee=unassigned").text).words("main")
    citation = Page(client.get(f"/clerk/citations/{review}").text)
    assert "Assigned toPat Kim (since Dec 4, 2026, 10:00 AM)" in citation.words("contest-section")
    other = Page(client.get(f"/clerk/citations/{waiver}").text)
    assert "Assigned tonobody yet" in other.words("contest-section")
    back = assign(client, csrf, review, "")  # the empty choice: back to the shared queue
    assert back.status_code == 303
    assert Page(client.get("/clerk/contests").text).words(f"assignee-{review}") == "Nobody yet"


def test_a_refused_assignee_is_said_and_a_form_needs_its_token(web: Web) -> None:
    client, desk, csrf, _ = web
    waiver = desk.numbers["waiver"]
    refused = assign(client, csrf, waiver, "pkim", tier="waiver")
    assert refused.status_code == 422
    page = Page(refused.text)
    assert "Pat Kim is a hearing officer, who may not decide waiver" in page.words("main")
    assert "reviews" not in page.attrs  # the view it came from is kept
    forged = assign(client, "not-the-token", waiver, "jlee")
    assert forged.status_code == 403
    assert Page(client.get("/clerk/contests").text).words(f"assignee-{waiver}") == "Nobody yet"


def test_mine_is_the_signed_in_persons_own_list(web: Web) -> None:
    client, desk, csrf, _ = web
    waiver = desk.numbers["waiver"]
    page = Page(client.get("/clerk/contests").text)
    assert "/clerk/contests?assignee=mine" in page.links  # the navigation's "Mine"
    mine = Page(client.get("/clerk/contests?assignee=mine").text)
    assert mine.words("main").startswith("My work")
    assert waiver not in mine.words("main")
    assert 'aria-current="page">Mine' in mine.html
    # "Assign to me": the form carries the person's own username.
    assert 'name="assignee" value="jlee"' in section(page, "waivers")
    answer = assign(client, csrf, waiver, "jlee", view_assignee="mine")
    assert answer.headers["location"] == f"/clerk/contests?assignee=mine&done={waiver}"
    mine = Page(client.get("/clerk/contests?assignee=mine").text)
    assert waiver in mine.words("main")
    assert desk.numbers["review"] not in mine.words("main")
    assert mine.words(f"assignee-{waiver}") == "Jordan Lee"
    assert "Assign to me" not in section(mine, "waivers")  # it is theirs already


def app_of(client: TestClient) -> FastAPI:
    app = client.app
    assert isinstance(app, FastAPI)
    return app


def test_a_token_has_no_mine_and_a_hearing_officer_assigns_nothing(web: Web) -> None:
    client, desk, _, _ = web
    sign_in(client, desk.tokens["clerk"])  # the token's holder acts: no account
    page = Page(client.get("/clerk/contests").text)
    assert "/clerk/contests?assignee=mine" not in page.links
    assert "mine" not in options(page, "f-assignee")
    assert "Assign to me" not in page.html and "Assign" in words(page, "reviews")
    asked = client.get("/clerk/contests?assignee=mine")
    assert asked.status_code == 422
    assert "only a person signed in with their own account" in Page(asked.text).words("main")
    sign_in_account(client, "pkim", PASSWORD)  # a hearing officer's own account
    officer = Page(client.get("/clerk/contests").text)
    assert f"assign-{desk.numbers['review']}" not in officer.attrs  # may not assign work


def test_a_set_aside_request_is_assigned_from_its_row(web: Web, engine: Engine) -> None:
    client, desk, csrf, _ = web
    issued = desk.numbers["issued"]
    with transaction(engine) as session:
        citation = session.scalars(select(Citation).where(Citation.number == issued)).one()
        session.add(
            PersonRequest(
                citation_id=citation.id,
                kind="set_aside",
                received_at=CLOCK,
                statement="I was in hospital.",
                details={"deadline": "2026-12-09"},
                status="waiting",
            )
        )
    page = Page(client.get("/clerk/contests?tier=set_aside").text)
    assert "5 days left" in words(page, "set-asides")
    assert options(page, f"assign-{issued}") == ["", "jlee", "pkim"]  # who may answer it
    assert assign(client, csrf, issued, "pkim", tier="set_aside").status_code == 303
    page = Page(client.get("/clerk/contests?assignee=pkim").text)
    assert page.words(f"assignee-{issued}") == "Pat Kim"
