"""A citation's files in a real browser (Debian's chromium), on both backends: a clerk with
their own account adds a scanned letter (a PDF) and a photo, sees them listed with the hash
and who added them, when and from where, opens the shown copy, withdraws one with a reason
and sees it kept as withdrawn; the person then sees the officer's photo (its shown copy,
without metadata) and their own files on their page, and not the city's. Every page passes
the accessibility checks and axe-core. Screenshots go to CITATIONS_SCREENSHOTS when set."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import make_url

from citations.database import make_engine
from tests.browser.chromium import (
    PHONE,
    axe_violations,
    browser,
    check_accessible,
    check_public_page,
    find_in_browser,
    serving,
    shot,
    sign_in_with_account,
)
from tests.browser.desk import CLOCK, Desk, set_desk
from tests.databases import Databases
from tests.evidence_steps import Evidence, evidence_photo, put_evidence, scanned_letter
from tests.public_steps import birth_of, door_app
from tests.staff_steps import PASSWORD, make_user

__all__ = ["browser"]  # the fixture, used by name

pytestmark = [pytest.mark.clock(CLOCK), pytest.mark.filled_by(fill=set_desk)]


@dataclass(frozen=True)
class Site:
    base: str
    number: str
    evidence: Evidence


@pytest.fixture
def site(database_url: str, databases: Databases) -> Iterator[Site]:
    """The desk on each backend, the clerk's own account, and the officer's evidence (and
    the person's and the city's files) on the issued citation."""
    desk: Desk = databases.filled(make_url(database_url).get_backend_name(), set_desk)
    number = desk.numbers["issued"]
    engine = make_engine(database_url)
    try:
        make_user(engine, "jlee", name="Jordan Lee", title="Hearing clerk")
        evidence = put_evidence(engine, number)
    finally:
        engine.dispose()
    with serving(door_app(database_url)) as base:
        yield Site(base, number, evidence)


def checked(page: Page, name: str) -> None:
    shot(page, name)
    check_accessible(page)
    assert axe_violations(page) == [], page.url


def test_a_clerk_adds_and_withdraws_files_and_the_person_sees_theirs(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    letter_path = tmp_path / "letter-dec-3.pdf"
    letter_path.write_bytes(scanned_letter())
    photo_path = tmp_path / "IMG_2291.jpg"
    photo_path.write_bytes(evidence_photo((90, 90, 90)))
    notes = tmp_path / "notes.txt"
    notes.write_text("not a file the record keeps")

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in_with_account(page, site.base, "jlee", PASSWORD)
    page.goto(f"{site.base}/clerk/citations/{site.number}#files-section")
    files = page.locator("#files-section")
    expect(files.get_by_role("heading", name="IMG_0412.jpg")).to_be_visible()
    expect(page.locator(f"#file-{site.evidence.photo}")).to_contain_text("Apple iPhone 15")
    checked(page, "files-01-citation-with-evidence")

    # A letter that came by mail: a refusal first (a text file), next to the field.
    files.get_by_role("link", name="Add a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a file")
    checked(page, "files-02-add-form")
    page.get_by_label("File", exact=True).set_input_files(str(notes))
    page.get_by_label("What it is").fill("Letter from the person, received by mail on Dec 3")
    page.get_by_role("button", name="Add the file").click()
    expect(page.locator("#f-file-error-1")).to_contain_text("notes.txt is not a JPEG")
    expect(page.get_by_label("What it is")).to_have_value(
        "Letter from the person, received by mail on Dec 3"
    )
    checked(page, "files-03-add-refused")
    page.get_by_label("File", exact=True).set_input_files(str(letter_path))
    page.get_by_label("The person's: a letter").check()
    page.get_by_label("What it came with").select_option(label="Came by mail")
    page.get_by_role("button", name="Add the file").click()
    expect(page.get_by_role("status")).to_contain_text("The file is added to the record")

    # A photo the person brought in, for the hearing.
    page.get_by_role("link", name="Add a file").click()
    page.get_by_label("File", exact=True).set_input_files(str(photo_path))
    page.get_by_label("What it came with").select_option(label="For the hearing")
    page.get_by_role("button", name="Add the file").click()
    expect(page.get_by_role("status")).to_contain_text("The file is added to the record")

    sha = hashlib.sha256(letter_path.read_bytes()).hexdigest()
    letter = page.locator("article", has_text="letter-dec-3.pdf")
    expect(letter).to_contain_text("The person's · Came by mail · PDF")
    expect(letter).to_contain_text(sha[:12])
    expect(letter).to_contain_text("Jordan Lee")
    expect(letter).to_contain_text("from clerks' pages 127.0.0.1")
    expect(letter).to_contain_text("Dec 4, 2026")
    letter.locator("summary").click()  # the whole hash
    expect(letter.locator("code.whole")).to_have_text(sha)
    photo = page.locator("article", has_text="IMG_2291.jpg")
    expect(photo).to_contain_text("The person's · For the hearing · JPEG picture")
    checked(page, "files-04-added")

    # The shown copy: the picture without where and with what it was taken.
    shown_href = photo.get_by_role("link", name="Open the shown copy").get_attribute("href")
    assert shown_href is not None and shown_href.endswith("?copy=shown")
    shown = page.request.get(f"{site.base}{shown_href}")
    assert shown.status == 200 and shown.headers["cache-control"] == "no-store"
    assert not Image.open(BytesIO(shown.body())).getexif()
    original_href = photo.get_by_role("link", name="Open the original").get_attribute("href")
    original = page.request.get(f"{site.base}{original_href}")
    assert Image.open(BytesIO(original.body())).getexif()  # kept as evidence
    thumbnail = photo.locator("img")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0")
    page.goto(f"{site.base}{shown_href}")
    shot(page, "files-05-shown-copy")
    page.go_back()

    # Withdraw the letter: the reason is required; the file stays, marked withdrawn.
    letter.get_by_role("link", name="Withdraw").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw a file")
    expect(page.locator("#withdrawn-file")).to_contain_text(sha)
    page.get_by_role("button", name="Withdraw the file").click()
    expect(page.locator("#f-reason-error-1")).to_contain_text("say why the file is withdrawn")
    checked(page, "files-06-withdraw-refused")
    page.get_by_label("Why it is withdrawn").fill("Scanned onto the wrong citation")
    page.get_by_role("button", name="Withdraw the file").click()
    expect(page.get_by_role("status")).to_contain_text("The file is withdrawn")
    letter = page.locator("article", has_text="letter-dec-3.pdf")
    expect(letter).to_contain_text("withdrawn")
    expect(letter).to_contain_text("by Jordan Lee, Hearing clerk: Scanned onto the wrong citation")
    expect(letter.get_by_role("link", name="Withdraw")).to_have_count(0)
    checked(page, "files-07-withdrawn")
    page.close()

    # The person: the officer's photo (its shown copy), their own files, not the city's.
    for width, viewport in (("1280", {"width": 1280, "height": 900}), ("360", PHONE)):
        context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        person = context.new_page()
        find_in_browser(person, site.base, site.number, birth_of(5))
        section = person.locator("#files")
        expect(section.get_by_role("heading", name="From the officer")).to_be_visible()
        expect(section.get_by_role("link", name="IMG_0412.jpg")).to_be_visible()
        expect(section.get_by_role("link", name="IMG_2291.jpg")).to_be_visible()
        expect(section.get_by_role("link", name="my-photo.jpg")).to_be_visible()
        expect(section).not_to_contain_text("hours.pdf")
        expect(section.locator(f"#file-{site.evidence.withdrawn}")).to_contain_text(
            "A photo of another car"
        )
        expect(section.get_by_role("link", name="IMG_0413.jpg")).to_have_count(0)
        expect(section.get_by_text("letter-dec-3.pdf")).to_be_visible()  # withdrawn, listed
        expect(section.get_by_role("link", name="letter-dec-3.pdf")).to_have_count(0)
        section.scroll_into_view_if_needed()
        check_public_page(person)
        shot(person, f"files-08-person-{width}")
        href = section.get_by_role("link", name="IMG_0412.jpg").get_attribute("href")
        served = person.request.get(f"{site.base}{href}")
        assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
        assert not Image.open(BytesIO(served.body())).getexif()  # no place, no camera
        context.close()
