"""The cited person's own pages, at the site's root (the clerks' are under /clerk, the API
under /v1): a fourth thin face over the library, served by `citations serve`.

Server-rendered HTML (Jinja2 templates in templates/public/, one style sheet, no scripts),
built for a phone first and for a screen reader, in every notice language of the catalog.
A person finds their citation by its number and date of birth, or by the QR code's link,
and then sees and answers it: pay, contest, ask for help, keep their address current.
An email's unsubscribe link and the text provider's calls (a STOP reply) arrive here too.
Every step calls the library function a clerk's step calls, with the cited person as the
actor. The routes are kept out of the OpenAPI schema: they are pages, not API.
"""

from __future__ import annotations

from citations.public import (
    contest,
    door,
    evidence,
    hearing_evidence,
    help,
    outreach,
    pay,
    provider,
)
from citations.public.guard import public_router

router = public_router()
router.include_router(door.router)
router.include_router(pay.router)
router.include_router(provider.router)
router.include_router(contest.router)
router.include_router(evidence.router)
router.include_router(hearing_evidence.router)
router.include_router(help.router)
router.include_router(outreach.router)

__all__ = ["router"]
