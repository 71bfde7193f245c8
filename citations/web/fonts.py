"""The documents' fonts, served with the clerks' pages so that names and language lines in
any script show in any browser, whatever fonts its computer has (none is downloaded from
elsewhere). The style sheet names them in `@font-face` rules, each for its script's range of
characters, so a browser fetches a font only for a page that has such characters.
"""

from __future__ import annotations

from fastapi import Response

from citations.documents.fonts import FONTS_DIR
from citations.web.guard import web_router

router = web_router()

FILES = frozenset(
    {
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DroidSansFallback.ttf",
        "NotoSansArabic-Regular.ttf",
        "NotoSansKhmer-Regular.ttf",
    }
)
"""The files served, by name: only these (a name is never read as a path)."""


@router.get("/static/fonts/{name}")
def font(name: str) -> Response:
    """One font file, `font/ttf`, kept by the browser for a day."""
    if name not in FILES:
        return Response(status_code=404)
    return Response(
        (FONTS_DIR / name).read_bytes(),
        media_type="font/ttf",
        headers={"Cache-Control": "public, max-age=86400"},
    )
