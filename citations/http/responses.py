"""Responses the API and the clerks' pages share."""

from __future__ import annotations

import re

from fastapi import Response


def pdf_response(content: bytes, name: str) -> Response:
    """A PDF shown in the browser, saved under `name`: anything but letters, digits, dots and
    dashes becomes `_`, since a header cannot carry a line break (the server would drop the
    connection) or text outside Latin-1 (a 500), whatever a path let through.

    >>> pdf_response(b"", "A-1\\u2028\\n.pdf").headers["content-disposition"]
    'inline; filename="A-1__.pdf"'
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{safe}"'},
    )
