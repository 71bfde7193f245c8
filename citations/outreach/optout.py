"""STOP replies and unsubscribe links (placeholder: the people's-side helper replaces it;
`unsubscribe_url` is the contract the email channel uses)."""

from __future__ import annotations

from citations.settings import Settings


def unsubscribe_url(settings: Settings, website: str, address: str) -> str:
    """The link in every email that ends emails to `address` at once (RFC 8058 one-click)."""
    return f"{website.rstrip('/')}/unsubscribe"
