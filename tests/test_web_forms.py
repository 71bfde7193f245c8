"""The clerks' forms: each one acts through the library, and each shows what went wrong
next to the field, keeping what was typed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.database import transaction
from citations.hearings.build import ContestPublic, contest_summary
from citations.hearings.officers import recuse
from citations.roles import OPERATOR
from tests.browser.desk import (
    CLOCK,
    HEARING_TIME,
    Desk,
    desk_app,
    move_pages_clock,
    set_desk,
    sign_in,
)
from tests.browser.html import Page
from tests.pdfs import pdf_text

pytestmark = [
    pytest.mark.filled_by(fill=set_desk),
    pytest.mark.clock(CLOCK),  # the desk's day: the pages, the API and tokens agree
]

Web = tuple[TestClient, Desk, str]
"""The client signed in as a clerk, the desk, and the session's form token."""


@pytest.fixture
def web(filled: Desk, database_url: str) -> Iterator[Web]:
    desk = filled
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client, desk, sign_in(client, desk.tokens["clerk"])


def later(web: Web, moment: datetime) -> Web:
    """The pages act at `moment` from now on; the clerk, whose session of the day before has
    expired, signs in again (a new session, with its own form token)."""
    client, desk, _ = web
    move_pages_clock(client, moment)
    return client, desk, sign_in(client, desk.tokens["clerk"])


def contest(engine: Engine, number: str) -> ContestPublic:
    with transaction(engine) as session:
        return contest_summary(session, number, OPERATOR)


def post(web: Web, number: str, form: str, **fields: str) -> Page:
    """Post a form that must be refused; the page shown again (422)."""
    client, _, csrf = web
    answer = client.post(f"/clerk/citations/{number}/{form}", data={"csrf_token": csrf, **fields})
    assert answer.status_code == 422, answer.text
    return Page(answer.text)


def done(web: Web, number: str, form: str, **fields: str) -> Page:
    """Post a form that must be accepted; the citation page it leads to."""
    client, _, csrf = web
    answer = client.post(f"/clerk/citations/{number}/{form}", data={"csrf_token": csrf, **fields})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/clerk/citations/{number}?done={form}"
    return Page(client.get(answer.headers["location"]).text)


def error_at(page: Page, field: str) -> str:
    """The error shown above a field, checked to be tied to it for screen readers."""
    message = page.words(f"f-{field}-error-1")
    assert message, f"no error next to {field}"
    assert f"f-{field}-error-1" in page.attrs[f"f-{field}"]["aria-describedby"]
    assert page.attrs[f"f-{field}"].get("aria-invalid") == "true"
    return message


def test_a_citation_form_leads_back_and_cancels_to_its_citation(web: Web) -> None:
    client, desk, _ = web
    number = desk.numbers["to_schedule"]
    html = client.get(f"/clerk/citations/{number}/schedule").text
    assert f'<a href="/clerk/citations/{number}">Back to citation {number}</a>' in html
    assert f'<a class="cancel" href="/clerk/citations/{number}">Cancel</a>' in html


def test_schedule_proposes_the_earliest_session_that_fits(web: Web, engine: Engine) -> None:
    client, desk, _ = web
    number = desk.numbers["to_schedule"]
    page = Page(client.get(f"/clerk/citations/{number}/schedule").text)
    assert "Monday, December 14, 2026 at 9:00" in page.words("proposal")
    assert "3 of 4 places left" in page.words("proposal")
    chosen = [o for o in page.inputs if o.get("id") == "f-session"]
    assert chosen and "f-session-hint" in chosen[0]["aria-describedby"]
    after = done(web, number, "schedule", session="earliest")
    assert "The hearing is scheduled" in after.words("main")
    assert "Hearing notice: hearing of Dec 14, 2026 (PDF)" in after.words("documents-section")
    hearing = contest(engine, number).hearings[-1]
    assert hearing.session_id == desk.session_id and hearing.position == 2


def test_schedule_into_a_session_that_cannot_take_it_says_why(web: Web, engine: Engine) -> None:
    client, desk, _ = web
    number = desk.numbers["to_schedule"]
    with transaction(engine) as session:
        recuse(session, 1, number, "Knows the person.", actor=OPERATOR, now=CLOCK)
    proposal = Page(client.get(f"/clerk/citations/{number}/schedule").text)
    assert "No session can be proposed" in proposal.words("proposal")
    assert "free of conflict" in proposal.words("proposal")
    page = post(web, number, "schedule", session=str(desk.session_id))
    assert error_at(page, "session") == "Error: Ada Ruiz is recused from this citation"
    selected = page.html[page.html.index(f'<option value="{desk.session_id}"') :]
    assert selected.split(">")[0].endswith("selected")  # the choice is kept
    assert contest(engine, number).hearings == []


def test_continue_needs_a_reason_and_then_moves_the_hearing(web: Web, engine: Engine) -> None:
    _, desk, _ = web
    number = desk.numbers["on_docket"]
    page = post(web, number, "continue", reason="no", session="earliest")
    assert error_at(page, "reason") == "Error: a continuance needs its reason"
    assert page.words("f-reason") == "no"
    done(web, number, "continue", reason="The person asked to bring a witness.")
    hearings = contest(engine, number).hearings
    assert [h.status for h in hearings] == ["postponed", "scheduled"]
    assert hearings[0].postponed_reason == "The person asked to bring a witness."


def test_a_decision_lists_every_problem_and_keeps_what_was_typed(web: Web) -> None:
    _, desk, _ = web
    number = desk.numbers["on_docket"]
    page = post(web, number, "decision", outcome="reduced", findings="short", new_amount="abc")
    assert error_at(page, "new_amount") == "Error: enter an amount such as 250.00"
    assert "written findings are required" in error_at(page, "findings")
    assert "a reduction needs its reason" in error_at(page, "reduction_reason")
    assert page.attrs["f-new_amount"]["value"] == "abc"
    assert page.words("f-findings") == "short"
    assert "checked" in page.attrs["f-outcome-reduced"]
    summary = page.words("main")
    assert "There is a problem" in summary and "New fine: enter an amount" in summary
    nothing = post(web, number, "decision", findings="The officer's photo is clear.")
    assert error_at(nothing, "outcome") == "Error: choose the outcome"
    assert nothing.words("f-findings") == "The officer's photo is clear."


def test_a_payment_schedule_is_read_line_by_line(web: Web) -> None:
    _, desk, _ = web
    number = desk.numbers["on_docket"]
    typed = "2027-01-15 50.00\nnext month 50"
    page = post(
        web,
        number,
        "decision",
        outcome="reduced",
        findings="A first offense; reduced.",
        new_amount="100.00",
        reduction_reason="First offense",
        installments=typed,
    )
    assert "line 2: write a date and an amount" in error_at(page, "installments")
    assert page.text["f-installments"].strip() == typed


def test_a_dismissal_records_the_order_and_refunds_the_deposit(web: Web, engine: Engine) -> None:
    client, desk, _ = web
    number = desk.numbers["on_docket"]
    web = later(web, HEARING_TIME)
    after = done(
        web, number, "decision", outcome="dismissed", findings="The city did not prove it."
    )
    assert "The hearing decision is recorded" in after.words("main")
    assert "dismissed" in after.words("main")
    # Both orders are listed, the review's and the hearing's, each with its own link.
    assert "Order: review decision, upheld (PDF)" in after.words("documents-section")
    assert "Order: hearing decision, dismissed (PDF)" in after.words("documents-section")
    order = client.get(f"/clerk/citations/{number}/order.pdf")  # the latest
    assert order.status_code == 200 and order.content.startswith(b"%PDF")
    assert "reembolso de $200.00" in pdf_text(order.content)  # the person reads Spanish
    decided = contest(engine, number)
    assert decided.citation_status == "dismissed"
    assert decided.orders[-1].refund == Decimal("200.00")
    signed = decided.orders[-1]
    assert (signed.decision_maker, signed.decided_by) == ("Ada Ruiz", "token 1 (clerk desk)")


def test_the_hearing_decision_form_says_who_signs_the_order(web: Web) -> None:
    client, desk, _ = web
    form = Page(client.get(f"/clerk/citations/{desk.numbers['on_docket']}/decision").text)
    assert form.words("signed-by") == (
        "The order is signed by Ada Ruiz, the session's hearing officer; you are recorded as "
        "who entered the decision."
    )


def test_a_review_is_signed_by_the_reviewer_named_not_the_clerk(web: Web, engine: Engine) -> None:
    client, desk, _ = web
    number = desk.numbers["review"]
    form = Page(client.get(f"/clerk/citations/{number}/review").text)
    # Never prefilled with the signed-in clerk: who enters a decision is not who decided it.
    assert form.attrs["f-decided_by_name"]["value"] == ""
    assert form.attrs["f-decided_by_title"]["value"] == ""
    findings = "The sign was visible in the photo."
    unsigned = post(web, number, "review", outcome="upheld", findings=findings)
    assert error_at(unsigned, "decided_by_name") == (
        "Error: name the reviewer who decided, as they sign the order"
    )
    assert "give the reviewer's title" in error_at(unsigned, "decided_by_title")
    assert "Reviewer's name: name the reviewer" in unsigned.words("main")
    assert unsigned.words("f-findings") == findings
    assert contest(engine, number).orders == []
    done(
        web,
        number,
        "review",
        outcome="upheld",
        findings=findings,
        decided_by_name="Pat Morgan",
        decided_by_title="Senior Review Officer",
    )
    order = contest(engine, number).orders[-1]
    assert (order.decision_maker, order.decision_maker_title, order.decided_by) == (
        "Pat Morgan",
        "Senior Review Officer",
        "token 1 (clerk desk)",
    )
    text = pdf_text(client.get(f"/clerk/citations/{number}/order.pdf").content)
    assert "Pat Morgan, Senior Review Officer" in text
    assert "clerk desk" not in text


def test_a_late_contest_is_refused_at_the_date_unless_accepted(web: Web, engine: Engine) -> None:
    _, desk, _ = web
    number = desk.numbers["issued"]
    web = later(web, datetime(2026, 12, 11, 20, 0, tzinfo=UTC))  # noon, the day after
    page = post(
        web, number, "review-request", statement="It was soda.", received_at="2026-12-11T09:00"
    )
    assert "after the deadline of 2026-12-10" in error_at(page, "received_at")
    assert page.attrs["f-received_at"]["value"] == "2026-12-11T09:00"
    assert page.words("f-statement") == "It was soda."
    done(
        web,
        number,
        "review-request",
        statement="It was soda.",
        received_at="2026-12-11T09:00",
        late_reason="Notice mailed to an old address.",
    )
    assert contest(engine, number).review_late_reason == "Notice mailed to an old address."


def test_a_contest_through_review_waiver_and_deposit(web: Web, engine: Engine) -> None:
    """Review upheld, a hearing request with the wrong deposit then a waiver request, the
    waiver denied with its reasons, the deposit recorded: ready to schedule."""
    _, desk, _ = web
    number = desk.numbers["review"]
    done(
        web,
        number,
        "review",
        outcome="upheld",
        findings="The sign was visible in the photo.",
        decided_by_name="Pat Morgan",
        decided_by_title="Senior Review Officer",
    )
    page = post(web, number, "hearing-request", basis="deposit", deposit="150.00")
    assert error_at(page, "deposit") == (
        "Error: the advance deposit is the amount due, 200.00, not 150.00"
    )
    assert page.attrs["f-deposit"]["value"] == "150.00"
    declaration = "I receive CalFresh and cannot pay the deposit."
    done(web, number, "hearing-request", basis="waiver", waiver_declaration=declaration)
    assert contest(engine, number).stage == "waiver_pending"
    refused = post(web, number, "waiver", decision="deny")
    assert "a waiver decision needs its reasons" in error_at(refused, "reason")
    assert "checked" in refused.attrs["f-decision-deny"]
    done(web, number, "waiver", decision="deny", reason="Income above the guideline.")
    denied = contest(engine, number)
    assert denied.deposit_status == "waiver_denied" and denied.deposit_due_on is not None
    web = later(web, datetime(2027, 1, 30, 19, 0, tzinfo=UTC))  # weeks later
    late = post(web, number, "deposit", deposit="200.00", received_at="2027-01-30T10:00")
    assert "after the deadline" in error_at(late, "received_at")
    blank = post(web, number, "deposit", deposit="")
    assert error_at(blank, "deposit") == "Error: enter the amount"
    # Entered late, but it came in time: the day it was received counts.
    done(web, number, "deposit", deposit="200.00", method="cash", received_at="2026-12-07T10:00")
    assert contest(engine, number).stage == "ready"


def test_a_no_show_can_be_set_aside_for_good_cause(web: Web, engine: Engine) -> None:
    _, desk, _ = web
    number = desk.numbers["on_docket"]
    web = later(web, datetime(2026, 12, 15, 18, 0, tzinfo=UTC))  # the morning after
    after = done(web, number, "no-show")
    assert f"/clerk/citations/{number}/set-aside" in after.links
    page = post(web, number, "set-aside", reason="sick", received_at="2026-12-15T09:00")
    assert "state the good cause" in error_at(page, "reason")
    assert page.words("f-reason") == "sick"
    done(
        web,
        number,
        "set-aside",
        reason="In hospital that morning; records attached.",
        received_at="2026-12-15T09:00",
    )
    assert contest(engine, number).citation_status == "hearing_requested"


def test_a_step_the_status_does_not_allow_is_shown_at_the_top(web: Web) -> None:
    _, desk, _ = web
    page = post(web, desk.numbers["issued"], "no-show")
    summary = page.words("main")
    assert "There is a problem" in summary
    assert "is issued: cannot decide a hearing" in summary


def test_an_unreadable_time_is_an_error_next_to_it(web: Web) -> None:
    _, desk, _ = web
    page = post(
        web, desk.numbers["issued"], "review-request", statement="x y z", received_at="yesterday"
    )
    assert "enter a date and time" in error_at(page, "received_at")
    assert page.attrs["f-received_at"]["value"] == "yesterday"


def test_a_hearing_ten_days_away_is_decided_only_as_held_early_with_the_reason(
    web: Web, engine: Engine
) -> None:
    """The desk's day is 2026-12-04; the hearing is at 09:00 on 2026-12-14."""
    _, desk, _ = web
    number = desk.numbers["on_docket"]
    no_show = post(web, number, "no-show")
    assert "the hearing is set for 2026-12-14 09:00" in no_show.words("main")
    assert "a no-show can be recorded only once it has begun" in no_show.words("main")
    page = post(web, number, "decision", outcome="dismissed", findings="The city did not prove it.")
    assert "record the decision once it has begun" in error_at(page, "held_early_reason")
    assert contest(engine, number).citation_status == "hearing_scheduled"
    done(
        web,
        number,
        "decision",
        outcome="dismissed",
        findings="The city did not prove it.",
        held_early_reason="The person came in today and asked to be heard.",
    )
    decided = contest(engine, number)
    assert decided.citation_status == "dismissed"
    assert decided.hearings[-1].status == "held"
