"""The API app for the benchmark's server: `uvicorn --factory bench.app:app`."""

from __future__ import annotations

import os

from fastapi import FastAPI

from citations.api import create_app


def app() -> FastAPI:
    return create_app(os.environ["CITATIONS_DATABASE_URL"])
