"""The cited person's pages in a real browser: Debian's chromium at a phone's width (360 px)
and a desktop's (1280 px), against the whole application served by uvicorn on loopback.

Every public page passes axe-core's scan with no violation, has every control labelled,
one h1, sufficient contrast, and needs no sideways scrolling. Screenshots are saved in
CITATIONS_SCREENSHOTS (a folder) when it is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from citations.database import make_engine, transaction
from citations.hearings.contests import decide_review
from citations.hearings.decisions import Outcome
from citations.public.pay import payment_provider
from tests.browser.chromium import (
    DESKTOP,
    PHONE,
    axe_violations,
    check_public_page,
    find_in_browser,
    serving,
    shot,
)
from tests.browser.desk import CLOCK, Desk, set_desk
from tests.databases import Databases
from tests.hearing_steps import REVIEWER, SIGNED, issue_one
from tests.pdfs import pdf_text
from tests.public_steps import birth_of, door_app
from tests.test_online_files import gps_jpeg
from tests.test_online_payments import PROVIDER

pytestmark = pytest.mark.clock(CLOCK)


@dataclass(frozen=True)
class Door:
    base: str
    desk: Desk
    url: str


@pytest.fixture
def door(tmp_path: Path, databases: Databases) -> Iterator[Door]:
    """The application on a fresh SQLite desk, served by uvicorn in a thread on loopback."""
    url = databases.sqlite_copy(tmp_path / "door.db", set_desk)
    desk: Desk = databases.filled("sqlite", set_desk)
    with serving(door_app(url)) as base:
        yield Door(base, desk, url)


def find(page: Page, door: Door, number: str, birth: str) -> None:
    """Find a citation as a person does (the door's own address)."""
    find_in_browser(page, door.base, number, birth)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_the_door_and_a_persons_page_pass_every_check(
    door: Door, browser: Browser, viewport: ViewportSize
) -> None:
    width = viewport["width"]
    page = browser.new_page(viewport=viewport)
    page.goto(f"{door.base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find your citation")
    check_public_page(page)
    shot(page, f"public-{width}-01-find")
    page.get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Encuentre su citación")
    check_public_page(page)
    # A wrong date of birth: the same plain answer as an unknown number.
    page.locator("#number").fill(door.desk.numbers["issued"])
    page.locator("#birth-month").fill("1")
    page.locator("#birth-day").fill("1")
    page.locator("#birth-year").fill("1990")
    page.locator("form[action='/'] button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text("No encontramos una citación")
    check_public_page(page)
    shot(page, f"public-{width}-02-no-match-es")
    page.get_by_role("link", name="English").click()

    for key, n in (("issued", 5), ("on_docket", 1), ("review", 4)):
        context = browser.new_context(viewport=viewport)
        person = context.new_page()
        find(person, door, door.desk.numbers[key], birth_of(n))
        expect(person.get_by_role("heading", level=1)).to_contain_text(door.desk.numbers[key])
        check_public_page(person)
        shot(person, f"public-{width}-03-citation-{key}")
        context.close()


def test_the_scan_finds_a_violation_where_there_is_one(browser: Browser) -> None:
    """axe-core really runs: a page with an unlabelled field and an image without text fails."""
    page = browser.new_page()
    page.set_content('<html lang="en"><main><img src="x.png"><input type="text"></main></html>')
    found = " ".join(axe_violations(page))
    assert "image-alt" in found and "label" in found


def test_a_person_on_a_phone_in_spanish_asks_for_a_review_then_pays_and_keeps_the_receipt(
    tmp_path: Path, databases: Databases, browser: Browser
) -> None:
    """The issue's own walk: at 360 px, in Spanish, find the citation by number and date of
    birth, ask for a review with a photo; once the review upholds it (a reviewer decides,
    here through the library), pay the balance through the test provider and download the
    receipt, which says in Spanish that it was paid online."""
    url = databases.sqlite_copy(tmp_path / "walk.db", set_desk)
    engine = make_engine(url)
    try:
        number = issue_one(engine, date_of_birth="1979-07-08", preferred_language="es")
        app = door_app(url)
        app.dependency_overrides[payment_provider] = lambda: PROVIDER
        photo = tmp_path / "IMG_0412.jpg"
        photo.write_bytes(gps_jpeg())
        with serving(app) as base:
            context = browser.new_context(viewport=PHONE)
            page = context.new_page()
            find_in_browser(page, base, number, "1979-07-08")
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Citación {number}")
            page.get_by_role("link", name="Pedir una revisión").click()
            page.get_by_label("Por qué la citación está equivocada").fill(
                "La lata era de refresco, no de cerveza."
            )
            page.get_by_label("Fotos o documentos (opcional)").set_input_files([str(photo)])
            page.get_by_role("button", name="Enviar mi solicitud").click()
            expect(page.get_by_role("status")).to_be_visible()
            check_public_page(page)
            shot(page, "walk-360-es-01-review-sent")
            with transaction(engine) as session:
                decide_review(
                    session,
                    number,
                    Outcome.UPHELD,
                    "The officer's photo shows a beer can.",
                    decided_by=SIGNED,
                    actor=REVIEWER,
                    now=CLOCK,
                )
            page.goto(f"{base}/citation")
            expect(page.get_by_role("main")).to_contain_text("Usted debe $200.00.")
            page.get_by_role("link", name="Pagar ahora").click()
            page.get_by_role("button", name="Pagar $200.00").click()
            page.get_by_role("button", name="Aprobar").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Pago recibido")
            check_public_page(page)
            shot(page, "walk-360-es-02-paid")
            link = page.get_by_role("link", name="Descargar su recibo (PDF)").get_attribute("href")
            receipt = context.request.get(f"{base}{link}")  # with the person's cookie
            assert receipt.headers["content-type"] == "application/pdf"
            text = pdf_text(receipt.body())
            assert "Registrado por usted, en línea" in text and "$200.00" in text
            page.goto(f"{base}/citation")
            expect(page.get_by_role("main")).to_contain_text("Pagada por completo.")
            context.close()
    finally:
        engine.dispose()
