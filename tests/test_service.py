"""Deadlines count from service: handed over at the scene, or mailed by the city.

A notice the sender asks the city to mail has no deadlines until daily processing mails it;
then they count from the mailing date plus the profile's 5 days for mail. A record handed
over at the scene that reaches the city too late for the person to have their full time is
served again by mail, never issued with deadlines already past.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from citations.calendar import pay_deadline
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.errors import IllegalTransition, InputRejected
from citations.hearings.contests import request_review
from citations.notice.build import notice_for
from citations.payments.processing import process
from citations.record.lookup import find_citation
from citations.record.tables import Mailing, SentDocument
from citations.roles import OPERATOR
from citations.schedule import schedule_of
from tests.factories import message, prepare, send, subject
from tests.hearing_steps import CLERK
from tests.pdfs import pdf_text

LA = ZoneInfo("America/Los_Angeles")
ADDRESS = {"line1": "12 Olive St", "city": "Demo City", "state": "CA", "postal_code": "90012"}


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LA)


def issue(engine: Engine, violation: date, arrives: date, **changes: Any) -> tuple[str, Any]:
    body = message(violation_at=f"{violation.isoformat()}T22:15:00-08:00", **changes)
    issued = send(engine, body, now=at(arrives))
    assert issued.result.citation_number is not None
    return issued.result.citation_number, issued.result


def test_a_notice_to_be_mailed_has_its_deadlines_from_the_mailing(ready: Engine) -> None:
    number, result = issue(
        ready,
        date(2026, 11, 20),
        date(2026, 11, 21),
        service="mail",
        subject=subject(address=ADDRESS),
    )
    assert (result.service, result.pay_by) == ("mail", None)
    with transaction(ready) as session:
        citation = find_citation(session, number, OPERATOR)
        assert (citation.served_on, citation.due_on) == (None, None)
        with pytest.raises(IllegalTransition, match="waiting to be mailed"):
            notice_for(session, number, OPERATOR)
    mailed = date(2026, 11, 23)  # Monday: processing mails it
    with transaction(ready) as session:
        report = process(session, as_of=mailed, actor=OPERATOR, now=at(mailed))
    assert report.mailed == [number]
    with transaction(ready) as session:
        citation = find_citation(session, number, OPERATOR)
        profile = PublishedCatalog(session).jurisdiction()
        assert citation.served_on == date(2026, 11, 28)  # 5 days for mail
        # 20 days on is Friday 18 December.
        assert citation.due_on == pay_deadline(citation.served_on, profile) == date(2026, 12, 18)
        notice = notice_for(session, number, OPERATOR)
        assert (notice.mailed_on, notice.served_on, notice.pay_by) == (
            mailed,
            date(2026, 11, 28),
            date(2026, 12, 18),
        )
        document = session.scalars(select(SentDocument)).one()
        mailing = session.scalars(select(Mailing)).one()
        assert (document.kind, document.delivery, document.issued_on) == (
            "notice",
            "mailed",
            mailed,
        )
        assert (mailing.mailed_on, mailing.address) == (mailed, {**ADDRESS, "line2": None})
        text = pdf_text(document.content)
        assert "Enviada por correo el 23 de noviembre de 2026" in text
        assert "18 de diciembre de 2026" in text
        keys = {d.key: d.on for d in schedule_of(session, citation, profile).dates}
        assert keys["mailed_on"] == mailed and keys["pay_by"] == date(2026, 12, 18)
    with transaction(ready) as session:  # a second run mails nothing again
        assert process(session, as_of=mailed, actor=OPERATOR, now=at(mailed, 13)).mailed == []


def test_a_notice_to_be_mailed_needs_an_address(ready: Engine) -> None:
    with pytest.raises(InputRejected) as raised:
        issue(ready, date(2026, 11, 20), date(2026, 11, 21), service="mail")
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("subject.address", "required when the notice is to be mailed")
    ]


@pytest.mark.parametrize(
    ("arrives", "service"),
    [
        # First deadline Wednesday 9 December (19 Nov + 20): 10 days left on 29 Nov is enough.
        (date(2026, 11, 29), "personal"),
        (date(2026, 11, 30), "mail"),  # 9 days left: served again by mail
    ],
)
def test_a_record_arriving_late_is_served_again_by_mail(
    ready: Engine, arrives: date, service: str
) -> None:
    _number, result = issue(ready, date(2026, 11, 19), arrives, subject=subject(address=ADDRESS))
    assert result.service == service
    if service == "personal":
        assert result.pay_by == date(2026, 12, 9)
        assert result.reasons == []
    else:
        assert result.pay_by is None
        assert "served again by mail" in result.reasons[0]


def test_the_november_record_that_arrives_in_december_is_never_past_due(ready: Engine) -> None:
    """The issue's case: a violation on 1 November synced on 4 December used to be issued
    with 'Pay or contest by November 23', and a review request that day refused as late."""
    arrives = date(2026, 12, 4)
    number, result = issue(ready, date(2026, 11, 1), arrives, subject=subject(address=ADDRESS))
    assert result.service == "mail" and result.pay_by is None
    assert "2026-11-23" in result.reasons[0] and "11 days after" in result.reasons[0]
    with transaction(ready) as session:
        process(session, as_of=arrives, actor=OPERATOR, now=at(arrives))
    with transaction(ready) as session:
        notice = notice_for(session, number, OPERATOR)
    assert notice.served_on == arrives + timedelta(days=5)
    assert notice.pay_by == date(2026, 12, 29) and notice.contest_by >= arrives
    with transaction(ready) as session:
        request_review(
            session,
            number,
            "Not me.",
            received_at=at(arrives, 15),
            actor=CLERK,
            now=at(arrives, 15),
        )


def test_a_late_record_with_no_address_waits_for_a_clerk(ready: Engine) -> None:
    arrives = date(2026, 12, 4)
    number, _result = issue(ready, date(2026, 11, 1), arrives)
    with transaction(ready) as session:
        assert process(session, as_of=arrives, actor=OPERATOR, now=at(arrives)).mailed == []
        citation = find_citation(session, number, OPERATOR)
        assert citation.due_on is None
        assert citation.attention is not None and "no address" in citation.attention
    with transaction(ready) as session:  # nothing is late while it was never served
        later = date(2027, 3, 1)
        report = process(session, as_of=later, actor=OPERATOR, now=at(later))
        assert report.delinquent == [] and report.referred == []


@pytest.mark.clock(datetime(2026, 11, 23, 18, 0, tzinfo=LA))
def test_show_says_how_it_was_served_and_the_next_date(ready: Engine, database_url: str) -> None:
    from click.testing import CliRunner

    from cli import cli

    number, _ = issue(
        ready,
        date(2026, 11, 20),
        date(2026, 11, 21),
        service="mail",
        subject=subject(address=ADDRESS),
    )
    runner = CliRunner()
    shown = runner.invoke(cli, ["show", number, "--database", database_url])
    assert shown.exit_code == 0, shown.output
    assert "served:     not yet: the notice waits to be mailed" in shown.output
    with transaction(ready) as session:
        process(session, as_of=date(2026, 11, 23), actor=OPERATOR, now=at(date(2026, 11, 23)))
    shown = runner.invoke(cli, ["show", number, "--database", database_url])
    assert "served:     by mail; deadlines count from Sat 2026-11-28" in shown.output
    assert "next:       Pay by (the notice's deadline) Fri 2026-12-18" in shown.output


def test_a_returned_notice_goes_out_again_to_a_new_address_with_new_deadlines(
    ready: Engine,
) -> None:
    from citations.issuing.intake import Address
    from citations.notice.address import change_address
    from citations.record.returns import record_return

    number, _ = issue(
        ready,
        date(2026, 11, 20),
        date(2026, 11, 21),
        service="mail",
        subject=subject(address=ADDRESS),
    )
    mailed = date(2026, 11, 23)
    with transaction(ready) as session:
        process(session, as_of=mailed, actor=OPERATOR, now=at(mailed))
    with transaction(ready) as session:
        first = session.scalars(select(SentDocument)).one()
        record_return(
            session,
            number,
            first.id,
            returned_on=date(2026, 11, 30),
            reason="Moved",
            actor=CLERK,
            now=at(date(2026, 11, 30)),
        )
    with transaction(ready) as session:
        assert find_citation(session, number, OPERATOR).attention is not None
    new = Address(line1="48 Alvarado St", city="Demo City", state="CA", postal_code="90026")
    moved = date(2026, 12, 1)
    with transaction(ready) as session:
        again = change_address(session, number, new, actor=CLERK, now=at(moved))
        assert (again.kind, again.about, again.delivery) == (
            "notice",
            "revision:1/mailing:2",
            "mailed",
        )
        citation = find_citation(session, number, OPERATOR)
        # Mailed 1 December, served 6 December (5 days for mail), 20 days: 28 December.
        assert citation.served_on == date(2026, 12, 6)
        assert citation.due_on == date(2026, 12, 28) and citation.attention is None
        assert "48 Alvarado St" in pdf_text(again.content)
        assert first.content != again.content  # a new document, the first one kept as sent
