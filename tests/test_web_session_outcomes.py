"""A session's page: every hearing's outcome recorded in one pass (decided, no-show,
continued, or not yet), each row through the library function its single form calls, all
or nothing: a refused row saves nothing and the page keeps everything typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.hearings.contests import contest_of
from citations.hearings.scheduling import current_hearing
from citations.hearings.tables import Hearing, Order
from citations.record.lookup import find_citation
from citations.roles import OPERATOR
from tests.browser.desk import CLOCK, desk_app, move_pages_clock, sign_in
from tests.browser.html import Page
from tests.session_desk import DECIDING, LATER_DAY, SessionDesk, set_session_desk

pytestmark = [pytest.mark.filled_by(fill=set_session_desk), pytest.mark.clock(CLOCK)]

Web = tuple[TestClient, SessionDesk, str]


@pytest.fixture
def web(filled: SessionDesk, database_url: str) -> Iterator[Web]:
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client, filled, sign_in(client, filled.desk.tokens["clerk"])


def later(web: Web, moment: datetime) -> str:
    """The pages act at `moment` from now on; the clerk, whose session of the day before has
    expired, signs in again. The new session's form token."""
    client, sd, _ = web
    move_pages_clock(client, moment)
    return sign_in(client, sd.desk.tokens["clerk"])


def selected(html: str, field: str) -> str:
    """The option selected in the select `f-{field}`."""
    found = re.search(rf'<select[^>]*id="f-{field}".*?</select>', html, re.S)
    assert found, f"no select {field}"
    option = re.search(r'<option value="([^"]*)" selected>', found.group(0))
    return option.group(1) if option else ""


def states(engine: Engine, numbers: list[str]) -> list[tuple[str, str, int]]:
    """Each citation's status, its latest hearing's status and session."""
    with transaction(engine) as session:
        rows = []
        for number in numbers:
            citation = find_citation(session, number, OPERATOR)
            contest = contest_of(session, citation)
            hearing = session.scalars(
                select(Hearing).where(Hearing.contest_id == contest.id).order_by(Hearing.id.desc())
            ).first()
            assert hearing is not None
            rows.append((citation.status, hearing.status, hearing.session_id))
        return rows


def events(engine: Engine, numbers: list[str]) -> list[tuple[str, str, str]]:
    with transaction(engine) as session:
        return [
            (e.entity_key, e.action, e.actor)
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_key.in_(numbers), AuditEvent.action.like("hearing.%"))
                .order_by(AuditEvent.id)
            )
        ]


def test_the_page_lists_the_hearings_in_docket_order_each_not_yet_recorded(web: Web) -> None:
    client, sd, _ = web
    answer = client.get(f"/clerk/sessions/{sd.desk.session_id}")
    assert answer.status_code == 200
    page = Page(answer.text)
    assert page.words("main").startswith("← The docket for Monday, December 14, 2026")
    titles = [page.words(f"hearing-{p}-title") for p in range(1, 5)]
    assert [t.split(" · ")[2] for t in titles] == sd.numbers
    assert titles[0].startswith("#1 · 9:00") and "Maria Lopez" in titles[0]
    assert "Rosa Diaz" in titles[3]
    assert "interpreter: Spanish" in page.words("hearing-1")
    for p in range(1, 5):
        assert selected(answer.text, f"r{p}-outcome") == "pending"
        assert selected(answer.text, f"r{p}-session") == "earliest"
    # The later session is offered to continue to.
    assert str(sd.later_session) in re.findall(r'<option value="(\d+)"', answer.text)
    assert page.attrs["f-decided_by_name"]["value"] == "Ada Ruiz"
    assert "All or nothing: if any row has a problem, nothing is saved" in page.words("main")
    # The day's docket leads here.
    docket = Page(client.get("/clerk/docket/2026-12-14").text)
    assert f"/clerk/sessions/{sd.desk.session_id}" in docket.links


def test_one_submit_records_a_decision_a_no_show_and_a_continuance(
    web: Web, engine: Engine
) -> None:
    client, sd, _ = web
    csrf = later(web, DECIDING)
    before = events(engine, sd.numbers)
    answer = client.post(
        f"/clerk/sessions/{sd.desk.session_id}",
        data={
            "csrf_token": csrf,
            "decided_by_name": "Ada Ruiz",
            "decided_by_title": "Hearing Officer",
            "r1-outcome": "reduced",
            "r1-findings": "The sign was hard to read from the street; fine reduced.",
            "r1-new_amount": "50.00",
            "r1-reduction_reason": "The signage was partly hidden.",
            "r2-outcome": "no_show",
            "r3-outcome": "continued",
            "r3-session": str(sd.later_session),
            "r3-reason": "The person's witness is abroad until January.",
            "r4-outcome": "pending",
            "r4-findings": "typed but not recorded",
        },
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/clerk/sessions/{sd.desk.session_id}?done=3#outcomes"
    assert states(engine, sd.numbers) == [
        ("paid", "held", sd.desk.session_id),  # the $200 deposit paid the $50 (and refunds)
        ("paid", "no_show", sd.desk.session_id),  # upheld by default; the deposit paid it
        ("hearing_scheduled", "scheduled", sd.later_session),
        ("hearing_scheduled", "scheduled", sd.desk.session_id),
    ]
    with transaction(engine) as session:
        citation = find_citation(session, sd.numbers[0], OPERATOR)
        order = session.scalars(
            select(Order).where(Order.citation_id == citation.id, Order.tier == "hearing")
        ).one()
        assert order.outcome == "reduced" and order.new_cents == 5000
        assert order.findings.startswith("The sign was hard to read")
        assert (order.decision_maker, order.decision_maker_title) == (
            "Ada Ruiz",
            "Hearing Officer",
        )
        moved = current_hearing(
            session, contest_of(session, find_citation(session, sd.numbers[2], OPERATOR))
        )
        assert moved is not None and moved.session.day == LATER_DAY
    # Audited as the single forms are: one event per recorded row, by the clerk signed in.
    added = events(engine, sd.numbers)[len(before) :]
    assert [(key, action) for key, action, _ in added] == [
        (sd.numbers[0], "hearing.reduced"),
        (sd.numbers[1], "hearing.default"),
        (sd.numbers[2], "hearing.continued"),
    ]
    assert all("clerk desk" in actor for _, _, actor in added)
    page = Page(client.get(answer.headers["location"]).text)
    assert page.words("outcomes-done").startswith("3 outcomes recorded.")
    assert "decided Reduced. The order is on the citation's page" in page.words("hearing-1")
    assert "no show Upheld by default." in page.words("hearing-2")
    assert "postponed Continued to Tuesday, January 5, 2027." in page.words("hearing-3")
    assert "f-r1-outcome" not in page.attrs and "f-r4-outcome" in page.attrs


def test_a_refused_row_saves_nothing_and_keeps_everything_typed(web: Web, engine: Engine) -> None:
    client, sd, _ = web
    csrf = later(web, DECIDING)
    before = (states(engine, sd.numbers), events(engine, sd.numbers))
    typed = {
        "decided_by_name": "Ada Ruiz",
        "r1-outcome": "upheld",
        "r1-findings": "The officer's photo shows the can; the citation stands.",
        "r2-outcome": "reduced",
        "r2-findings": "First offence; a lower fine is fair.",
        "r2-new_amount": "lots",
        "r3-outcome": "continued",
        "r3-reason": "no",
        "r4-outcome": "no_show",
    }
    answer = client.post(
        f"/clerk/sessions/{sd.desk.session_id}", data={"csrf_token": csrf, **typed}
    )
    assert answer.status_code == 422
    page = Page(answer.text)
    assert "nothing was saved; fix the marked rows" in page.words("error-summary-title")
    assert "amount" in page.words("f-r2-new_amount-error-1")
    assert "reason" in page.words("f-r2-reduction_reason-error-1")
    assert "continuance needs its reason" in page.words("f-r3-reason-error-1")
    assert page.attrs["f-r2-new_amount"]["aria-invalid"] == "true"
    assert "f-r1-findings-error-1" not in page.attrs  # the good rows are not marked
    # Everything typed is kept, the good rows' too.
    assert page.attrs["f-r2-new_amount"]["value"] == "lots"
    assert page.words("f-r1-findings") == typed["r1-findings"]
    assert [selected(answer.text, f"r{p}-outcome") for p in range(1, 5)] == [
        "upheld",
        "reduced",
        "continued",
        "no_show",
    ]
    # Nothing was saved: not even rows 1 and 4, which were fine.
    assert (states(engine, sd.numbers), events(engine, sd.numbers)) == before


def test_a_hearing_not_yet_begun_and_another_officers_name_are_refused(
    web: Web, engine: Engine
) -> None:
    client, sd, csrf = web
    before = states(engine, sd.numbers)
    answer = client.post(  # the pages' clock is still Friday, December 4
        f"/clerk/sessions/{sd.desk.session_id}",
        data={
            "csrf_token": csrf,
            "decided_by_name": "Judge Someone Else",
            "r1-outcome": "dismissed",
            "r1-findings": "The sign was missing altogether.",
        },
    )
    assert answer.status_code == 422
    page = Page(answer.text)
    assert "Ada Ruiz" in page.words("f-decided_by_name-error-1")
    csrf = later(web, DECIDING)
    answer = client.post(
        f"/clerk/sessions/{sd.desk.session_id}",
        data={"csrf_token": csrf, "decided_by_name": "Ada Ruiz", "r1-outcome": "no_show"},
    )
    assert answer.status_code == 303
    csrf = later(web, CLOCK)
    answer = client.post(
        f"/clerk/sessions/{sd.desk.session_id}",
        data={"csrf_token": csrf, "decided_by_name": "Ada Ruiz", "r2-outcome": "no_show"},
    )
    assert answer.status_code == 422
    problem = Page(answer.text).words("r2-problem-1")
    assert "a no-show can be recorded only once it has begun" in problem, problem
    assert f"#2 {sd.numbers[1]}: the hearing is set for" in Page(answer.text).words("main")
    assert states(engine, sd.numbers)[1:] == before[1:]


def test_a_hearing_officer_who_does_not_keep_the_docket_may_not_use_the_page(
    filled: SessionDesk, database_url: str, engine: Engine
) -> None:
    sd = filled
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        move_pages_clock(client, DECIDING)
        csrf = sign_in(client, sd.desk.tokens["hearing_officer"], "/clerk/contests")
        assert client.get(f"/clerk/sessions/{sd.desk.session_id}").status_code == 403
        before = states(engine, sd.numbers)
        answer = client.post(
            f"/clerk/sessions/{sd.desk.session_id}",
            data={"csrf_token": csrf, "r2-outcome": "no_show"},
        )
        assert answer.status_code == 403
        assert states(engine, sd.numbers) == before


def test_a_session_that_does_not_exist_is_a_page_that_says_so(web: Web) -> None:
    client, _, _ = web
    assert client.get("/clerk/sessions/999999").status_code == 404
    assert client.get("/clerk/sessions/new").status_code == 200  # still the form to open one
