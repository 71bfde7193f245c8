"""Every API request body refuses control characters in its text, as intake does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import transaction
from citations.hearings.officers import list_officers
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import prepare


@pytest.fixture
def clerk(engine: Engine, database_url: str) -> Iterator[TestClient]:
    prepare(engine)
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="clerk", agency=None, name="desk", actor=OPERATOR, now=NOW
        )
    with TestClient(create_app(database_url)) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        yield client


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f"])
def test_a_control_character_in_a_body_is_refused_with_its_field(
    clerk: TestClient, engine: Engine, character: str
) -> None:
    answer = clerk.post(
        "/v1/hearing-officers",
        json={
            "name": f"Ada{character}Ruiz",
            "qualification": "pro_tem_judge",
            "independence": "Retired judge under contract; not a city employee.",
        },
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"] == "/problems/input-rejected"
    assert [e["field"] for e in problem["errors"]] == ["name"]
    assert f"U+{ord(character):04X}" in problem["errors"][0]["message"]
    with transaction(engine) as session:
        assert list_officers(session) == []


def test_line_breaks_and_tabs_are_text(clerk: TestClient) -> None:
    answer = clerk.post(
        "/v1/hearing-officers",
        json={
            "name": "Ada Ruiz",
            "qualification": "pro_tem_judge",
            "independence": "Retired judge under contract;\n\tnot a city employee.",
        },
    )
    assert answer.status_code == 201, answer.text
