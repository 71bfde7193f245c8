"""The clerks' search box (citations.record.search): a table of what people type, the
person's other citations, and officers kept to their agency; on both backends."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine

from citations.database import transaction
from citations.errors import InputRejected, PermissionDenied
from citations.issuing.amend import Amendment, amend_citation
from citations.record.search import SearchResult, search_citations
from citations.record.tables import Citation
from citations.roles import OPERATOR, Actor, Role
from tests.hearing_steps import at
from tests.search_steps import CLERK, JOHN, OFFICER, OTHER_OFFICER, Town, town

pytestmark = pytest.mark.filled_by(fill=town)

MARIAS = ("maria", "maria_again", "maria_unaccented")
ALL_LOPEZ = (*MARIAS, "ana")


def search(engine: Engine, query: str, actor: Actor = CLERK, limit: int = 50) -> SearchResult:
    with transaction(engine) as session:
        return search_citations(session, query, actor, limit)


def found(engine: Engine, query: str, actor: Actor = CLERK) -> set[str]:
    return {hit.number for hit in search(engine, query, actor).hits}


@pytest.mark.parametrize(
    ("query", "people", "matched"),
    [
        ("lopez", ALL_LOPEZ, "name"),
        ("LÓPEZ", ALL_LOPEZ, "name"),
        ("Lo\u0301pez", ALL_LOPEZ, "name"),
        ("lóp", ALL_LOPEZ, "name"),
        ("Lopez, Maria", MARIAS, "name"),
        ("lopez, ma", MARIAS, "name"),
        ("López,   Ana", ("ana",), "name"),
        ("maria lopez", MARIAS, "name"),
        ("Ana López", ("ana",), "name"),
        ("obrien", ("john",), "name"),
        ("o'brien-smith", ("john",), "name"),
        ("John O\u2019Brien", ("john",), "name"),
        ("1990-04-02", MARIAS, "date of birth"),
        ("04/02/1990", MARIAS, "date of birth"),
        ("4/2/1990", MARIAS, "date of birth"),
        ("12/31/1985", ("john",), "date of birth"),
        ("D1234567", ("maria", "maria_unaccented"), "identifier"),
        ("d-123-4567", ("maria", "maria_unaccented"), "identifier"),
        ("x99887766", ("john",), "identifier"),
        ("calle nandu", ("maria",), "address"),
        ("Ñandú", ("maria",), "address"),
        ("48 alvarado", ("john",), "address"),
        ("90012", ("maria",), "address"),
        ("zzyzx", (), None),
        ("1999-01-01", (), None),
    ],
)
def test_a_query_finds_its_people(
    engine: Engine, filled: Town, query: str, people: tuple[str, ...], matched: str | None
) -> None:
    result = search(engine, query)
    assert {hit.number for hit in result.hits} == {getattr(filled, p) for p in people}
    assert result.exact is None
    for hit in result.hits:
        assert matched in hit.matched


def test_a_whole_number_is_exact_and_part_of_one_finds_it(engine: Engine, filled: Town) -> None:
    result = search(engine, filled.john.lower())
    assert result.exact == filled.john
    assert [hit.number for hit in result.hits] == [filled.john]
    sequence = filled.john.split("-")[2]  # e.g. 000004
    assert filled.john in found(engine, sequence)
    assert search(engine, sequence).hits[0].matched == ["number"]
    assert found(engine, f"{sequence}-") == {filled.john}
    assert found(engine, "DCPD-2026") == {
        filled.maria,
        filled.maria_again,
        filled.maria_unaccented,
        filled.john,
    }


def test_a_hit_says_who_what_and_what_is_owed(engine: Engine, filled: Town) -> None:
    (hit,) = search(engine, "obrien").hits
    assert hit.name == "John O'Brien-Smith"
    assert str(hit.date_of_birth) == "1985-12-31"
    assert hit.status == "issued"
    assert str(hit.issued_on) == "2026-11-10"
    assert hit.balance > Decimal(0)
    assert hit.others == []


def test_a_persons_other_citations_by_name_and_birth_date_or_identifier(
    engine: Engine, filled: Town
) -> None:
    hits = {hit.number: hit for hit in search(engine, "1990-04-02").hits}
    others = {n: {o.number for o in hit.others} for n, hit in hits.items()}
    # The first: same name and birth date as the second, same licence as the third.
    assert others[filled.maria] == {filled.maria_again, filled.maria_unaccented}
    assert others[filled.maria_again] == {filled.maria}
    assert others[filled.maria_unaccented] == {filled.maria}


def test_newest_first_and_a_limit_says_there_is_more(engine: Engine, filled: Town) -> None:
    result = search(engine, "lopez", limit=2)
    assert len(result.hits) == 2
    assert result.more is True
    assert search(engine, "lopez").more is False


@pytest.mark.parametrize("query", ["", "  ", "a", "é", "-", "%%%%", "a-"])
def test_too_short_is_refused(engine: Engine, filled: Town, query: str) -> None:
    with pytest.raises(InputRejected) as refused:
        search(engine, query)
    assert refused.value.errors[0].field == "q"
    assert "at least 2" in refused.value.errors[0].message


@pytest.mark.parametrize("query", ["2026-02-30", "13/01/1990"])
def test_an_impossible_date_is_refused(engine: Engine, filled: Town, query: str) -> None:
    with pytest.raises(InputRejected) as refused:
        search(engine, query)
    assert "is not a date" in refused.value.errors[0].message


def test_wildcards_are_not_wildcards(engine: Engine, filled: Town) -> None:
    assert found(engine, "l_pez") == set()
    assert found(engine, "l%z") == set()
    assert found(engine, "2026%1") == set()


def test_officers_see_their_agency_only(engine: Engine, filled: Town) -> None:
    assert found(engine, "lopez", OFFICER) == {getattr(filled, p) for p in MARIAS}
    assert found(engine, "lopez", OTHER_OFFICER) == {filled.ana}
    assert found(engine, filled.ana, OFFICER) == set()
    assert search(engine, filled.ana, OFFICER).exact is None
    # Nor through the others of a person cited by both agencies.
    assert all(
        other.number != filled.ana
        for hit in search(engine, "lopez", OFFICER).hits
        for other in hit.others
    )


def test_a_cited_person_may_not_search(engine: Engine, filled: Town) -> None:
    person = Actor("person", Role.PERSON, citation=filled.john)
    with pytest.raises(PermissionDenied):
        search(engine, "lopez", person)


def test_the_folded_keys_follow_an_amendment(engine: Engine, filled: Town) -> None:
    renamed = {**JOHN, "last_name": "Ñúñez", "address": {"line1": "7 Elm Rd", "city": "Demo"}}
    with transaction(engine) as session:
        amend_citation(
            session,
            filled.john,
            Amendment.model_validate({"reason": "name misspelt", "subject": renamed}),
            actor=OPERATOR,
            now=at("2026-11-26"),
        )
    assert found(engine, "nunez") == {filled.john}
    assert found(engine, "Núñez, John") == {filled.john}
    assert found(engine, "obrien") == set()
    assert found(engine, "elm rd") == {filled.john}
    assert found(engine, "alvarado") == set()
    with transaction(engine) as session:
        citation = session.query(Citation).filter_by(number=filled.john).one()
        assert (citation.subject_last_folded, citation.subject_first_folded) == ("nunez", "john")
