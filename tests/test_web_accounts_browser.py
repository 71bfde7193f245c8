"""Staff accounts in a real browser (Debian's chromium): a clerk locked out after five wrong
passwords is told until when; an administrator signs in with a password an administrator
set, chooses their own, finds the locked account, adds an account and resets a password, and
signs out. Every page has every control labelled, one h1, enough contrast, and axe-core finds
nothing. Screenshots go to CITATIONS_SCREENSHOTS when it is set."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from citations.database import make_engine, transaction
from citations.record.accounts import get_user
from citations.record.passwords import verify_password
from tests.browser.chromium import axe_violations, browser, check_accessible, serving, shot
from tests.browser.desk import CLOCK, desk_app, set_desk
from tests.databases import Databases
from tests.staff_steps import PASSWORD, make_user

__all__ = ["browser"]  # the fixture, used by name

pytestmark = [pytest.mark.clock(CLOCK), pytest.mark.filled_by(fill=set_desk)]


@pytest.fixture
def site(database_url: str, databases: Databases) -> Iterator[tuple[str, str]]:
    url = database_url  # on each backend, filled as the marker says
    engine = make_engine(url)
    try:
        make_user(engine)
        make_user(
            engine,
            "boss",
            name="Pat Boss",
            title="Court administrator",
            role="admin",
            must_change=True,
        )
    finally:
        engine.dispose()
    with serving(desk_app(url)) as base:
        yield base, url


def checked(page: Page, name: str) -> None:
    shot(page, name)
    check_accessible(page)
    assert axe_violations(page) == [], page.url


def log_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_lockout_then_an_administrators_round(site: tuple[str, str], browser: Browser) -> None:
    base, url = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/clerk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the clerks' pages")
    checked(page, "accounts-login")
    log_in(page, "jlee", "not my password")
    expect(page.get_by_role("alert")).to_contain_text("The username or password is not right.")
    expect(page.get_by_label("Username")).to_have_value("jlee")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    checked(page, "accounts-login-refused")
    for _ in range(4):
        log_in(page, "jlee", "not my password")
    expect(page.get_by_role("alert")).to_contain_text(
        "this account is locked until Dec 4, 2026, 10:01 AM"
    )
    log_in(page, "jlee", PASSWORD)  # the right password is refused while locked
    expect(page.get_by_role("alert")).to_contain_text("locked until")
    checked(page, "accounts-login-locked")

    # An administrator whose password was set for them chooses their own first.
    log_in(page, "boss", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    checked(page, "accounts-choose-password")
    page.get_by_label("The password you were given").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("password")
    page.get_by_label("New password again").fill("password")
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_role("alert")).to_contain_text("Use at least 12 characters")
    checked(page, "accounts-choose-password-refused")
    page.get_by_label("The password you were given").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("quiet harbour lamps")
    page.get_by_label("New password again").fill("quiet harbour lamps")
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")
    expect(page.locator(".who")).to_contain_text("Signed in as Pat Boss, Court administrator")

    # The accounts: the locked one says until when.
    page.get_by_role("link", name="Staff accounts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff accounts")
    row = page.get_by_role("row", name=re.compile("Jordan Lee"))
    expect(row).to_contain_text("Locked until")
    checked(page, "accounts-list")

    page.get_by_role("link", name="Add an account").click()
    page.get_by_role("button", name="Add the account").click()
    expect(page.get_by_role("alert")).to_contain_text("The account was not created")
    checked(page, "accounts-new-refused")
    page.get_by_label("Name", exact=True).fill("Mai Vu")
    page.get_by_label("Title").fill("Cashier")
    page.get_by_label("Username").fill("mvu")
    page.get_by_role("button", name="Add the account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The account is created")
    temporary = page.locator(".temporary-password").inner_text()
    checked(page, "accounts-temporary")

    page.get_by_role("link", name="Back to the staff accounts").click()
    page.get_by_role("button", name="Reset password of Jordan Lee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The password is reset")
    reset = page.locator(".temporary-password").inner_text()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            assert verify_password(get_user(session, "mvu").password_hash, temporary)
            jlee = get_user(session, "jlee")
            assert verify_password(jlee.password_hash, reset)
            assert jlee.locked_until is None and jlee.must_change_password
    finally:
        engine.dispose()
