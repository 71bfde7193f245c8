"""Responses the API and the clerks' pages share."""

from __future__ import annotations

from fastapi import Response


def pdf_response(content: bytes, name: str) -> Response:
    """A PDF shown in the browser, saved under `name`."""
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
