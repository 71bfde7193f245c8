"""Agencies past 999,999 citations a year: numbers widened to seven to nine digits, each
number keeping the width it was drawn with, devices keeping their blocks' width, and the
seed widening its agency before a load that large."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update

from citations.audit import AuditEvent
from citations.database import transaction
from citations.errors import InputRejected
from citations.record.agencies import (
    NumbersExhausted,
    allocate_block,
    describe_block,
    get_agency,
    register_agency,
    widen_numbers,
)
from citations.record.lookup import get_citation
from citations.record.numbering import CitationNumber, InvalidCitationNumber, damm, max_sequence
from citations.record.search import search_citations
from citations.record.tables import Agency, Citation, NumberSequence
from citations.roles import OPERATOR, Actor, Role
from citations.seed.program import seed
from tests.cli_steps import run
from tests.conftest import NOW
from tests.factories import message, send

OFFICER = Actor("officer 4471", Role.OFFICER, "DCPD")

wide_numbers = st.integers(6, 9).flatmap(
    lambda digits: st.builds(
        CitationNumber,
        prefix=st.sampled_from(["DCPD", "NYPD"]),
        year=st.integers(2000, 2099),
        sequence=st.integers(0, max_sequence(digits)),
        digits=st.just(digits),
    )
)


@given(wide_numbers)
def test_a_number_of_any_width_reads_back_with_its_width(number: CitationNumber) -> None:
    text = str(number)
    assert len(text.split("-")[2]) == number.digits
    read = CitationNumber.parse(text)
    assert (read, read.digits, str(read)) == (number, number.digits, text)
    assert str(CitationNumber.parse(text.lower().replace("-", ""))) == text


@given(wide_numbers, st.data())
def test_every_single_digit_error_in_a_wide_number_is_caught(
    number: CitationNumber, data: st.DataObject
) -> None:
    digits = f"{number.year:04d}{number.written_sequence}"
    index = data.draw(st.integers(0, len(digits) - 1))
    delta = data.draw(st.integers(1, 9))
    wrong = digits[:index] + str((int(digits[index]) + delta) % 10) + digits[index + 1 :]
    assert damm(wrong) != damm(digits)


def test_one_sequence_written_two_widths_is_two_numbers() -> None:
    six, seven = CitationNumber("DCPD", 2026, 123), CitationNumber("DCPD", 2026, 123, 7)
    assert str(six) == f"DCPD-2026-000123-{six.check_digit}"
    assert str(seven) == f"DCPD-2026-0000123-{seven.check_digit}"
    assert six.check_digit != seven.check_digit  # the zero after the year moves the check
    assert str(CitationNumber("NYPD", 2026, 1_000_000, 7)).startswith("NYPD-2026-1000000-")


@pytest.mark.parametrize(
    ("sequence", "digits", "error"),
    [
        (1_000_000, 6, "sequence 1000000 does not fit 6 digits"),
        (10**9, 9, "sequence 1000000000 does not fit 9 digits"),
        (-1, 6, "sequence -1 does not fit 6 digits"),
        (1, 5, "a sequence has 6 to 9 digits"),
        (1, 10, "a sequence has 6 to 9 digits"),
    ],
)
def test_a_number_that_its_width_cannot_write_is_never_made(
    sequence: int, digits: int, error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        CitationNumber("DCPD", 2026, sequence, digits)


@pytest.mark.parametrize("text", ["DCPD-2026-00001234567-1", "DCPD-2026-00123-8", "DCPD20261"])
def test_sequences_of_five_or_ten_digits_are_not_numbers(text: str) -> None:
    with pytest.raises(InvalidCitationNumber, match="expected PREFIX-YYYY-NNNNNN-C"):
        CitationNumber.parse(text)


def last_number_drawn(engine: Engine, sequence: int, year: int = 2026) -> None:
    """As if DCPD had already drawn numbers up to `sequence` this year."""
    with transaction(engine) as session:
        agency = get_agency(session, "DCPD")
        session.add(NumberSequence(agency_id=agency.id, year=year, next_sequence=sequence + 1))


def test_an_agency_out_of_numbers_is_told_how_to_widen_and_widened_goes_on(db: str) -> None:
    from citations.database import make_engine

    engine = make_engine(db)
    last_number_drawn(engine, 999_998)
    last_six = send(engine, message(), OFFICER).result.citation_number
    assert last_six == str(CitationNumber("DCPD", 2026, 999_999))
    with pytest.raises(NumbersExhausted) as exhausted:
        send(engine, message(), OFFICER)
    assert str(exhausted.value) == (
        "agency DCPD has used every 6-digit citation number for 2026; "
        "`citations agencies widen DCPD --digits 7` gives it more"
    )
    with transaction(engine) as session:
        widen_numbers(session, "DCPD", 7, actor=OPERATOR, now=NOW)
    first_seven = send(engine, message(), OFFICER).result.citation_number
    assert first_seven == str(CitationNumber("DCPD", 2026, 1_000_000, 7))
    assert first_seven is not None and first_seven.startswith("DCPD-2026-1000000-")
    with transaction(engine) as session:
        # both widths are found by the number as printed, as typed, and in part
        for number in (last_six, first_seven):
            assert number is not None
            assert get_citation(session, number.lower(), OPERATOR).number == number
            assert search_citations(session, number, OPERATOR).exact == number
        assert [h.number for h in search_citations(session, "1000000", OPERATOR).hits] == [
            first_seven
        ]
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "agency.widen_numbers")
        ).one()
        assert (event.entity_key, event.before, event.after) == (
            "DCPD",
            {"digits": 6},
            {"digits": 7},
        )
    engine.dispose()


@pytest.mark.parametrize(
    ("digits", "message_"),
    [
        (7, "DCPD's numbers are 7 digits already"),
        (6, "DCPD's numbers are 7 digits; they can be widened, never narrowed"),
        (10, "must be from 8 to 9"),
    ],
)
def test_numbers_are_never_narrowed(engine: Engine, digits: int, message_: str) -> None:
    with transaction(engine) as session:
        register_agency(session, "DCPD", "Demo City Police", actor=OPERATOR, now=NOW, digits=7)
    with transaction(engine) as session, pytest.raises(InputRejected) as refused:
        widen_numbers(session, "DCPD", digits, actor=OPERATOR, now=NOW)
    assert refused.value.errors[0].field == "digits"
    assert message_ in refused.value.errors[0].message
    with transaction(engine) as session:
        assert get_agency(session, "DCPD").sequence_digits == 7


def test_the_widest_numbers_cannot_be_widened_and_registering_checks_the_width(
    engine: Engine,
) -> None:
    with transaction(engine) as session:
        register_agency(session, "NYPD", "Wide", actor=OPERATOR, now=NOW, digits=9)
    with transaction(engine) as session, pytest.raises(InputRejected) as refused:
        widen_numbers(session, "NYPD", 10, actor=OPERATOR, now=NOW)
    assert refused.value.errors[0].message == "the numbers are already 9 digits, the widest"
    with transaction(engine) as session, pytest.raises(InputRejected) as refused:
        register_agency(session, "X", "", actor=OPERATOR, now=NOW, digits=4)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("code", "must be 2 to 8 letters, e.g. DCPD"),
        ("digits", "must be from 6 to 9"),
        ("name", "must not be empty"),
    ]


def test_a_device_keeps_writing_its_blocks_width_after_the_agency_widens(db: str) -> None:
    from citations.database import make_engine

    engine = make_engine(db)
    with transaction(engine) as session:
        old = allocate_block(session, "DCPD", "unit-12", 5, year=2026, actor=OFFICER, now=NOW)
        widen_numbers(session, "DCPD", 8, actor=OPERATOR, now=NOW)
        new = allocate_block(session, "DCPD", "unit-14", 5, year=2026, actor=OFFICER, now=NOW)
        agency = get_agency(session, "DCPD")
        assert describe_block(agency, old)["first"] == str(CitationNumber("DCPD", 2026, 1))
        assert describe_block(agency, new)["first"] == str(CitationNumber("DCPD", 2026, 6, 8))
    six = str(CitationNumber("DCPD", 2026, 2))
    assert send(engine, message(citation_number=six), OFFICER).result.citation_number == six
    # sequence 3 written eight wide would be a second number for a sequence of the old block
    eight = CitationNumber("DCPD", 2026, 3, 8)
    with pytest.raises(InputRejected) as refused:
        send(engine, message(citation_number=str(eight)), OFFICER)
    assert refused.value.errors[0].message == (
        f"{eight} has a 8-digit sequence; the block of device unit-12 it falls in has "
        "6-digit numbers"
    )
    in_new = str(CitationNumber("DCPD", 2026, 7, 8))
    body = message(citation_number=in_new, device_id="unit-14")
    assert send(engine, body, OFFICER).result.citation_number == in_new
    engine.dispose()


def test_agencies_are_widened_from_the_command_line(db: str) -> None:
    runner = CliRunner()
    widened = run(runner, "agencies", "widen", "dcpd", "--digits", "7", "--database", db)
    assert "Agency DCPD's numbers are 7 digits from now on." in widened.output
    listed = run(runner, "agencies", "list", "--database", db).output
    assert "DCPD  Demo City Police  (7-digit numbers)" in listed
    assert "OTHR  Other Agency  (6-digit numbers)" in listed
    back = run(runner, "agencies", "widen", "DCPD", "--digits", "7", "--database", db, code=1)
    assert "digits: DCPD's numbers are 7 digits already" in back.output
    run(runner, "agencies", "add", "NYPD", "--name", "Big", "--digits", "8", "--database", db)
    listed = run(runner, "agencies", "list", "--database", db).output
    assert "NYPD  Big  (8-digit numbers)" in listed


def test_the_seed_widens_its_agency_before_a_year_could_pass_its_last_number(
    engine: Engine,
) -> None:
    seed(engine, 5, seed=3, now=NOW)  # registers DCPD with six-digit numbers
    with transaction(engine) as session:
        agency = get_agency(session, "DCPD")
        assert agency.sequence_digits == 6
        # as if this year and last had used all but a few of their numbers
        session.execute(
            update(NumberSequence)
            .where(NumberSequence.agency_id == agency.id)
            .values(next_sequence=999_990)
        )
    seed(engine, 40, seed=4, now=NOW)
    with transaction(engine) as session:
        agency = session.scalars(select(Agency).where(Agency.code == "DCPD")).one()
        assert agency.sequence_digits == 7
        numbers = session.scalars(select(Citation.number)).all()
    widths = {len(CitationNumber.parse(n).written_sequence) for n in numbers}
    assert widths == {6, 7}
    wide = [CitationNumber.parse(n) for n in numbers if len(n.split("-")[2]) == 7]
    assert wide and min(n.sequence for n in wide) == 999_990
