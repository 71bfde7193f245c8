"""Hours of community service: offered in quarter hours rounded up, capped at the version's
maximum, logged in quarter hours, and credited exactly (the offered hours pay off exactly what
is owed). One figure (`service_hours`) on the notice, the election, the API and the command
line."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import make_engine, transaction
from citations.documents.formats import service_credit, service_hours
from citations.errors import InputRejected
from citations.notice.build import notice_for
from citations.notice.render import render_notice
from citations.payments.service import elect_service, log_hours, logged_minutes, sign_off
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.cli_steps import run
from tests.databases import Databases
from tests.factories import message, prepare, send
from tests.money_steps import CASHIER, at, issue_one, pay, state
from tests.pdfs import pdf_text

QUARTER = Decimal("0.25")
fines = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500.00"), places=2)
caps = st.one_of(st.none(), st.integers(min_value=1, max_value=500))


# The offer, for any fine, rate and maximum


@given(fine=fines, rate=rates, max_hours=caps)
def test_the_offer_is_the_fewest_quarter_hours_that_cover_the_fine(
    fine: Decimal, rate: Decimal, max_hours: int | None
) -> None:
    hours = service_hours(fine, rate, max_hours)
    assert hours % QUARTER == 0 and hours > 0
    covers = hours * rate >= fine
    if max_hours is None or covers:
        # Under the cap: enough, and less than a quarter hour more than enough.
        assert covers
        assert hours * rate < fine + rate / 4
        assert max_hours is None or hours <= max_hours
    else:
        # Capped: the most the version allows, which does not cover the fine.
        assert hours == max_hours
        assert Fraction(fine) / Fraction(rate) > max_hours


@given(fine=fines, rate=rates, max_hours=caps, cuts=st.lists(st.floats(0, 1), max_size=8))
def test_logging_the_offered_hours_in_any_split_leaves_nothing_owed(
    fine: Decimal, rate: Decimal, max_hours: int | None, cuts: list[float]
) -> None:
    offered = service_hours(fine, rate, max_hours)
    quarters = int(offered * 4)
    # The offered quarter hours cut into parts (the floats only place the cuts).
    points = sorted({0, quarters, *(round(c * quarters) for c in cuts)})
    parts = [Decimal(b - a) / 4 for a, b in itertools.pairwise(points)]
    assert sum(parts) == offered and all(p % QUARTER == 0 for p in parts)
    # Each part logged and signed off: what the hours so far are worth, never above the fine.
    so_far = [
        service_credit(sum(parts[:n], Decimal(0)), rate, fine) for n in range(1, len(parts) + 1)
    ]
    assert so_far == sorted(so_far) and so_far[-1] <= fine
    if offered * rate >= fine:
        assert fine - so_far[-1] == 0  # never leaves a residue
    else:
        assert so_far[-1] == (offered * rate).quantize(Decimal("0.01"))  # capped: all counts


def test_a_250_fine_at_20_an_hour_is_12_and_a_half_hours() -> None:
    assert service_hours(Decimal("250.00"), Decimal("20.00"), 50) == Decimal("12.5")
    assert service_credit(Decimal("12.5"), Decimal("20.00"), Decimal("250.00")) == Decimal("250.00")
    assert service_hours(Decimal("1000.00"), Decimal("5.00"), 50) == 50
    assert service_hours(Decimal("0.01"), Decimal("20.00"), 50) == QUARTER


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        ("1.1", "1.1 is not in quarter hours: log 1 or 1.25 hours"),
        ("0.125", "0.125 is not in quarter hours: log 0.25 hours"),
        ("2.333", "2.333 is not in quarter hours: log 2.25 or 2.5 hours"),
        ("0", "0 hours: log from 0.25 to 24 hours a day"),
        ("24.25", "24.25 hours: log from 0.25 to 24 hours a day"),
    ],
)
def test_hours_are_logged_in_quarter_hours(hours: str, problem: str) -> None:
    with pytest.raises(InputRejected) as refused:
        logged_minutes(Decimal(hours))
    assert [(e.field, e.message.split(" (")[0]) for e in refused.value.errors] == [
        ("hours", problem)
    ]


# Through the library, the notice, the API and the command line


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


SUMMER = datetime(2024, 6, 20, 19, 0, tzinfo=UTC)
"""Noon on 2024-06-20 in Los Angeles, when TC 41.27(c)'s first fine was $250 ($20 an hour)."""


@pytest.mark.clock(SUMMER)
def test_twelve_and_a_half_hours_pay_off_a_250_fine(ready: Engine) -> None:
    body = message(violation_at="2024-06-20T11:00:00-07:00")
    number = send(ready, body, now=SUMMER).result.citation_number
    assert number is not None
    with transaction(ready) as session:
        notice = pdf_text(render_notice(notice_for(session, number, OPERATOR)))
    assert "La multa de $250.00 equivale a 12.5 horas de servicio." in notice  # not 13
    with transaction(ready) as session:
        offered = elect_service(
            session, number, "food-bank", actor=CASHIER, now=SUMMER + timedelta(days=1)
        )
        assert offered.hours_required == Decimal("12.5")
        for day, hours in [(date(2024, 6, 22), "8"), (date(2024, 6, 23), "4.5")]:
            log_hours(
                session, number, day, Decimal(hours), actor=CASHIER, now=SUMMER.replace(day=24)
            )
        done = sign_off(
            session, number, "Lee, food bank lead", actor=CASHIER, now=SUMMER.replace(day=24)
        )
    assert (done.status, done.hours_signed_off) == ("completed", Decimal("12.50"))
    status, owed, _, ledger = state(ready, number)
    assert (status, owed) == ("served", Decimal("0.00"))
    assert ledger[-1] == ("service_credit", 25000)


@pytest.fixture
def api(ready: Engine, database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with transaction(ready) as session:
        _, secret = create_token(
            session, role="clerk", agency=None, name="desk", actor=OPERATOR, now=at("2026-11-20")
        )
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {secret}"}


def test_the_api_offers_and_refuses_hours_as_the_library_does(
    api: tuple[TestClient, dict[str, str]], ready: Engine
) -> None:
    client, clerk = api
    number = issue_one(ready)  # $200
    pay(ready, number, "50.00")  # $150 owed: 7.5 hours at $20, not 8
    url = f"/v1/citations/{number}/service"
    elected = client.post(url, headers=clerk, json={"provider": "food-bank"})
    assert elected.status_code == 201, elected.text
    assert elected.json()["hours_required"] == "7.5"
    refused = client.post(
        f"{url}/hours", headers=clerk, json={"worked_on": "2026-11-28", "hours": "1.1"}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "field": "hours",
            "message": "1.1 is not in quarter hours: log 1 or 1.25 hours "
            "(0.25, 0.5, 0.75, 1, 1.25, ...)",
        }
    ]


def test_the_command_line_offers_and_refuses_hours_as_the_library_does(
    runner: CliRunner, ready: Engine, database_url: str
) -> None:
    number = issue_one(ready)
    pay(ready, number, "50.00")
    db = ("--database", database_url)
    elected = run(runner, "service", "elect", number, "--provider", "food-bank", *db).output
    assert "0.00 of 7.5 hours signed off" in elected
    # Not the money message ("at most two decimals"): hours say what hours look like.
    refused = run(
        runner, "service", "log", number, "--date", "2026-11-29", "--hours", "0.125", *db, code=1
    ).output
    assert "hours: 0.125 is not in quarter hours: log 0.25 hours" in refused
    logged = run(
        runner, "service", "log", number, "--date", "2026-11-29", "--hours", "7.5", *db
    ).output
    assert "(7.50 pending)" in logged
    signed = run(runner, "service", "sign-off", number, "--signer", "Lee, food bank", *db).output
    assert "7.50 of 7.5 hours signed off" in signed and "completed" in signed
    assert state(ready, number)[:2] == ("served", Decimal("0.00"))


# Any split of the offered hours, through the library, on one shared SQLite database


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("service") / "service.db"
    engine = make_engine(databases.sqlite_copy(path))
    prepare(engine)
    yield engine
    engine.dispose()


paid_first = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("199.99"), places=2)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(paid=paid_first, data=st.data())
def test_the_offered_hours_logged_in_any_split_and_signed_off_at_any_time_pay_it_off(
    shared: Engine, paid: Decimal, data: st.DataObject
) -> None:
    number = issue_one(shared)  # $200 at $20 an hour, up to 50 hours
    if paid:
        pay(shared, number, str(paid))
    with transaction(shared) as session:
        offered = elect_service(session, number, "food-bank", actor=CASHIER, now=at("2026-11-25"))
    quarters = int(offered.hours_required * 4)
    assert Decimal(quarters) / 4 * 20 - (200 - paid) < 5  # less than a quarter hour over
    logged = 0
    while logged < quarters:
        chunk = data.draw(st.integers(1, min(96, quarters - logged)), label="quarters")
        sign_now = data.draw(st.booleans(), label="sign off now") or logged + chunk == quarters
        with transaction(shared) as session:
            log_hours(
                session,
                number,
                date(2026, 11, 26),
                Decimal(chunk) / 4,
                actor=CASHIER,
                now=at("2026-11-27"),
            )
            if sign_now:
                sign_off(session, number, "Lee, food bank", actor=CASHIER, now=at("2026-11-27"))
        logged += chunk
    status, owed, _, ledger = state(shared, number)
    assert (status, owed) == ("served", Decimal("0.00"))
    assert ledger[-1] == ("service_credit", int((200 - paid) * 100))
