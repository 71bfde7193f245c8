"""Finding anyone (`/clerk/search?q=`, the box in every page's header) and the list of
citations (`/clerk/citations`) with its filters, sorts and pages: GET forms, no scripts.

Both call the library (citations.record.search and .listing) the API and the command line
call; a whole citation number goes straight to the citation's page. Both read from the read
replica when there is one, unless the clerk's own last write is not there yet (`ReplicaDep`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from citations.catalog.store import PublishedCatalog
from citations.catalog.tables import OrdinanceRow
from citations.errors import InputRejected
from citations.http.deps import ReplicaDep
from citations.record.listing import (
    PAGE_SIZES,
    CitationPage,
    SortKey,
    list_citations,
    read_query,
)
from citations.record.search import search_citations
from citations.record.status import CitationStatus
from citations.record.tables import Agency
from citations.web.auth import ActorDep
from citations.web.guard import PREFIX, web_router
from citations.web.pages import Formats, render, words

router = web_router()


@router.get("/search")
def search_page(request: Request, actor: ActorDep, reads: ReplicaDep, q: str = "") -> Response:
    """The results of the header's search box; a whole number opens the citation."""
    if not q.strip():
        return render(request, "search.html", typed="", result=None, error=None)
    with reads.reading() as session:
        formats = Formats.of(PublishedCatalog(session).jurisdiction())
        try:
            result = search_citations(session, q, actor)
        except InputRejected as exc:
            error = exc.errors[0].message if exc.errors else str(exc)
            return render(request, "search.html", 422, typed=q, result=None, error=error)
    if result.exact is not None:
        return RedirectResponse(f"{PREFIX}/citations/{result.exact}", status_code=303)
    return render(
        request, "search.html", typed=q, result=result, error=None, formats=formats, search_typed=q
    )


@router.get("/find")
def find(number: str = "") -> Response:
    """The old find-by-number box, kept for bookmarks: the search box answers it now."""
    return RedirectResponse(f"{PREFIX}/search?{urlencode({'q': number})}", status_code=303)


def _link(params: dict[str, list[str]], **changes: str) -> str:
    """This list's address with some parameters changed (a sort, a page)."""
    merged = {k: v for k, v in params.items() if k not in changes} | {
        k: [v] for k, v in changes.items()
    }
    pairs = [(k, v) for k, vs in merged.items() for v in vs if v]
    return f"{PREFIX}/citations?{urlencode(pairs)}"


def _sort_links(params: dict[str, list[str]], current: str) -> dict[str, dict[str, str]]:
    """For each column that sorts: the link (the other way when it is the current sort) and
    what the header says of it (`aria-sort`)."""
    links: dict[str, dict[str, str]] = {}
    for key in SortKey:
        if current == key.value:
            sort, aria = f"-{key}", "ascending"
        elif current == f"-{key}":
            sort, aria = key.value, "descending"
        else:  # newest and largest first; names and numbers from the start
            sort, aria = (f"-{key}" if key in (SortKey.ISSUED, SortKey.BALANCE) else key.value), ""
        links[key.value] = {"href": _link(params, sort=sort, page="1"), "aria": aria}
    return links


@router.get("/citations")
def citations_list(request: Request, actor: ActorDep, reads: ReplicaDep) -> Response:
    """Every citation, filtered, sorted and paged by the GET form above the table."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    errors: dict[str, str] = {}
    page: CitationPage | None = None
    with reads.reading() as session:
        formats = Formats.of(PublishedCatalog(session).jurisdiction())
        try:
            filters, sort, paging = read_query(params)
            page = list_citations(session, filters, sort, paging, actor)
        except InputRejected as exc:
            errors = {e.field: e.message for e in exc.errors}
        choices: dict[str, Any] = {
            "statuses": [(s.value, words(s.value).capitalize()) for s in CitationStatus],
            "ordinances": [
                (code, code)
                for code in session.scalars(select(OrdinanceRow.code).order_by(OrdinanceRow.code))
            ],
            "agencies": [
                (code, code) for code in session.scalars(select(Agency.code).order_by(Agency.code))
            ],
            "sizes": [(str(size), str(size)) for size in PAGE_SIZES],
        }
    shown = {k: v[0] for k, v in params.items() if v}
    current = page.sort if page else shown.get("sort", "-issued")
    return render(
        request,
        "citations_list.html",
        422 if errors else 200,
        page=page,
        errors=errors,
        shown=shown,
        statuses_shown=params.get("status", []),
        choices=choices,
        sorts=_sort_links(params, current),
        previous=_link(params, page=str(page.page - 1)) if page and page.has_previous else None,
        next=_link(params, page=str(page.page + 1)) if page and page.has_next else None,
        formats=formats,
    )
