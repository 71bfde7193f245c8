"""The clerks' pages bring their own fonts: names in any script show in any browser."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from citations.app import create_app
from citations.documents.fonts import FONTS_DIR
from citations.web.fonts import FILES

pytestmark = pytest.mark.filled_by(fill=None)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(database_url), base_url="https://testserver") as client:
        yield client


def test_every_font_the_style_sheet_names_is_served_as_a_font(client: TestClient) -> None:
    css = client.get("/clerk/static/clerk.css").text
    named = set(re.findall(r'url\("fonts/([^"]+)"\) format\("truetype"\)', css))
    assert named == FILES
    for name in sorted(named):
        # Served before signing in: the sign-in page shows names and languages too.
        answer = client.get(f"/clerk/static/fonts/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"] == "font/ttf"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.content == (FONTS_DIR / name).read_bytes()


def test_the_pages_use_the_served_fonts_for_every_script(client: TestClient) -> None:
    css = client.get("/clerk/static/clerk.css").text
    body = re.search(r"body \{[^}]*font-family:([^;]*);", css)
    assert body is not None
    for family in ("Citations Arabic", "Citations Khmer", "Citations CJK", "Citations Sans"):
        assert f'"{family}"' in body.group(1)
    # The pages' policy lets them load fonts from this server only.
    policy = client.get("/clerk/login").headers["content-security-policy"]
    assert "font-src 'self'" in policy


@pytest.mark.parametrize("name", ["LICENSE-Noto.txt", "..%2Fcontact.py", "Arial.ttf"])
def test_nothing_but_the_fonts_is_served(client: TestClient, name: str) -> None:
    assert client.get(f"/clerk/static/fonts/{name}").status_code == 404
