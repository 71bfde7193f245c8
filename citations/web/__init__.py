"""The hearing clerks' web pages under /clerk: a third thin face over the library, beside
the CLI and the API, served by the same application (`citations serve`).

Server-rendered HTML (Jinja2 templates in templates/web/, one style sheet, no scripts).
Pages: the day's docket (/clerk/), a print view of it, the contests waiting, a citation's
page with its ledger, history and documents, the forms of a clerk's day, and the hearing
officers page with the forms to add officers, their availability and recusals, and to open
docket sessions; a person's phone, email and consent to reminders, and the contacts to fix.
The routes are kept out of the OpenAPI schema: they are pages, not API.
"""

from __future__ import annotations

from fastapi import Request, Response

from citations.web import (
    auth,
    citation,
    contacts,
    contest_forms,
    counter,
    docket,
    files,
    fonts,
    hearing_forms,
    mail_forms,
    officers,
    oidc,
    queue,
    requests,
    search,
    session_forms,
    session_outcomes,
    sessions_calendar,
    users,
)
from citations.web.forms import add_form
from citations.web.guard import PREFIX, error_page, web_router
from citations.web.office import add_office_form
from citations.web.pages import WEB_TEMPLATES

router = web_router(prefix=PREFIX)
router.include_router(auth.router)
router.include_router(oidc.router)
router.include_router(docket.router)
router.include_router(queue.router)
router.include_router(requests.router)
router.include_router(citation.router)
router.include_router(files.router)
router.include_router(contacts.router)
router.include_router(counter.router)
router.include_router(search.router)
router.include_router(fonts.router)
router.include_router(users.router)
for page in hearing_forms.PAGES + contest_forms.PAGES + mail_forms.PAGES + counter.PAGES:
    add_form(router, page)
for name, office_page in officers.PAGES + session_forms.PAGES:
    add_office_form(router, office_page, name)
# After /sessions/new (an office form): /sessions/{id} would otherwise take "new" as an id.
router.include_router(session_outcomes.router)
router.include_router(sessions_calendar.router)

STYLE_SHEET = WEB_TEMPLATES / "static" / "clerk.css"


@router.get("/static/clerk.css")
def style_sheet() -> Response:
    """The one style sheet (templates/web/static/clerk.css), read fresh so edits show."""
    return Response(
        STYLE_SHEET.read_text(encoding="utf-8"),
        media_type="text/css",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/{rest:path}")
def not_a_page(rest: str, request: Request) -> Response:
    """Any other address under /clerk: a page that says so (not the API's problem+json)."""
    return error_page(request, 404, "Not found", f"There is no page at {request.url.path}.")


__all__ = ["router"]
