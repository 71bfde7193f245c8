"""Settings from the environment (prefix CITATIONS_), read lazily so callers can override them."""

from __future__ import annotations

from functools import lru_cache

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///citations.db"
"""The embedded default: a SQLite file in the working folder."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITATIONS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        from citations.database import normalize_url  # local: settings must import cheaply

        return normalize_url(url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
