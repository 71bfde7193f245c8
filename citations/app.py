"""The FastAPI application: `citations serve` runs it; tests drive it with TestClient.

The OpenAPI description is served only when CITATIONS_API_DOCS is set, and then only to a
valid token; the interactive pages FastAPI offers (/docs, /redoc) are never served, because
they load their scripts from a public CDN (the package carries none, and nothing may be
fetched at run time). Every answer carries the headers of citations.http.headers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from citations import __version__, public, web
from citations.api import (
    attachment_routes,
    document_routes,
    drawer_routes,
    hearing_routes,
    job_routes,
    money_routes,
    problems,
    queue_routes,
    report_routes,
    schedule_routes,
    search_routes,
    token_routes,
)
from citations.api.limits import BodySizeLimit, PrintablePath
from citations.api.routes import router
from citations.database import ensure_current, make_engine, read_routing
from citations.gc_tuning import settle_server
from citations.http.deps import ActorDep, clock
from citations.http.headers import SecurityHeaders
from citations.http.read_after import ReadYourWrites
from citations.issuing.group_commit import IntakeWriter
from citations.public.uploads import UPLOAD_PATHS
from citations.settings import Settings, get_settings
from citations.web.files import UPLOAD_PATHS as CLERK_UPLOAD_PATHS

DATABASE_ENV = "CITATIONS_DATABASE_URL"
"""Where `citations serve --workers N` passes the database to its worker processes."""


def create_app_from_environment() -> FastAPI:
    """The application of one worker process of `citations serve --workers N`, built from the
    environment (CITATIONS_DATABASE_URL and every other setting), as uvicorn's factory.

    Each worker has its own engine and its own intake writer (group commit per worker); the
    database keeps numbers gap-free, replays idempotent and the audit trail chained across
    them. Also usable with gunicorn's uvicorn workers, or `uvicorn --factory --workers N`.
    """
    settings = get_settings()
    app = create_app(settings.database_url, settings)
    settle_server()
    return app


def create_app(database_url: str, settings: Settings | None = None) -> FastAPI:
    """The API on one database; the schema must be current (`citations db upgrade`).
    `settings` default to the environment's (citations.settings)."""
    settings = settings or get_settings()
    engine = make_engine(database_url)
    ensure_current(engine)

    writer = IntakeWriter(engine, clock)
    reads = read_routing(engine, settings.read_database_url)  # the replica, if one is set

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        writer.close()
        reads.dispose()
        engine.dispose()

    app = FastAPI(
        title="citations",
        version=__version__,
        summary="Civil administrative citations instead of arrests.",
        description=(
            "Every request carries `Authorization: Bearer <token>`. Errors are RFC 9457 "
            "problem details (`application/problem+json`) with a list of field `errors`."
        ),
        lifespan=lifespan,
        openapi_url=None,  # served below, if at all, behind a token
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings  # the pages read the payment provider from here
    app.state.intake_writer = writer
    app.state.reads = reads
    problems.install(app)
    app.add_middleware(
        BodySizeLimit,
        own_limit=UPLOAD_PATHS | CLERK_UPLOAD_PATHS | attachment_routes.OWN_LIMIT,
    )
    app.add_middleware(PrintablePath)
    app.add_middleware(ReadYourWrites, routing=reads)
    app.add_middleware(
        SecurityHeaders, hsts_seconds=settings.hsts_seconds
    )  # outermost: every answer
    app.include_router(search_routes.router)  # before `router`: /v1/citations/search
    app.include_router(router)
    app.include_router(hearing_routes.router)
    app.include_router(queue_routes.router)
    app.include_router(job_routes.router)
    app.include_router(money_routes.router)
    app.include_router(drawer_routes.router)
    app.include_router(schedule_routes.router)
    app.include_router(document_routes.router)
    app.include_router(attachment_routes.router)
    app.include_router(attachment_routes.uploads)
    app.include_router(report_routes.router)
    app.include_router(web.router)
    app.include_router(public.router)
    app.include_router(token_routes.router)
    if settings.api_docs:
        _serve_description(app)
    return app


def _serve_description(app: FastAPI) -> None:
    """GET /openapi.json for any valid token (FastAPI's own route would be public)."""

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_description(_actor: ActorDep) -> JSONResponse:
        description: dict[str, Any] = app.openapi()
        return JSONResponse(description)
