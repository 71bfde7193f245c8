"""The search and the list of citations over the API: the library's own functions
(citations.record.search, .listing), their errors answered as problem+json. Both read from
the read replica when there is one (`ReplicaSessionDep`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from citations.api.bodies import ExactJsonRoute
from citations.api.routes import PROBLEMS
from citations.http.deps import ActorDep, ReplicaSessionDep
from citations.record.listing import CitationPage, list_citations, read_query
from citations.record.search import SearchResult, search_citations

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)
"""Included before the citations' router: `/v1/citations/search` is not a number."""


@router.get("/citations/search", response_model=SearchResult, summary="Find citations")
def search(
    actor: ActorDep,
    session: ReplicaSessionDep,
    q: Annotated[str, Query(max_length=200, description="A name, birth date, ID, number...")],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SearchResult:
    """A last name (`lopez` finds `López`), `last, first`, `first last`, a date of birth
    (`1990-04-02`, `04/02/1990`), an identifier, part of a citation number or of an address.
    `exact` is the number when `q` is one citation's whole number. Officers find their own
    agency's citations only."""
    return search_citations(session, q, actor, limit)


@router.get("/citations", response_model=CitationPage, summary="List citations")
def list_page(request: Request, actor: ActorDep, session: ReplicaSessionDep) -> CitationPage:
    """Filters: `status` (repeatable), `ordinance`, `agency`, `area`, `issued_from`,
    `issued_to` (local days), `owing=true`, `balance_min`; `sort` one of issued, number,
    name, balance (`-` first: descending; default `-issued`); `page` and `size` (25, 50,
    100). A bad value is a 422 problem naming its field."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    filters, sort, paging = read_query(params)
    return list_citations(session, filters, sort, paging, actor)
