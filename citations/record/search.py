"""Finding anyone: one search box for a clerk (a name, a date of birth, an identifier, part
of a number or of an address) and the person's other citations.

Every lookup is one indexed query (citations.record.folding keeps the folded keys, migration
0015 the indexes), so a search answers in milliseconds at a million citations on
PostgreSQL. Officers see their own agency's citations only, as `find_citation` does.
The filtered, sorted and paged list of citations is in citations.record.listing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from citations.calendar import zone_of
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected, PermissionDenied
from citations.inputs import without_format
from citations.money import from_cents
from citations.record.folding import fold
from citations.record.numbering import CitationNumber, InvalidCitationNumber
from citations.record.tables import Agency, Citation, CitationIdentifier
from citations.roles import AGENCY_BOUND, Action, Actor, Role

MIN_LENGTH = 2
"""Fewer letters or digits than this find too much to read."""
MAX_LENGTH = 200
OTHERS_SHOWN = 20
"""At most this many of a person's other citations are listed with each result."""

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_NUMBER_PART = re.compile(r"^[A-Z0-9-]+$")
_WHOLE_NUMBER = re.compile(r"^[A-Za-z]{2,8}-?\d{4}-?\d{6,9}-?\d$")


class OtherCitation(BaseModel):
    """Another citation of the same person (same identifier, or same name and birth date)."""

    number: str
    status: str
    issued_on: date


class SearchHit(BaseModel):
    number: str
    name: str
    date_of_birth: date | None
    status: str
    issued_on: date
    balance: Decimal
    """What is owed now (negative: the city owes a refund)."""
    matched: list[str]
    """What the search matched: `number`, `name`, `date of birth`, `identifier`, `address`."""
    others: list[OtherCitation]


class SearchResult(BaseModel):
    query: str
    exact: str | None
    """The citation's number when the query was one citation's whole number: pages go there."""
    hits: list[SearchHit]
    more: bool
    """More citations matched than were returned: the clerk should narrow the search."""
    note: str | None = None
    """Why a query written as a whole citation number found none (a wrong check digit, no
    such citation), for the page to say."""


@dataclass
class _Found:
    """Citation ids in the order found, and what matched each."""

    order: list[int] = field(default_factory=list)
    matched: dict[int, list[str]] = field(default_factory=dict)
    more: bool = False

    def add(self, ids: list[int], what: str, limit: int) -> None:
        self.more = self.more or len(ids) > limit
        for citation_id in ids[:limit]:
            if citation_id not in self.matched:
                self.order.append(citation_id)
                self.matched[citation_id] = []
            if what not in self.matched[citation_id]:
                self.matched[citation_id].append(what)


def require_staff(actor: Actor) -> None:
    """Searching and listing are for staff: a cited person reads one citation, their own."""
    actor.require(Action.READ_CITATION)
    if actor.role is Role.PERSON:
        raise PermissionDenied(actor.role.value, "search citations", "staff only")


def read_date(text: str) -> date | None:
    """A date of birth as clerks type it: `1990-04-02` or `04/02/1990` (month first);
    None when the text is not written as a date; InputRejected for an impossible one.

    >>> read_date("04/02/1990"), read_date("1990-4-2"), read_date("lopez")
    (datetime.date(1990, 4, 2), datetime.date(1990, 4, 2), None)
    """
    if iso := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in iso.groups())
    elif us := _US_DATE.match(text):
        month, day, year = (int(g) for g in us.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        raise InputRejected(
            [FieldError("q", f"{text} is not a date (write 1990-04-02 or 04/02/1990)")],
            "the date cannot be read",
        ) from None


def like_escape(text: str) -> str:
    """Text with LIKE's wildcards taken literally (escape character `\\`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def agency_condition(session: Session, actor: Actor) -> ColumnElement[bool] | None:
    """What an officer may see: their agency's citations (None: everything)."""
    if actor.role not in AGENCY_BOUND:
        return None
    agency_id = session.scalar(select(Agency.id).where(Agency.code == (actor.agency or "")))
    return Citation.agency_id == (agency_id or 0)


def _ids(session: Session, condition: ColumnElement[bool], scope: Any, limit: int) -> list[int]:
    query: Select[Any] = select(Citation.id).where(condition)
    if scope is not None:
        query = query.where(scope)
    # Newest first, by an expression no index gives: the planner then reads the matches
    # through the condition's own index and sorts them, instead of walking every citation
    # down the issue-time index hoping to meet `limit` matches soon (a rare match or a
    # parameter it cannot estimate made that a scan of the whole table).
    newest = func.coalesce(Citation.issued_at, Citation.issued_at)
    query = query.order_by(newest.desc(), Citation.id.desc()).limit(limit + 1)
    return list(session.scalars(query))


def name_conditions(folded: str, typed: str) -> list[ColumnElement[bool]]:
    """How a name can be typed: `last`, `last, first`, `first last`, or a last name of many
    words (`de la cruz`); each part may be the start of the name."""
    last_col, first_col = Citation.subject_last_folded, Citation.subject_first_folded
    if "," in typed:
        last, _, first = typed.partition(",")
        last, first = fold(last), fold(first)
        if not last:
            return []
        if not first:
            return [last_col == last]
        return [and_(last_col == last, first_col.startswith(first, autoescape=True))]
    words = folded.split()
    conditions = [last_col.startswith(folded, autoescape=True)]
    if len(words) > 1:
        conditions.append(
            and_(
                first_col == " ".join(words[:-1]),
                last_col.startswith(words[-1], autoescape=True),
            )
        )
        conditions.append(
            and_(
                first_col == words[0],
                last_col.startswith(" ".join(words[1:]), autoescape=True),
            )
        )
    return conditions


def search_citations(session: Session, query: str, actor: Actor, limit: int = 50) -> SearchResult:
    """The citations a clerk's search box finds, newest first, with each person's others.

    A whole citation number is `exact` (the pages go straight to it). A date finds dates of
    birth. Otherwise the query is tried as a name (accents, case and punctuation ignored:
    `lopez` finds `López`; `López, María` and `María López` too), an identifier (a driver's
    licence, spaces and dashes ignored), part of a citation number and part of an address.

    >>> # search_citations(session, "lopez", clerk).hits[0].name
    >>> # 'María López'
    """
    require_staff(actor)
    typed = " ".join(without_format(query).split())
    folded = fold(typed)
    if len(folded.replace(" ", "")) < MIN_LENGTH:
        raise InputRejected(
            [FieldError("q", f"type at least {MIN_LENGTH} letters or digits")],
            "the search is too short",
        )
    if len(typed) > MAX_LENGTH:
        raise InputRejected(
            [FieldError("q", f"type at most {MAX_LENGTH} characters")], "the search is too long"
        )
    scope = agency_condition(session, actor)
    found = _Found()
    exact, note = _exact(session, typed, scope)
    if exact is not None:
        found.add([exact], "number", limit)
    elif (born := read_date(typed)) is not None:
        found.add(_ids(session, Citation.subject_dob == born, scope, limit), "date of birth", limit)
    else:
        _by_text(session, found, typed, folded, scope, limit)
    hits = _hits(session, found, scope)
    exact_number = hits[0].number if exact is not None and hits else None
    return SearchResult(query=typed, exact=exact_number, hits=hits, more=found.more, note=note)


def _exact(session: Session, typed: str, scope: Any) -> tuple[int | None, str | None]:
    """The citation whose whole number this is; else why not, if it is written as one."""
    try:
        number = str(CitationNumber.parse(typed))
    except InvalidCitationNumber as exc:
        return None, exc.reason if _WHOLE_NUMBER.match(typed) else None
    query = select(Citation.id).where(Citation.number == number)
    if scope is not None:
        query = query.where(scope)
    found = session.scalar(query)
    return found, None if found is not None else f"no citation {number}"


def _by_text(
    session: Session, found: _Found, typed: str, folded: str, scope: Any, limit: int
) -> None:
    has_digit = any(c.isdigit() for c in folded)
    if any(c.isalpha() for c in folded):
        names = name_conditions(folded, typed)
        if names:
            found.add(_ids(session, or_(*names), scope, limit), "name", limit)
    identifier = re.sub(r"[\s-]", "", typed).casefold()
    if has_digit and len(identifier) >= 4:
        holders = select(CitationIdentifier.citation_id).where(
            CitationIdentifier.id_number == identifier
        )
        found.add(_ids(session, Citation.id.in_(holders), scope, limit), "identifier", limit)
    part = typed.upper()
    if has_digit and len(part) >= 3 and _NUMBER_PART.match(part):
        # upper(): the expression of the trigram index (migration 0024); `part` is upper.
        in_number = func.upper(Citation.number).contains(part, autoescape=True)
        found.add(
            _ids(session, in_number, scope, limit),
            "number",
            limit,
        )
    if len(folded) >= 3:
        condition = Citation.subject_address_folded.contains(folded, autoescape=True)
        found.add(_ids(session, condition, scope, limit), "address", limit)


def display_name(subject: Any) -> str:
    """The person's name as staff read it: first, middle, last.

    >>> display_name({"first_name": "María", "middle_name": "E.", "last_name": "López"})
    'María E. López'
    """
    subject = subject if isinstance(subject, dict) else {}
    parts = (subject.get("first_name"), subject.get("middle_name"), subject.get("last_name"))
    return " ".join(str(p) for p in parts if p)


def _hits(session: Session, found: _Found, scope: Any) -> list[SearchHit]:
    if not found.order:
        return []
    rows = {c.id: c for c in session.scalars(select(Citation).where(Citation.id.in_(found.order)))}
    zone = zone_of(PublishedCatalog(session).jurisdiction())
    others = _others(session, list(rows.values()), scope)
    hits = []
    for citation_id in found.order:
        citation = rows[citation_id]
        hits.append(
            SearchHit(
                number=citation.number,
                name=display_name(citation.subject),
                date_of_birth=citation.subject_dob,
                status=citation.status,
                issued_on=citation.issued_at.astimezone(zone).date(),
                balance=from_cents(citation.balance_cents),
                matched=found.matched[citation_id],
                others=[
                    OtherCitation(number=n, status=s, issued_on=at.astimezone(zone).date())
                    for n, s, at in others.get(citation_id, [])
                ],
            )
        )
    return hits


def _others(
    session: Session, citations: list[Citation], scope: Any
) -> dict[int, list[tuple[str, str, datetime]]]:
    """Each citation's others: the same identifier, or the same name key and birth date
    (the match priors use), newest first; two queries for all of them."""
    result: dict[int, dict[str, tuple[str, str, datetime]]] = {c.id: {} for c in citations}
    people = {(c.subject_name_key, c.subject_dob) for c in citations if c.subject_dob}
    if people:
        query = select(
            Citation.number,
            Citation.status,
            Citation.issued_at,
            Citation.subject_name_key,
            Citation.subject_dob,
        ).where(tuple_(Citation.subject_name_key, Citation.subject_dob).in_(list(people)))
        if scope is not None:
            query = query.where(scope)
        by_person: dict[tuple[str, date | None], list[tuple[str, str, datetime]]] = {}
        for number, status, issued_at, key, born in session.execute(query):
            by_person.setdefault((key, born), []).append((number, status, issued_at))
        for citation in citations:
            for other in by_person.get((citation.subject_name_key, citation.subject_dob), []):
                if other[0] != citation.number:
                    result[citation.id][other[0]] = other
    mine, theirs = aliased(CitationIdentifier), aliased(CitationIdentifier)
    shared = (
        select(mine.citation_id, Citation.number, Citation.status, Citation.issued_at)
        .join(
            theirs,
            and_(
                theirs.id_type == mine.id_type,
                theirs.id_number == mine.id_number,
                theirs.citation_id != mine.citation_id,
            ),
        )
        .join(Citation, Citation.id == theirs.citation_id)
        .where(mine.citation_id.in_(list(result)))
    )
    if scope is not None:
        shared = shared.where(scope)
    for citation_id, number, status, issued_at in session.execute(shared):
        result[citation_id][number] = (number, status, issued_at)
    return {
        citation_id: sorted(found.values(), key=lambda o: o[2], reverse=True)[:OTHERS_SHOWN]
        for citation_id, found in result.items()
    }
