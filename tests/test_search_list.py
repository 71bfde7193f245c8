"""The list of citations (citations.record.listing): every filter, every sort both ways, and
paging at its edges; on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from citations.database import transaction
from citations.errors import InputRejected, PermissionDenied
from citations.record import listing
from citations.record.listing import CitationFilters, CitationPage, Paging, Sort, list_citations
from citations.record.status import CitationStatus
from citations.roles import Actor, Role
from tests.factories import message, prepare, send, subject
from tests.money_steps import pay
from tests.search_steps import CLERK, OFFICER, OTHER_OFFICER, Town, town

pytestmark = pytest.mark.filled_by(fill=town)


def listed(
    engine: Engine,
    actor: Actor = CLERK,
    sort: str | None = None,
    number: int = 1,
    size: int = 25,
    **filters: Any,
) -> CitationPage:
    with transaction(engine) as session:
        return list_citations(
            session,
            CitationFilters.model_validate(filters),
            Sort.read(sort),
            Paging(number=number, size=size),
            actor,
        )


def numbers(page: CitationPage) -> list[str]:
    return [row.number for row in page.rows]


def test_everything_newest_first_by_default(engine: Engine, filled: Town) -> None:
    page = listed(engine)
    assert numbers(page) == [
        filled.ana,
        filled.john,
        filled.maria_unaccented,
        filled.maria_again,
        filled.maria,
    ]
    assert (page.total, page.page, page.pages, page.sort) == (5, 1, 1, "-issued")
    assert not page.has_next and not page.has_previous
    row = page.rows[1]
    assert (row.name, row.agency, row.status, row.area) == (
        "John O'Brien-Smith",
        "DCPD",
        "issued",
        "Westside",
    )
    assert row.issued_on == date(2026, 11, 10)


@pytest.mark.parametrize(
    ("filters", "people"),
    [
        ({"status": ["issued"]}, {"maria", "maria_unaccented", "john", "ana"}),
        ({"status": ["paid"]}, {"maria_again"}),
        ({"status": ["paid", "issued"], "agency": "othr"}, {"ana"}),
        (
            {"ordinance": "TC 41.27(c)", "agency": "DCPD"},
            {"maria", "maria_again", "maria_unaccented", "john"},
        ),
        ({"ordinance": "TC 63.44"}, set()),
        ({"agency": "DCPD", "area": "Central"}, {"maria", "maria_again", "maria_unaccented"}),
        ({"area": "Westside"}, {"john"}),
        (
            {"issued_from": "2026-11-05", "issued_to": "2026-11-08"},
            {"maria_again", "maria_unaccented"},
        ),
        ({"issued_from": "2026-11-10"}, {"john", "ana"}),
        ({"issued_to": "2026-11-02"}, {"maria"}),
        ({"owing": True}, {"maria", "maria_unaccented", "john", "ana"}),
        ({"balance_min": "100.01"}, {"maria_unaccented", "john", "ana"}),
        ({"owing": True, "balance_min": "0"}, {"maria", "maria_unaccented", "john", "ana"}),
    ],
)
def test_filters(engine: Engine, filled: Town, filters: dict[str, Any], people: set[str]) -> None:
    # María's second citation paid in full; her first paid but 100.00.
    second = listed(engine, status=["issued"]).rows
    owed = {row.number: row.balance for row in second}
    pay(engine, filled.maria_again, str(owed[filled.maria_again]))
    pay(engine, filled.maria, str(owed[filled.maria] - Decimal("100.00")))
    page = listed(engine, **filters)
    assert set(numbers(page)) == {getattr(filled, p) for p in people}
    assert page.total == len(people)


def test_balances_are_what_is_owed(engine: Engine, filled: Town) -> None:
    before = {row.number: row.balance for row in listed(engine).rows}
    pay(engine, filled.john, "10.00")
    after = {row.number: row.balance for row in listed(engine).rows}
    assert after[filled.john] == before[filled.john] - Decimal("10.00")
    assert before[filled.john] > 0


@pytest.mark.parametrize(
    ("sort", "people"),
    [
        ("issued", ["maria", "maria_again", "maria_unaccented", "john", "ana"]),
        ("-issued", ["ana", "john", "maria_unaccented", "maria_again", "maria"]),
        # Folded: López and LOPEZ sort together, Ana before María; ties by id.
        ("name", ["ana", "maria", "maria_again", "maria_unaccented", "john"]),
        ("-name", ["john", "maria_unaccented", "maria_again", "maria", "ana"]),
    ],
)
def test_sorts(engine: Engine, filled: Town, sort: str, people: list[str]) -> None:
    assert numbers(listed(engine, sort=sort)) == [getattr(filled, p) for p in people]


def test_sort_by_number_and_balance(engine: Engine, filled: Town) -> None:
    pay(engine, filled.john, "50.00")
    pay(engine, filled.maria, "20.00")
    page = listed(engine, sort="number")
    assert numbers(page) == sorted(numbers(page))
    assert numbers(listed(engine, sort="-number")) == sorted(numbers(page), reverse=True)
    balances = [row.balance for row in listed(engine, sort="balance").rows]
    assert balances == sorted(balances)
    balances = [row.balance for row in listed(engine, sort="-balance").rows]
    assert balances == sorted(balances, reverse=True)


def test_officers_list_their_agency_only(engine: Engine, filled: Town) -> None:
    assert filled.ana not in numbers(listed(engine, OFFICER))
    assert listed(engine, OFFICER).total == 4
    assert numbers(listed(engine, OTHER_OFFICER)) == [filled.ana]
    assert listed(engine, OFFICER, agency="OTHR").total == 0


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"sort": "colour"}, "sort"),
        ({"size": 30}, "size"),
        ({"agency": "NOPE"}, "agency"),
        ({"issued_from": "2026-11-10", "issued_to": "2026-11-01"}, "issued_to"),
    ],
)
def test_bad_requests_are_refused_with_their_field(
    engine: Engine, filled: Town, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputRejected) as refused:
        listed(engine, **arguments)
    assert refused.value.errors[0].field == field


def test_filters_refuse_unknown_values() -> None:
    with pytest.raises(ValueError, match="status"):
        CitationFilters.model_validate({"status": ["lost"]})
    with pytest.raises(ValueError, match="balance_min"):
        CitationFilters.model_validate({"balance_min": "-1"})
    with pytest.raises(ValueError, match="colour"):
        CitationFilters.model_validate({"colour": "red"})
    with pytest.raises(ValueError, match="number"):
        Paging(number=0)


def test_a_cited_person_may_not_list(engine: Engine, filled: Town) -> None:
    with pytest.raises(PermissionDenied):
        listed(engine, Actor("person", Role.PERSON, citation=filled.john))


def crowd(engine: Engine) -> list[str]:
    """Fifty-two citations of one agency, one a day from 2026-09-01."""
    prepare(engine)
    made = []
    for day in range(52):
        person = subject(first_name=f"P{day:02d}", last_name="Crowd", identifiers=[])
        when = date(2026, 9, 1).toordinal() + day
        moment = date.fromordinal(when).isoformat()
        body = message(violation_at=f"{moment}T10:00:00-08:00", subject=person)
        number = send(engine, body).result.citation_number
        assert number is not None
        made.append(number)
    return made


@pytest.mark.filled_by(fill=crowd)
def test_pages_walk_the_whole_list_once(engine: Engine, filled: list[str]) -> None:
    seen: list[str] = []
    page = listed(engine, sort="issued")
    assert (page.total, page.pages, page.has_previous, page.has_next) == (52, 3, False, True)
    while True:
        seen += numbers(page)
        if not page.has_next:
            break
        page = listed(engine, sort="issued", number=page.page + 1)
    assert seen == filled
    assert (page.page, len(page.rows), page.has_previous) == (3, 2, True)
    beyond = listed(engine, sort="issued", number=4)
    assert (beyond.rows, beyond.total, beyond.pages) == ([], 52, 3)
    assert listed(engine, size=50, number=2).pages == 2
    assert len(listed(engine, size=100).rows) == 52
    assert listed(engine, size=100).pages == 1
    assert CitationStatus.ISSUED.value == listed(engine, size=50).rows[0].status


@pytest.mark.filled_by(fill=crowd)
def test_past_the_count_cap_the_total_says_more_and_pages_go_on(
    engine: Engine, filled: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "COUNT_CAP", 30)
    first = listed(engine, sort="issued")
    assert (first.total, first.total_exact, first.pages, first.has_next) == (30, False, None, True)
    third = listed(engine, sort="issued", number=3)
    assert numbers(third) == filled[50:] and not third.has_next and third.has_previous
    none = listed(engine, issued_to="2026-01-01")
    assert (none.total, none.total_exact, none.pages, none.has_next) == (0, True, 1, False)
