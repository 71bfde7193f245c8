"""Signing in through the identity provider in a real browser (Debian's chromium): the
sign-in page's button, the provider's round trip (the stand-in of tests/oidc_stand_in.py
signs the person in at once) and the page asked for; and the page of a person the provider
knows but no group maps. Every page passes the accessibility checks (and axe-core finds
nothing). Screenshots go to CITATIONS_SCREENSHOTS when it is set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.chromium import axe_violations, browser, check_accessible, serving, shot
from tests.browser.desk import CLOCK, desk_app, set_desk
from tests.databases import Databases
from tests.oidc_stand_in import StandIn, identity_provider

__all__ = ["browser"]  # the fixture, used by name

pytestmark = pytest.mark.clock(CLOCK)


@pytest.fixture
def site(
    tmp_path: Path, databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, StandIn]]:
    url = databases.sqlite_copy(tmp_path / "browser.db", set_desk)
    with identity_provider(monkeypatch, CLOCK) as idp, serving(desk_app(url)) as base:
        yield base, idp


def checked(page: Page, name: str) -> None:
    shot(page, name)
    check_accessible(page)
    assert axe_violations(page) == [], page.url


def test_a_clerk_signs_in_through_the_provider(site: tuple[str, StandIn], browser: Browser) -> None:
    base, idp = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/clerk/contests")
    expect(page).to_have_url(f"{base}/clerk/login?next=%2Fclerk%2Fcontests")
    checked(page, "clerk-login-oidc")
    page.get_by_role("link", name="Sign in with Demo City staff account").click()
    expect(page).to_have_url(f"{base}/clerk/contests")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("body")).to_contain_text("Jordan Lee, Clerk")
    assert idp.token_requests == 1


def test_someone_no_group_maps_reads_why(site: tuple[str, StandIn], browser: Browser) -> None:
    base, idp = site
    idp.person.groups = ["parks-department"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/clerk/login")
    page.get_by_role("link", name="Sign in with Demo City staff account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    expect(page.locator("main")).to_contain_text("in none of the groups")
    checked(page, "clerk-oidc-refused")
