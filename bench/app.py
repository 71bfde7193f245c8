"""The API app for the benchmark's server: `uvicorn --factory bench.app:app`, set up as
`citations serve` sets up its own."""

from __future__ import annotations

import os

from fastapi import FastAPI

from citations.app import create_app
from citations.gc_tuning import settle_server


def app() -> FastAPI:
    application = create_app(os.environ["CITATIONS_DATABASE_URL"])
    settle_server()
    return application
