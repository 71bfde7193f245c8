"""The words of the reminders: every kind in every wording and language, texts within one
message and with nothing private, dates and money as each language writes them, and the
wording files checked like the documents'."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from citations.documents.wording import NoticeTemplateError
from citations.outreach.plan import KINDS
from citations.outreach.render import TEXT_LIMIT, Words, render_from
from citations.outreach.wording import REMINDERS, load_book
from ordinances import load_catalog
from ordinances.catalog import DEMO_CATALOG

DEMO = load_catalog(DEMO_CATALOG).jurisdiction
LINK = "https://citations.demo-city.example/c/7K3M-Q9R0-PB2X-1AQ4"
"""The demo city's door with an access code, as long as a real one."""
HEARING = "2026-12-21T08:30:00-08:00"

FACTS: dict[str, dict[str, Any]] = {
    "before_pay_by": {
        "date": "2026-12-21",
        "pay_by": "2026-12-21",
        "contest_by": "2026-12-21",
        "late_penalty": True,
    },
    "before_hearing_request_by": {"date": "2026-12-21"},
    "before_deposit_due": {"date": "2026-12-21"},
    "before_hearing": {
        "date": "2026-12-21",
        "at": HEARING,
        "mode": "in_person",
        "place": "City Hall East, Room 101",
        "remote_link": None,
    },
    "hearing_today": {
        "date": "2026-12-21",
        "at": HEARING,
        "mode": "video",
        "place": None,
        "remote_link": "https://meet.example/r/42",
    },
    "before_installment": {
        "date": "2026-12-21",
        "installment": 2,
        "installments": 4,
        "amount_cents": 6250,
    },
    "before_service_deadline": {"date": "2026-12-21"},
    "before_program_deadline": {"date": "2026-12-21", "program": "neighborhood-justice"},
    "before_set_aside_by": {"date": "2026-12-21"},
    "missed_pay_by": {
        "date": "2026-12-21",
        "missed": "2026-12-21",
        "late_on": "2027-01-06",
        "late_penalty": True,
        "collections_on": "2027-04-03",
        "contest_by": None,
    },
    "missed_installment": {
        "date": "2026-12-21",
        "missed": "2026-12-21",
        "installment": 2,
        "amount_cents": 6250,
        "keep_plan_until": "2026-12-31",
    },
    "hearing_set": {
        "date": "2026-12-21",
        "at": HEARING,
        "mode": "phone",
        "place": None,
        "remote_link": "+1 555 010 9999",
    },
    "hearing_moved": {
        "date": "2027-01-11",
        "at": "2027-01-11T09:00:00-08:00",
        "mode": "in_person",
        "place": "Room 5",
        "remote_link": None,
        "replaces": HEARING,
    },
}
MARIA = {"first_name": "Maria", "last_name": "Lopez"}


def words(kind: str, *, language: str = "en", wording: str = "standard", **more: Any) -> Words:
    arguments: dict[str, Any] = {
        "kind": kind,
        "wording": wording,
        "language": language,
        "facts": FACTS[kind],
        "subject": MARIA,
        "profile": DEMO,
        "owed": Decimal("250.00"),
        "link": LINK,
    }
    return render_from(**(arguments | more))


def test_every_kind_has_its_facts_here() -> None:
    assert set(FACTS) == set(KINDS)


@pytest.mark.parametrize("wording", ["standard", "plain"])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_in_every_wording_and_language(kind: str, language: str, wording: str) -> None:
    # The longest first name a text greets with (12 characters) and the demo city's link.
    long_name = {"first_name": "Maximilianos Fernando", "last_name": "Lopez"}
    said = words(kind, language=language, wording=wording, subject=long_name)
    assert said.text.startswith("Maximilianos")
    assert len(said.text) <= TEXT_LIMIT, said.text
    assert LINK in said.text
    # A text is not private: the first name, what is due, the date and the link, no more.
    assert "$" not in said.text and "Lopez" not in said.text and "DCPD" not in said.text
    assert said.subject and "\n" not in said.subject
    paragraphs = said.email.split("\n\n")
    assert paragraphs[0] == (
        "Hello Maximilianos Fernando," if language == "en" else "Hola, Maximilianos Fernando:"
    )
    assert LINK in said.email
    assert paragraphs[-1].endswith("use this link:" if language == "en" else "use este enlace:")
    assert "STOP" not in said.email
    assert said.letter[0].endswith(
        "Maximilianos Fernando Lopez" + ("," if language == "en" else ":")
    )
    # The greeting first and the link last (the letter prints its QR code by it).
    assert said.letter[-1].endswith(LINK)
    assert said.letter[-2] == DEMO.contact.office_name[language]
    assert not any("{" in p or "}" in p for p in [said.text, said.subject, *said.letter])


def test_english_and_spanish_have_the_same_keys() -> None:
    english = load_book(REMINDERS, "en").templates
    spanish = load_book(REMINDERS, "es").templates
    assert set(english) == set(spanish)
    for wording in ("standard", "plain"):
        for kind in KINDS:
            assert {f"{wording}.{kind}.{part}" for part in ("text", "subject", "body")} <= set(
                english
            )


def test_dates_money_and_times_as_each_language_writes_them() -> None:
    english, spanish = words("before_hearing"), words("before_hearing", language="es")
    assert (
        "Monday, December 21, 2026 at 8:30 AM (Pacific Standard Time), at City Hall East"
        in english.email
    )
    assert (
        "lunes, 21 de diciembre de 2026 a las 8:30 a.m. (hora estándar del Pacífico), en City Hall"
        in spanish.email
    )
    assert (
        english.text
        == f"Maria, your hearing is on Mon, Dec 21 at 8:30 AM. {LINK} Reply STOP to opt out."
    )
    assert spanish.text.startswith("Maria: su audiencia es el lun, 21 de dic, 8:30 a.m.:")
    assert "The amount due is $250.00." in words("before_pay_by").email
    assert "$62.50" in words("before_installment", language="es").email


def test_what_a_missed_deadline_still_allows() -> None:
    said = words("missed_pay_by")
    assert "You can still pay by Tuesday, January 5, 2027 without a late penalty." in said.email
    assert (
        "If it is still unpaid on Saturday, April 3, 2027, it may be sent to collections."
        in said.email
    )
    no_fees = {**FACTS["missed_pay_by"], "late_penalty": False}
    assert "before it is marked late" in words("missed_pay_by", facts=no_fees).email
    assert (
        "late penalty"
        not in words("before_pay_by", facts={**FACTS["before_pay_by"], "late_penalty": False}).email
    )


@pytest.mark.parametrize(
    ("mode", "place", "link", "where"),
    [
        ("in_person", "Room 5", None, "at Room 5"),
        ("phone", None, "+1 555 010 9999", "by phone: +1 555 010 9999"),
        ("video", None, "https://meet.example/r/42", "by video: https://meet.example/r/42"),
        ("written", None, None, "on the papers you sent (you do not need to come)"),
        ("in_person", None, None, "at the place on your hearing notice"),
    ],
)
def test_the_morning_of_a_hearing_says_where(
    mode: str, place: str | None, link: str | None, where: str
) -> None:
    facts = {**FACTS["hearing_today"], "mode": mode, "place": place, "remote_link": link}
    assert f"at 8:30 AM, {where}." in words("hearing_today", facts=facts).email


def test_a_moved_hearing_names_both_days() -> None:
    moved = words("hearing_moved").email
    assert "Your hearing of Monday, December 21, 2026 was moved. The new date is Monday," in moved


def test_a_language_without_words_falls_back_to_the_citys_first() -> None:
    assert words("before_pay_by", language="fr") == words("before_pay_by", language="en")
    assert words("before_pay_by", wording="simpler") == words("before_pay_by")


def test_names_print_as_written() -> None:
    said = words(
        "missed_pay_by",
        subject={"first_name": "Ana & <b>", "last_name": "Nguyễn", "name_as_written": "阮安"},
    )
    assert said.letter[0] == "Dear 阮安 (Ana & <b> Nguyễn),"
    assert said.text.startswith("Ana, ")


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "reminders"
    shutil.copytree(REMINDERS, folder)
    return folder


def test_a_key_missing_in_one_language_comes_from_the_first(templates: Path) -> None:
    path = templates / "es.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\n  stop: [^\n]*", "", text, count=1), encoding="utf-8")
    said = words("before_pay_by", language="es", templates=templates)
    assert said.text.endswith("Reply STOP to opt out.")
    assert said.subject.startswith("Recordatorio")


def test_a_broken_template_names_the_file_the_key_and_the_line(
    templates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("citations.outreach.wording.RECHECK", 0.0)  # edits seen at once
    path = templates / "en.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("{{ long_date(date) }}", "{{ long_date(dat) }}", 1), encoding="utf-8"
    )
    with pytest.raises(NoticeTemplateError) as raised:
        words("before_pay_by", templates=templates)
    assert raised.value.key == "standard.before_pay_by.subject"
    assert raised.value.path == path and raised.value.line is not None
    assert "undefined variable" in raised.value.problem
    path.write_text(
        text.replace("{{ long_date(date) }}", "{{ long_date(date) ", 1), encoding="utf-8"
    )
    with pytest.raises(NoticeTemplateError, match="template syntax error"):
        words("before_pay_by", templates=templates)
