"""The list of citations a clerk filters, sorts and pages through (`/clerk/citations`,
`GET /v1/citations`).

Every filter and sort is a column with an index (migration 0015): status, agency, area, the
issue moment, the stored balance, the folded name, and the violations' ordinance. Pages are
counted by offset, which stays fast for the first thousands of pages a person reads; the
total is one `count(*)` over the same filters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from citations.calendar import local_at, zone_of
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected
from citations.money import from_cents, to_cents
from citations.record.search import agency_condition, display_name, require_staff
from citations.record.status import CitationStatus
from citations.record.tables import Agency, Citation, CitationViolation
from citations.roles import Actor

PAGE_SIZES = (25, 50, 100)
COUNT_CAP = 10_000
"""Lists count the citations they keep up to this many (an exact count past it costs more
than the page: every kept row is read); past it they say "more than 10,000"."""


class SortKey(StrEnum):
    ISSUED = "issued"
    NUMBER = "number"
    NAME = "name"
    BALANCE = "balance"


class Sort(BaseModel):
    """A sort as written in a link: the key, `-` before it for descending (`-issued`)."""

    model_config = ConfigDict(frozen=True)
    key: SortKey = SortKey.ISSUED
    descending: bool = True

    @classmethod
    def read(cls, text: str | None) -> Sort:
        """`-issued` (the default: newest first), `name`, `-balance`...

        >>> Sort.read("-balance")
        Sort(key=<SortKey.BALANCE: 'balance'>, descending=True)
        """
        if not text:
            return cls()
        descending = text.startswith("-")
        try:
            return cls(key=SortKey(text.removeprefix("-")), descending=descending)
        except ValueError:
            keys = ", ".join(k.value for k in SortKey)
            raise InputRejected(
                [FieldError("sort", f"sort by one of {keys} (a - before it: descending)")],
                "the sort is not known",
            ) from None

    def __str__(self) -> str:
        return f"{'-' if self.descending else ''}{self.key.value}"


class CitationFilters(BaseModel):
    """What the list keeps; every filter given must hold (none: every citation)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    status: list[CitationStatus] = []
    ordinance: str | None = None
    """An ordinance code any of the citation's violations is under."""
    agency: str | None = None
    """An agency code (officers see only their own whatever this says)."""
    area: str | None = None
    """The area, district or beat the officer recorded (`Citation.area`), exactly."""
    issued_from: date | None = None
    """The first local day of issue kept."""
    issued_to: date | None = None
    """The last local day of issue kept."""
    owing: bool = False
    """Only citations with a balance due (more than zero)."""
    balance_min: Annotated[Decimal, Field(ge=0, decimal_places=2)] | None = None
    """Only citations owing at least this much."""


class Paging(BaseModel):
    model_config = ConfigDict(frozen=True)
    number: Annotated[int, Field(ge=1)] = 1
    size: int = PAGE_SIZES[0]


class CitationRow(BaseModel):
    number: str
    agency: str
    name: str
    status: str
    issued_on: date
    area: str | None
    balance: Decimal


class CitationPage(BaseModel):
    rows: list[CitationRow]
    total: int
    """How many citations the filters keep, on every page (at most COUNT_CAP)."""
    total_exact: bool
    """False: more than `total` (COUNT_CAP) citations are kept, not counted further."""
    page: int
    size: int
    pages: int | None
    """How many pages there are; None when the total is not exact."""
    sort: str
    has_next: bool
    has_previous: bool


def _conditions(
    session: Session, filters: CitationFilters, actor: Actor
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    scope = agency_condition(session, actor)
    if scope is not None:
        conditions.append(scope)
    if filters.status:
        conditions.append(Citation.status.in_([s.value for s in filters.status]))
    if filters.agency:
        code = filters.agency.strip().upper()
        agency_id = session.scalar(select(Agency.id).where(Agency.code == code))
        if agency_id is None:
            raise InputRejected([FieldError("agency", f"there is no agency {code}")])
        conditions.append(Citation.agency_id == agency_id)
    if filters.ordinance:
        conditions.append(
            exists().where(
                CitationViolation.citation_id == Citation.id,
                CitationViolation.ordinance_code == filters.ordinance.strip(),
            )
        )
    if filters.area:
        conditions.append(Citation.area == filters.area.strip())
    if filters.issued_from or filters.issued_to:
        if filters.issued_from and filters.issued_to and filters.issued_from > filters.issued_to:
            raise InputRejected(
                [FieldError("issued_to", "must not be before the first day")],
                "the days are the wrong way round",
            )
        zone = zone_of(PublishedCatalog(session).jurisdiction())
        if filters.issued_from:
            conditions.append(Citation.issued_at >= local_at(filters.issued_from, time(), zone))
        if filters.issued_to:
            end = filters.issued_to + timedelta(days=1)
            conditions.append(Citation.issued_at < local_at(end, time(), zone))
    if filters.owing:
        conditions.append(Citation.balance_cents > 0)
    if filters.balance_min is not None:
        conditions.append(Citation.balance_cents >= to_cents(filters.balance_min))
    return conditions


def _order(sort: Sort) -> list[Any]:
    columns: dict[SortKey, list[Any]] = {
        SortKey.ISSUED: [Citation.issued_at, Citation.id],
        SortKey.NUMBER: [Citation.number],
        SortKey.NAME: [Citation.subject_last_folded, Citation.subject_first_folded, Citation.id],
        SortKey.BALANCE: [Citation.balance_cents, Citation.id],
    }
    return [c.desc() if sort.descending else c.asc() for c in columns[sort.key]]


def list_citations(
    session: Session,
    filters: CitationFilters,
    sort: Sort,
    page: Paging,
    actor: Actor,
) -> CitationPage:
    """One page of the citations the filters keep, in the sort's order, with the total.

    A page past the last is empty (its `pages` says how many there are).

    >>> # list_citations(session, CitationFilters(owing=True), Sort.read("-balance"),
    >>> #                Paging(number=2, size=50), clerk).total
    """
    require_staff(actor)
    if page.size not in PAGE_SIZES:
        sizes = ", ".join(str(s) for s in PAGE_SIZES)
        raise InputRejected([FieldError("size", f"a page holds {sizes} citations")])
    conditions = _conditions(session, filters, actor)
    # Counted up to a cap: an exact count of 400,000 owing citations reads them all (half a
    # second at a million); past the cap the page says "more than" and pages on by `has_next`.
    kept = select(Citation.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    counted = session.scalar(select(func.count()).select_from(kept)) or 0
    # The page's ids first, from the sort's index alone; then only those rows are read
    # (an offset over whole rows would read every row it skips).
    ids = (
        select(Citation.id)
        .where(*conditions)
        .order_by(*_order(sort))
        .offset((page.number - 1) * page.size)
        .limit(page.size + 1)  # one more: whether there is a next page
        .subquery()
    )
    query = (
        select(Citation, Agency.code)
        .join(ids, ids.c.id == Citation.id)
        .join(Agency, Agency.id == Citation.agency_id)
        .order_by(*_order(sort))
    )
    zone = zone_of(PublishedCatalog(session).jurisdiction())
    rows = [
        CitationRow(
            number=citation.number,
            agency=code,
            name=display_name(citation.subject),
            status=citation.status,
            issued_on=citation.issued_at.astimezone(zone).date(),
            area=citation.area,
            balance=from_cents(citation.balance_cents),
        )
        for citation, code in session.execute(query)
    ]
    exact = counted <= COUNT_CAP
    return CitationPage(
        rows=rows[: page.size],
        total=min(counted, COUNT_CAP),
        total_exact=exact,
        page=page.number,
        size=page.size,
        pages=max(1, -(-counted // page.size)) if exact else None,
        sort=str(sort),
        has_next=len(rows) > page.size,
        has_previous=page.number > 1,
    )


FILTER_FIELDS = tuple(CitationFilters.model_fields)
SAID = {
    "status": "a status, e.g. issued, paid, delinquent",
    "issued_from": "a date written 2026-11-20",
    "issued_to": "a date written 2026-11-20",
    "balance_min": "an amount of 0 or more, e.g. 200.00",
}
"""What a bad filter is told, in the words of the page (pydantic's own are a programmer's)."""
YES = frozenset({"yes", "true", "1", "on"})


def read_query(values: Mapping[str, Sequence[str]]) -> tuple[CitationFilters, Sort, Paging]:
    """The filters, sort and page of a query string (the web page's form, the API's
    parameters), every bad value at once as InputRejected with its field. Empty values are
    left out; `status` may repeat; other names are ignored.

    >>> filters, sort, paging = read_query({"status": ["paid", ""], "owing": ["yes"],
    ...                                     "sort": ["name"], "page": ["2"]})
    >>> [s.value for s in filters.status], filters.owing, str(sort), paging.number
    (['paid'], True, 'name', 2)
    """
    given = {k: [v.strip() for v in vs if v.strip()] for k, vs in values.items()}
    data: dict[str, Any] = {"status": given.get("status", [])}
    for name in FILTER_FIELDS:
        if name != "status" and given.get(name):
            data[name] = given[name][0]
    if "owing" in data:
        data["owing"] = data["owing"].lower() in YES
    errors: list[FieldError] = []
    filters = CitationFilters()
    try:
        filters = CitationFilters.model_validate(data)
    except ValidationError as exc:
        errors += [
            FieldError(str(e["loc"][0]), SAID.get(str(e["loc"][0]), str(e["msg"])))
            for e in exc.errors()
        ]
    sort = Sort()
    try:
        sort = Sort.read((given.get("sort") or [""])[0])
    except InputRejected as exc:
        errors += exc.errors
    paging = Paging()
    page, size = (given.get("page") or ["1"])[0], (given.get("size") or [str(PAGE_SIZES[0])])[0]
    if not page.isdigit() or int(page) < 1:
        errors.append(FieldError("page", "a page number: 1, 2, 3..."))
    elif not size.isdigit() or int(size) not in PAGE_SIZES:
        sizes = ", ".join(str(s) for s in PAGE_SIZES)
        errors.append(FieldError("size", f"a page holds {sizes} citations"))
    else:
        paging = Paging(number=int(page), size=int(size))
    if errors:
        raise InputRejected(errors, "the list cannot be shown")
    return filters, sort, paging
