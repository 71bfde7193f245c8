"""Settings from the environment (prefix CITATIONS_), read lazily so callers can override them."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///citations.db"
"""The embedded default: a SQLite file in the working folder."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITATIONS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    web_secret_key: str | None = None
    """Signs the clerks' web session cookie (CITATIONS_WEB_SECRET_KEY); without it each
    process draws a random key, so clerks log in again after a restart."""

    api_docs: bool = False
    """Serve the API's OpenAPI description at /openapi.json, to any valid token
    (CITATIONS_API_DOCS=true). Off by default: only the intake schema is public. The
    interactive pages (/docs, /redoc) are never served: they would load scripts from a CDN."""
    hsts_seconds: int = Field(default=365 * 24 * 60 * 60, ge=0)
    """Strict-Transport-Security max-age on answers to https requests (CITATIONS_HSTS_SECONDS);
    0 sends none."""

    @field_validator("web_secret_key")
    @classmethod
    def _long_enough(cls, key: str | None) -> str | None:
        if key is not None and len(key) < 32:
            raise ValueError("must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        return key

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        from citations.database import normalize_url  # local: settings must import cheaply

        return normalize_url(url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
