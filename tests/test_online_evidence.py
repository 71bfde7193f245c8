"""Photos and papers for the hearing, sent online by the person after asking for a hearing and
until the day before it: the opening at its date edges, the files kept with the purpose
`hearing` and the note as their description, nothing kept when refused, the audit event, and
the file in the hearing packet with its note (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from citations.attachments.service import FileRefused
from citations.attachments.tables import Attachment
from citations.audit import history
from citations.database import transaction
from citations.errors import InputRejected, NotFound
from citations.hearings.kept import current_packet
from citations.hearings.scheduling import record_no_show
from citations.online.evidence import EvidenceClosed, evidence_opening, send_evidence
from citations.online.files import FilesRefused, Upload
from citations.roles import cited_person
from citations.settings import get_settings
from tests.evidence_steps import scanned_letter
from tests.factories import prepare
from tests.hearing_steps import CLERK, at, issue_one, to_ready, to_review_upheld
from tests.pdfs import pdf_text
from tests.test_online_contest import ONLINE, scheduled
from tests.test_online_files import gps_jpeg, picture

NOTE = "Photos of the sign from the corner, taken the next morning."


@pytest.fixture
def ready(engine: Engine, catalog_dir: Path) -> Engine:
    """The test catalog with the contest tests' online section (three files of 2 MB)."""
    profile = catalog_dir / "jurisdiction.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + ONLINE, encoding="utf-8")
    prepare(engine, catalog_dir)
    return engine


def opening_at(engine: Engine, number: str, now: datetime) -> tuple[bool, date | None, str | None]:
    with transaction(engine) as session:
        opening = evidence_opening(session, number, cited_person(number), now)
        return opening.open, opening.deadline, opening.reason


def kept(engine: Engine) -> list[Attachment]:
    with transaction(engine) as session:
        rows = list(session.scalars(select(Attachment).order_by(Attachment.id)))
        session.expunge_all()
        return rows


def send(engine: Engine, number: str, files: list[Upload], now: datetime, note: str = NOTE) -> None:
    with transaction(engine) as session:
        send_evidence(session, number, note, files, actor=cited_person(number), now=now)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at("2026-12-04"), (True, date(2026, 12, 14), None)),
        # 23:00 on the 14th in Los Angeles is already the 15th in UTC: still the day before.
        (at("2026-12-14", 23), (True, date(2026, 12, 14), None)),
        (at("2026-12-15", 0), (False, date(2026, 12, 14), "hearing_day")),
        (at("2026-12-15", 16), (False, date(2026, 12, 14), "hearing_day")),
        (at("2026-12-16"), (False, date(2026, 12, 14), "held")),
    ],
)
def test_open_until_the_day_before_the_hearing_in_the_city_s_zone(
    ready: Engine, now: datetime, expected: tuple[bool, date | None, str | None]
) -> None:
    number = scheduled(ready)  # the hearing is on Tuesday 2026-12-15
    assert opening_at(ready, number, now) == expected


def test_open_while_a_requested_hearing_waits_for_its_day(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number, deposit=False)  # waiting for the waiver decision and a docket
    assert opening_at(ready, number, at("2026-12-04")) == (True, None, None)


def test_closed_before_a_hearing_is_asked_for(ready: Engine) -> None:
    number = issue_one(ready)
    assert opening_at(ready, number, at("2026-11-25")) == (False, None, "no_hearing")
    to_review_upheld(ready, number)
    assert opening_at(ready, number, at("2026-12-02")) == (False, None, "no_hearing")
    with pytest.raises(EvidenceClosed, match="no hearing is asked for or set"):
        send(ready, number, [Upload("sign.png", picture("PNG"))], at("2026-12-02"))
    assert kept(ready) == []


def test_closed_after_the_hearing_was_held(ready: Engine) -> None:
    number = scheduled(ready, deposit=False)
    with transaction(ready) as session:
        record_no_show(session, number, actor=CLERK, now=at("2026-12-15", 14))
    assert opening_at(ready, number, at("2026-12-16")) == (False, None, "held")


def test_files_are_kept_for_the_hearing_with_the_note_and_audited(ready: Engine) -> None:
    number = scheduled(ready)
    send(
        ready,
        number,
        [Upload("IMG_2291.JPG", gps_jpeg()), Upload("receipt.pdf", scanned_letter())],
        at("2026-12-14", 20),
        note=f"  {NOTE}\n",
    )
    rows = kept(ready)
    assert [(r.filename, r.source, r.purpose, r.description) for r in rows] == [
        ("IMG_2291.JPG", "person", "hearing", NOTE),
        ("receipt.pdf", "person", "hearing", NOTE),
    ]
    assert [r.added_by for r in rows] == ["the cited person, online"] * 2
    assert rows[0].details == {}  # the clean copy only: no place, no phone
    with transaction(ready) as session:
        events = history(session, "citation", number)
        received = [e for e in events if e.action == "online.files_received"]
        added = [e for e in events if e.action == "attachment.added"]
    assert len(received) == 1 and len(added) == 2
    after = received[0].after
    assert after is not None
    assert (after["purpose"], after["note"]) == ("hearing", NOTE)
    assert [f["file"] for f in after["files"]] == [r.key for r in rows]
    assert received[0].actor == "the cited person, online"


def test_a_note_is_optional_and_a_file_is_not(ready: Engine) -> None:
    number = scheduled(ready)
    with pytest.raises(InputRejected, match="the files for the hearing were not sent") as no_file:
        send(ready, number, [], at("2026-12-04"))
    assert [e.field for e in no_file.value.errors] == ["files"]
    send(ready, number, [Upload("sign.png", picture("PNG"))], at("2026-12-04"), note="  ")
    assert [(r.filename, r.description) for r in kept(ready)] == [("sign.png", None)]


def test_a_refused_file_keeps_nothing(ready: Engine) -> None:
    number = scheduled(ready)
    files = [Upload("sign.jpg", picture()), Upload("notes.txt", b"just words")]
    with pytest.raises(FilesRefused, match=r"notes\.txt is not a JPEG, PNG, HEIC or PDF file"):
        send(ready, number, files, at("2026-12-04"))
    with pytest.raises(InputRejected, match=r"contains control character U\+0000") as bad_note:
        send(ready, number, [Upload("sign.jpg", picture())], at("2026-12-04"), note="a\x00b")
    assert [e.field for e in bad_note.value.errors] == ["note"]
    assert kept(ready) == []
    with transaction(ready) as session:
        actions = {e.action for e in history(session, "citation", number)}
    assert not actions & {"online.files_received", "attachment.added"}


def test_the_hearing_day_keeps_nothing(ready: Engine) -> None:
    number = scheduled(ready)
    with pytest.raises(EvidenceClosed, match="the hearing is today: bring them to it"):
        send(ready, number, [Upload("sign.jpg", picture())], at("2026-12-15", 8))
    assert kept(ready) == []


@pytest.fixture
def one_megabyte_a_citation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CITATIONS_CITATION_FILES_MAX_MEGABYTES", "1")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.usefixtures("one_megabyte_a_citation")
def test_the_settings_limit_for_a_citation_holds(ready: Engine) -> None:
    number = scheduled(ready)
    scan = b"%PDF-1.4\n" + bytes(700 * 1024)
    send(ready, number, [Upload("first.pdf", scan)], at("2026-12-04"))
    with pytest.raises(FileRefused, match="the limit is 1 MB a citation"):
        send(ready, number, [Upload("second.pdf", scan)], at("2026-12-05"))
    assert [r.filename for r in kept(ready)] == ["first.pdf"]


def test_a_person_cannot_send_to_another_citation(ready: Engine) -> None:
    theirs = scheduled(ready)
    mine = issue_one(ready, last_name="Other")
    with pytest.raises(NotFound), transaction(ready) as session:
        send_evidence(
            session,
            theirs,
            NOTE,
            [Upload("a.jpg", picture())],
            actor=cited_person(mine),
            now=at("2026-12-04"),
        )


def test_the_file_is_in_the_hearing_packet_with_its_note(ready: Engine) -> None:
    number = scheduled(ready)
    send(ready, number, [Upload("corner.png", picture("PNG", (900, 600)))], at("2026-12-10"))
    with transaction(ready) as session:
        _, pdf = current_packet(session, number, CLERK, now=at("2026-12-10"))
    text = pdf_text(pdf)
    assert f"corner.png: {NOTE}" in text
