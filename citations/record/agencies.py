"""Agencies and their citation numbers: blocks for offline devices, and numbers assigned online.

Each agency has one sequence per year. A block reserves a run of it for one device; a number
assigned online takes the next one. Both draw from the same counter under a row lock, so a
number can never be handed out twice, and a rolled-back transaction leaves no gap.

Numbers are six digits wide until an agency needs more than 999,999 a year; `widen_numbers`
makes the numbers it draws from then on wider. A width is fixed when a number is drawn (a
block keeps its own), so a sequence is only ever written one way.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citations.audit import record
from citations.errors import CitationsError, FieldError, InputRejected, NotFound
from citations.record.numbering import (
    MAX_SEQUENCE_DIGITS,
    SEQUENCE_DIGITS,
    CitationNumber,
    InvalidCitationNumber,
    max_sequence,
)
from citations.record.tables import Agency, Citation, NumberBlock, NumberSequence
from citations.roles import Action, Actor

MAX_BLOCK_SIZE = 10_000


class NumbersExhausted(CitationsError):
    def __init__(self, agency: str, year: int, digits: int) -> None:
        message = f"agency {agency} has used every {digits}-digit citation number for {year}"
        if digits < MAX_SEQUENCE_DIGITS:
            message += f"; `citations agencies widen {agency} --digits {digits + 1}` gives it more"
        super().__init__(message)


def register_agency(
    session: Session,
    code: str,
    name: str,
    *,
    actor: Actor,
    now: datetime,
    digits: int = SEQUENCE_DIGITS,
) -> Agency:
    """Add an issuing agency; its code (2 to 8 capital letters) prefixes its citation numbers,
    whose sequences are `digits` wide (6 for up to 999,999 a year)."""
    actor.require(Action.MANAGE_AGENCIES)
    code = code.strip().upper()
    errors = []
    if not re.fullmatch(r"[A-Z]{2,8}", code):
        errors.append(FieldError("code", "must be 2 to 8 letters, e.g. DCPD"))
    if not SEQUENCE_DIGITS <= digits <= MAX_SEQUENCE_DIGITS:
        errors.append(
            FieldError("digits", f"must be from {SEQUENCE_DIGITS} to {MAX_SEQUENCE_DIGITS}")
        )
    if not name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if errors:
        raise InputRejected(errors)
    if session.scalar(select(Agency).where(Agency.code == code)) is not None:
        raise InputRejected([FieldError("code", f"agency {code} already exists")])
    agency = Agency(code=code, name=name.strip(), created_at=now, sequence_digits=digits)
    session.add(agency)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="agency.register",
        entity_type="agency",
        entity_key=code,
        after={"code": code, "name": agency.name, "digits": digits},
    )
    return agency


def widen_numbers(
    session: Session, code: str, digits: int, *, actor: Actor, now: datetime
) -> Agency:
    """Make the numbers an agency draws from now on `digits` wide (never narrower).

    Numbers already drawn keep their width, blocks already allocated too: a device goes on
    writing the numbers it was given. The counter goes on where it was, so a sequence drawn
    after widening is one never drawn before, written in the new width."""
    actor.require(Action.MANAGE_AGENCIES)
    agency = get_agency(session, code, lock=True)
    before = agency.sequence_digits
    if (refused := _not_wider(agency.code, before, digits)) is not None:
        raise InputRejected(
            [FieldError("digits", refused)], f"agency {agency.code}'s numbers were not widened"
        )
    agency.sequence_digits = digits
    record(
        session,
        at=now,
        actor=actor.name,
        action="agency.widen_numbers",
        entity_type="agency",
        entity_key=agency.code,
        before={"digits": before},
        after={"digits": digits},
    )
    return agency


def _not_wider(code: str, before: int, digits: int) -> str | None:
    """Why `digits` cannot be an agency's new width when its numbers are `before` wide."""
    if digits == before:
        return f"{code}'s numbers are {before} digits already"
    if digits < before:
        return (
            f"{code}'s numbers are {before} digits; they can be widened, never narrowed "
            "(numbers already drawn would no longer fit)"
        )
    if before == MAX_SEQUENCE_DIGITS:
        return f"the numbers are already {before} digits, the widest"
    if digits > MAX_SEQUENCE_DIGITS:
        return f"must be from {before + 1} to {MAX_SEQUENCE_DIGITS}"
    return None


def get_agency(session: Session, code: str, *, lock: bool = False) -> Agency:
    """The agency of `code`; with `lock`, its row locked until the transaction ends."""
    query = select(Agency).where(Agency.code == code.strip().upper())
    agency = session.scalar(query.with_for_update() if lock else query)
    if agency is None:
        raise NotFound("agency", code)
    return agency


def list_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.code)))


def reserve_numbers(session: Session, agency: Agency, year: int, count: int) -> int:
    """Reserve `count` sequence numbers; returns the first. Locks the agency's counter."""
    sequence = session.scalar(
        select(NumberSequence)
        .where(NumberSequence.agency_id == agency.id, NumberSequence.year == year)
        .with_for_update()
    )
    if sequence is None:
        try:
            with session.begin_nested():
                session.add(NumberSequence(agency_id=agency.id, year=year, next_sequence=1))
        except IntegrityError:
            pass  # another transaction created it first; lock theirs below
        sequence = session.scalars(
            select(NumberSequence)
            .where(NumberSequence.agency_id == agency.id, NumberSequence.year == year)
            .with_for_update()
        ).one()
    first = sequence.next_sequence
    if first + count - 1 > max_sequence(agency.sequence_digits):
        raise NumbersExhausted(agency.code, year, agency.sequence_digits)
    sequence.next_sequence = first + count
    return first


def allocate_block(
    session: Session,
    agency_code: str,
    device_id: str,
    size: int,
    *,
    year: int,
    actor: Actor,
    now: datetime,
) -> NumberBlock:
    """Reserve `size` consecutive numbers of `year` for one device of an agency."""
    actor.require(Action.ALLOCATE_NUMBERS, agency_code.strip().upper())
    errors = []
    if not 1 <= size <= MAX_BLOCK_SIZE:
        errors.append(FieldError("size", f"must be from 1 to {MAX_BLOCK_SIZE}"))
    if not device_id.strip():
        errors.append(FieldError("device_id", "must not be empty"))
    if errors:
        raise InputRejected(errors, "the number block request was rejected")
    agency = get_agency(session, agency_code)
    first = reserve_numbers(session, agency, year, size)
    block = NumberBlock(
        agency_id=agency.id,
        device_id=device_id.strip(),
        year=year,
        first_sequence=first,
        last_sequence=first + size - 1,
        digits=agency.sequence_digits,
        allocated_at=now,
        allocated_by=actor.name,
    )
    session.add(block)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="numbers.allocate_block",
        entity_type="number_block",
        entity_key=f"{agency.code}/{device_id}",
        after=describe_block(agency, block),
    )
    return block


def describe_block(agency: Agency, block: NumberBlock) -> dict[str, object]:
    return {
        "agency": agency.code,
        "device_id": block.device_id,
        "year": block.year,
        "first": str(CitationNumber(agency.code, block.year, block.first_sequence, block.digits)),
        "last": str(CitationNumber(agency.code, block.year, block.last_sequence, block.digits)),
        "size": block.last_sequence - block.first_sequence + 1,
    }


def accept_device_number(
    session: Session, agency: Agency, device_id: str, text: str
) -> CitationNumber:
    """Check a number a device wrote offline: valid, from one of its blocks, never used."""
    field = "citation_number"
    try:
        number = CitationNumber.parse(text)
    except InvalidCitationNumber as exc:
        raise InputRejected([FieldError(field, exc.reason)], exc.headline) from None
    if number.prefix != agency.code:
        raise InputRejected(
            [FieldError(field, f"prefix {number.prefix} is not agency {agency.code}'s")]
        )
    width = session.scalar(
        select(NumberBlock.digits).where(
            NumberBlock.agency_id == agency.id,
            NumberBlock.device_id == device_id,
            NumberBlock.year == number.year,
            NumberBlock.first_sequence <= number.sequence,
            NumberBlock.last_sequence >= number.sequence,
        )
    )
    if width is None:
        raise InputRejected(
            [FieldError(field, f"{number} is outside every number block of device {device_id}")]
        )
    if number.digits != width:
        # Written another width, the same sequence would be a second number: refuse it.
        raise InputRejected(
            [
                FieldError(
                    field,
                    f"{number} has a {number.digits}-digit sequence; the block of device "
                    f"{device_id} it falls in has {width}-digit numbers",
                )
            ]
        )
    if session.scalar(select(Citation.id).where(Citation.number == str(number))) is not None:
        raise InputRejected([FieldError(field, f"{number} has already been used")])
    return number
