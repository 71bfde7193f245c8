"""Agencies and their citation numbers: blocks for offline devices, and numbers assigned online.

Each agency has one sequence per year. A block reserves a run of it for one device; a number
assigned online takes the next one. Both draw from the same counter under a row lock, so a
number can never be handed out twice, and a rolled-back transaction leaves no gap.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citations.audit import record
from citations.errors import CitationsError, FieldError, InputRejected, NotFound
from citations.record.numbering import MAX_SEQUENCE, CitationNumber, InvalidCitationNumber
from citations.record.tables import Agency, Citation, NumberBlock, NumberSequence
from citations.roles import Action, Actor

MAX_BLOCK_SIZE = 10_000


class NumbersExhausted(CitationsError):
    def __init__(self, agency: str, year: int) -> None:
        super().__init__(f"agency {agency} has used every citation number for {year}")


def register_agency(
    session: Session, code: str, name: str, *, actor: Actor, now: datetime
) -> Agency:
    """Add an issuing agency; its code (2 to 8 capital letters) prefixes its citation numbers."""
    actor.require(Action.MANAGE_AGENCIES)
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{2,8}", code):
        raise InputRejected([FieldError("code", "must be 2 to 8 letters, e.g. DCPD")])
    if not name.strip():
        raise InputRejected([FieldError("name", "must not be empty")])
    if session.scalar(select(Agency).where(Agency.code == code)) is not None:
        raise InputRejected([FieldError("code", f"agency {code} already exists")])
    agency = Agency(code=code, name=name.strip(), created_at=now)
    session.add(agency)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="agency.register",
        entity_type="agency",
        entity_key=code,
        after={"code": code, "name": agency.name},
    )
    return agency


def get_agency(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code.strip().upper()))
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
    if first + count - 1 > MAX_SEQUENCE:
        raise NumbersExhausted(agency.code, year)
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
        "first": str(CitationNumber(agency.code, block.year, block.first_sequence)),
        "last": str(CitationNumber(agency.code, block.year, block.last_sequence)),
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
    block = session.scalar(
        select(NumberBlock.id).where(
            NumberBlock.agency_id == agency.id,
            NumberBlock.device_id == device_id,
            NumberBlock.year == number.year,
            NumberBlock.first_sequence <= number.sequence,
            NumberBlock.last_sequence >= number.sequence,
        )
    )
    if block is None:
        raise InputRejected(
            [FieldError(field, f"{number} is outside every number block of device {device_id}")]
        )
    if session.scalar(select(Citation.id).where(Citation.number == str(number))) is not None:
        raise InputRejected([FieldError(field, f"{number} has already been used")])
    return number
