"""The FastAPI application: `citations serve` runs it; tests drive it with TestClient."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from citations import __version__, web
from citations.api import hearing_routes, money_routes, problems, report_routes, token_routes
from citations.api.limits import BodySizeLimit, PrintablePath
from citations.api.routes import router
from citations.database import ensure_current, make_engine
from citations.http.deps import clock
from citations.issuing.group_commit import IntakeWriter


def create_app(database_url: str) -> FastAPI:
    """The API on one database; the schema must be current (`citations db upgrade`)."""
    engine = make_engine(database_url)
    ensure_current(engine)

    writer = IntakeWriter(engine, clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        writer.close()
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
    )
    app.state.engine = engine
    app.state.intake_writer = writer
    problems.install(app)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(PrintablePath)
    app.include_router(router)
    app.include_router(hearing_routes.router)
    app.include_router(money_routes.router)
    app.include_router(report_routes.router)
    app.include_router(web.router)
    app.include_router(token_routes.router)
    return app
