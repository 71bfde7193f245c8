"""Contesting online as the cited person: the review request with files, the hearing request
with the waiver, moving a hearing once, and asking to set a default aside (both backends)."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from citations.attachments.tables import Attachment as PersonFile
from citations.audit import history
from citations.catalog.store import PublishedCatalog
from citations.database import make_engine, transaction
from citations.errors import InputRejected, NotFound, PermissionDenied
from citations.hearings.contests import DeadlineMissed, decide_waiver
from citations.hearings.scheduling import record_no_show, schedule_hearing
from citations.hearings.tables import Contest, Hearing
from citations.online.contest import (
    MoveRefused,
    answer_set_aside,
    ask_for_hearing,
    ask_for_review,
    ask_to_set_aside,
    hearing_opening,
    interpreter_choices,
    move_hearing,
    move_opening,
    review_opening,
    set_aside_opening,
)
from citations.online.files import FilesRefused, Upload
from citations.record.lookup import find_citation
from citations.record.person import PersonRequest
from citations.roles import OPERATOR, cited_person
from tests.factories import prepare
from tests.hearing_steps import (
    CLERK,
    at,
    issue_one,
    officer_with_session,
    to_ready,
    to_review_upheld,
)
from tests.test_online_files import gps_jpeg, picture

ONLINE = """
online:
  upload_max_files: 3
  upload_max_megabytes: 2
  hearing_modes: [phone, in_person, video, written]
  hearing_moves: 1
  move_days_before: 2
"""
WAIVER = "I lost my job in October and receive CalFresh; I cannot pay the deposit."


@pytest.fixture
def ready(engine: Engine, catalog_dir: Path) -> Engine:
    """The test catalog with an online section: three files of 2 MB, four hearing modes."""
    profile = catalog_dir / "jurisdiction.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + ONLINE, encoding="utf-8")
    prepare(engine, catalog_dir)
    return engine


def status(engine: Engine, number: str) -> str:
    with transaction(engine) as session:
        return find_citation(session, number, OPERATOR).status


def test_a_review_asked_on_time_keeps_the_statement_and_the_files(ready: Engine) -> None:
    number = issue_one(ready)
    person = cited_person(number)
    with transaction(ready) as session:
        opening = review_opening(session, number, person, at("2026-11-25"))
        assert (opening.open, opening.deadline) == (True, date(2026, 12, 10))
        ask_for_review(
            session,
            number,
            "  The sign was covered by a tree branch.  ",
            [Upload("tree.jpg", gps_jpeg()), Upload("sign.png", picture("PNG"))],
            actor=person,
            now=at("2026-11-25"),
        )
    assert status(ready, number) == "in_review"
    with transaction(ready) as session:
        contest = session.scalars(select(Contest)).one()
        assert contest.review_statement == "The sign was covered by a tree branch."
        files = session.scalars(select(PersonFile).order_by(PersonFile.id)).all()
        assert [(f.filename, f.content_type, f.purpose) for f in files] == [
            ("tree.jpg", "image/jpeg", "review"),
            ("sign.png", "image/png", "review"),
        ]
        events = history(session, "citation", number)
        received = [e for e in events if e.action == "online.files_received"]
        assert [e.actor for e in received] == ["the cited person, online"]
        after = received[0].after
        assert after is not None
        assert [f["name"] for f in after["files"]] == ["tree.jpg", "sign.png"]
        requested = [e for e in events if e.action == "contest.review_requested"]
        assert requested[0].actor == "the cited person, online"
        assert review_opening(session, number, person, at("2026-11-26")).reason == "already_asked"


def test_a_late_review_is_refused_with_the_deadline_and_keeps_nothing(ready: Engine) -> None:
    number = issue_one(ready)
    person = cited_person(number)
    with transaction(ready) as session:
        opening = review_opening(session, number, person, at("2026-12-11"))
        assert (opening.open, opening.reason, opening.deadline) == (
            False,
            "late",
            date(2026, 12, 10),
        )
    with (
        pytest.raises(DeadlineMissed, match="after the deadline of 2026-12-10"),
        transaction(ready) as session,
    ):
        ask_for_review(
            session,
            number,
            "I was away.",
            [Upload("a.jpg", picture())],
            actor=person,
            now=at("2026-12-11"),
        )
    assert status(ready, number) == "issued"
    with transaction(ready) as session:
        assert session.scalars(select(PersonFile)).all() == []


def test_a_refused_file_refuses_the_review_request(ready: Engine) -> None:
    number = issue_one(ready)
    files = [Upload(f"p{i}.jpg", picture()) for i in range(4)]  # the profile allows 3
    with (
        pytest.raises(FilesRefused, match="send at most 3 files; 4 were chosen"),
        transaction(ready) as session,
    ):
        ask_for_review(
            session, number, "x", files, actor=cited_person(number), now=at("2026-11-25")
        )
    assert status(ready, number) == "issued"


def test_a_person_cannot_ask_on_another_citation(ready: Engine) -> None:
    mine, theirs = issue_one(ready), issue_one(ready, last_name="Other")
    with pytest.raises(NotFound), transaction(ready) as session:
        ask_for_review(
            session, theirs, "not mine", [], actor=cited_person(mine), now=at("2026-11-25")
        )


@pytest.mark.parametrize("mode", ["phone", "video", "written", "in_person"])
def test_a_hearing_asked_with_the_waiver_keeps_the_mode_interpreter_and_accommodation(
    ready: Engine, mode: str
) -> None:
    number = issue_one(ready)
    to_review_upheld(ready, number)
    person = cited_person(number)
    with transaction(ready) as session:
        opening = hearing_opening(session, number, person, at("2026-12-03"))
        assert opening.open and opening.deadline == date(2026, 12, 16)
        ask_for_hearing(
            session,
            number,
            declaration=WAIVER,
            sworn=True,
            hearing_mode=mode,
            interpreter_language="vi",
            accommodation="A wheelchair-accessible room",
            actor=person,
            now=at("2026-12-03"),
        )
    with transaction(ready) as session:
        contest = session.scalars(select(Contest)).one()
        assert (contest.hearing_mode, contest.interpreter_language, contest.accommodation) == (
            mode,
            "vi",
            "A wheelchair-accessible room",
        )
        assert contest.deposit_status == "waiver_requested"
        assert contest.waiver_declaration == f"Declared under penalty of perjury, online: {WAIVER}"
    assert status(ready, number) == "hearing_requested"


def test_a_hearing_request_needs_the_sworn_box_and_a_listed_language(ready: Engine) -> None:
    number = issue_one(ready)
    to_review_upheld(ready, number)
    with pytest.raises(InputRejected) as caught, transaction(ready) as session:
        ask_for_hearing(
            session,
            number,
            declaration="too short",
            sworn=False,
            hearing_mode="phone",
            interpreter_language="klingon",
            accommodation=None,
            actor=cited_person(number),
            now=at("2026-12-03"),
        )
    assert [e.field for e in caught.value.errors] == [
        "sworn",
        "declaration",
        "interpreter_language",
    ]


def test_a_mode_the_profile_does_not_offer_is_refused(engine: Engine) -> None:
    prepare(engine)  # the test catalog has no online section: in person only
    number = issue_one(engine)
    to_review_upheld(engine, number)
    with pytest.raises(InputRejected, match="held in person; not phone"), transaction(engine) as s:
        ask_for_hearing(
            s,
            number,
            declaration=WAIVER,
            sworn=True,
            hearing_mode="phone",
            interpreter_language=None,
            accommodation=None,
            actor=cited_person(number),
            now=at("2026-12-03"),
        )


def test_a_hearing_asked_before_the_review_is_not_open(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        assert hearing_opening(session, number, cited_person(number), at("2026-11-25")).reason == (
            "not_now"
        )


def test_interpreter_languages_are_named_in_the_page_language() -> None:
    from tests.factories import good_catalog

    profile = good_catalog().jurisdiction
    spanish = dict(interpreter_choices(profile, "es"))
    assert spanish["en"] == "Inglés" and spanish["vi"] == "Vietnamita"
    names = [name for _, name in interpreter_choices(profile, "en")]
    assert names == sorted(names, key=str.casefold) and "American Sign Language" in names


def scheduled(engine: Engine, deposit: bool = True) -> str:
    """A hearing scheduled on Tuesday 2026-12-15; later sessions on 12-17 and 12-21."""
    number = issue_one(engine)
    to_ready(engine, number, deposit)
    if not deposit:
        with transaction(engine) as session:
            decide_waiver(
                session, number, True, "Receives CalFresh.", actor=CLERK, now=at("2026-12-03")
            )
    for name, day in [("A", 15), ("B", 17), ("C", 21)]:
        officer_with_session(engine, f"Judge {name}", date(2026, 12, day))
    with transaction(engine) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-03"))
    return number


def hearing_days(engine: Engine) -> list[tuple[date, str]]:
    with transaction(engine) as session:
        return [
            (h.session.day, h.status) for h in session.scalars(select(Hearing).order_by(Hearing.id))
        ]


def test_a_hearing_moves_once_to_a_later_day_then_the_office_must_move_it(ready: Engine) -> None:
    number = scheduled(ready)
    person = cited_person(number)
    with transaction(ready) as session:
        opening = move_opening(session, number, person, at("2026-12-04"))
        assert (opening.open, opening.deadline) == (True, date(2026, 12, 13))
        move_hearing(
            session, number, "I have a medical appointment.", actor=person, now=at("2026-12-04")
        )
    assert hearing_days(ready) == [
        (date(2026, 12, 15), "postponed"),
        (date(2026, 12, 17), "scheduled"),
    ]
    with transaction(ready) as session:
        events = [
            e for e in history(session, "citation", number) if e.action == "hearing.continued"
        ]
        assert [e.actor for e in events] == ["the cited person, online"]
        assert move_opening(session, number, person, at("2026-12-05")).reason == "used"
    with (
        pytest.raises(MoveRefused, match=r"already moved online; call the office at \(555\)"),
        transaction(ready) as session,
    ):
        move_hearing(session, number, "Another reason.", actor=person, now=at("2026-12-05"))
    assert hearing_days(ready)[-1] == (date(2026, 12, 17), "scheduled")


def test_a_hearing_too_close_cannot_be_moved_online(ready: Engine) -> None:
    number = scheduled(ready)
    person = cited_person(number)
    with transaction(ready) as session:
        assert move_opening(session, number, person, at("2026-12-13")).open
        closed = move_opening(session, number, person, at("2026-12-14"))
        assert (closed.reason, closed.deadline) == ("too_close", date(2026, 12, 13))
    with (
        pytest.raises(MoveRefused, match="the last day to move it online was 2026-12-13"),
        transaction(ready) as session,
    ):
        move_hearing(session, number, "Work shift.", actor=person, now=at("2026-12-14"))


def test_without_a_later_session_the_move_is_refused_and_nothing_changes(ready: Engine) -> None:
    number = issue_one(ready)
    to_ready(ready, number)
    officer_with_session(ready, "Judge A", date(2026, 12, 15))
    with transaction(ready) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-03"))
    with (
        pytest.raises(InputRejected, match="no docket session on or after 2026-12-16"),
        transaction(ready) as session,
    ):
        move_hearing(
            session, number, "Work shift.", actor=cited_person(number), now=at("2026-12-04")
        )
    assert hearing_days(ready) == [(date(2026, 12, 15), "scheduled")]


def defaulted(engine: Engine) -> str:
    number = scheduled(engine, deposit=False)
    with transaction(engine) as session:
        record_no_show(session, number, actor=CLERK, now=at("2026-12-15", 14))
    return number


def test_a_set_aside_request_waits_for_staff_and_a_grant_sets_the_default_aside(
    ready: Engine,
) -> None:
    number = defaulted(ready)
    person = cited_person(number)
    with transaction(ready) as session:
        opening = set_aside_opening(session, number, person, at("2026-12-18"))
        assert opening.open and opening.deadline is not None
        request = ask_to_set_aside(
            session,
            number,
            "My bus broke down on the way; the driver's note is attached.",
            [Upload("note.pdf", b"%PDF-1.4\n%%EOF\n")],
            actor=person,
            now=at("2026-12-18"),
        )
        request_id = request.id
        assert (
            set_aside_opening(session, number, person, at("2026-12-18")).reason == "already_asked"
        )
    assert status(ready, number) == "upheld"  # nothing changes until staff answer
    with transaction(ready) as session:
        row = session.scalars(select(PersonFile)).one()
        assert (row.purpose, row.request_id) == ("set_aside", request_id)
        with pytest.raises(PermissionDenied):
            answer_set_aside(
                session,
                request_id,
                granted=True,
                answer="ok ok ok",
                actor=person,
                now=at("2026-12-19"),
            )
    with transaction(ready) as session:
        answer_set_aside(
            session,
            request_id,
            granted=True,
            answer="Good cause shown: the bus company's note.",
            actor=CLERK,
            now=at("2026-12-19"),
        )
    assert status(ready, number) == "hearing_requested"
    with transaction(ready) as session:
        answered = session.get_one(PersonRequest, request_id)
        assert (answered.status, answered.decided_by) == ("granted", CLERK.name)


def test_a_set_aside_asked_late_is_refused_with_the_deadline(ready: Engine) -> None:
    number = defaulted(ready)
    person = cited_person(number)
    with transaction(ready) as session:
        deadline = set_aside_opening(session, number, person, at("2026-12-18")).deadline
        assert deadline is not None
        late = set_aside_opening(session, number, person, at("2027-01-20"))
        assert (late.open, late.reason, late.deadline) == (False, "late", deadline)
    with (
        pytest.raises(DeadlineMissed, match=f"after the deadline of {deadline.isoformat()}"),
        transaction(ready) as session,
    ):
        ask_to_set_aside(
            session, number, "I forgot the date, sorry.", [], actor=person, now=at("2027-01-20")
        )


def test_no_default_no_set_aside(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        assert set_aside_opening(
            session, number, cited_person(number), at("2026-11-25")
        ).reason == ("no_default")
        assert PublishedCatalog(session).jurisdiction().online.upload_max_files == 3


def test_a_denied_set_aside_leaves_the_default(ready: Engine) -> None:
    number = defaulted(ready)
    with transaction(ready) as session:
        request = ask_to_set_aside(
            session,
            number,
            "I did not want to come.",
            [],
            actor=cited_person(number),
            now=at("2026-12-18"),
        )
        answer_set_aside(
            session,
            request.id,
            granted=False,
            answer="No good cause was shown.",
            actor=CLERK,
            now=at("2026-12-19"),
        )
    assert status(ready, number) == "upheld"


def test_moves_sent_at_the_same_moment_move_the_hearing_once(
    ready: Engine, database_url: str
) -> None:
    """The same person moving from two devices at once (real PostgreSQL workers): the
    citation's lock makes the second see the first move, and refuses it."""
    if ready.dialect.name != "postgresql":
        pytest.skip("the race is proven on PostgreSQL, where requests run in parallel")
    number = scheduled(ready)
    workers = 4
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []

    def device() -> None:
        engine = make_engine(database_url)
        try:
            barrier.wait()
            with transaction(engine) as session:
                move_hearing(
                    session, number, "Work shift.", actor=cited_person(number), now=at("2026-12-04")
                )
            outcomes.append("moved")
        except MoveRefused:
            outcomes.append("refused")
        finally:
            engine.dispose()

    threads = [threading.Thread(target=device) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["moved"] + ["refused"] * (workers - 1)
    assert hearing_days(ready) == [
        (date(2026, 12, 15), "postponed"),
        (date(2026, 12, 17), "scheduled"),
    ]
