"""The HTTP API (FastAPI): a thin face over the library, errors as RFC 9457 problem details."""

from citations.api.app import create_app

__all__ = ["create_app"]
