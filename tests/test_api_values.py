"""Values that used to slip through the API (issue 13): amounts read as floats, control
characters in the bodies of six routes, times and days at the edges of the calendar, and
paths holding a line break. Each is a 4xx problem naming the field; nothing is recorded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import transaction
from citations.issuing.amend import Amendment
from citations.payments.ability import Declaration
from citations.payments.diversion import Obligation
from citations.payments.posting import PaymentRequest
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import message, prepare
from tests.money_steps import issue_one, state
from tests.test_logs_private import serve

Api = tuple[TestClient, dict[str, str], str]
"""The client, the admin's headers, and an issued citation's number."""

LOW, HIGH = "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[Api]:
    prepare(engine)
    number = issue_one(engine)
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="admin", agency=None, name="admin", actor=OPERATOR, now=NOW
        )
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {secret}"}, number


def refused(response: Any, field: str, words: str = "") -> None:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "/problems/input-rejected", problem
    found = [e for e in problem["errors"] if e["field"] == field]
    assert found, problem
    assert words in found[0]["message"], problem


def raw(client: TestClient, path: str, body: str, headers: dict[str, str]) -> Any:
    """Post the body as written: `json=` would turn 1.999999999999999999 into 2.0 first."""
    sent = headers | {"Content-Type": "application/json"}
    return client.post(path, content=body.encode(), headers=sent)


# -- amounts -------------------------------------------------------------------------------

AMOUNTS = [
    ("payments", '{"amount": %s, "method": "card"}', "amount"),
    (
        "plan",
        '{"installments": [{"due_on": "2026-12-20", "amount": %s}]}',
        "installments[0].amount",
    ),
    (
        "ability-to-pay",
        '{"household_size": 1, "monthly_income": %s, "sworn": true}',
        "monthly_income",
    ),
    ("deposits", '{"amount": %s}', "amount"),
    ("hearing-requests", '{"deposit": %s}', "deposit"),
    ("review-decision", '{"outcome": "reduced", "findings": "x", "new_amount": %s}', "new_amount"),
]


@pytest.mark.parametrize(("route", "body", "field"), AMOUNTS, ids=[a[0] for a in AMOUNTS])
@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1.999999999999999999", "no more than 2 decimal places"),
        ("1e30", "less than or equal to 99999999.99"),
        ("99999999999999999999", "less than or equal to 99999999.99"),
        ('"1e2"', "write an amount such as 250.00"),
        ('"2.001"', "write an amount such as 250.00"),
    ],
)
def test_an_inexact_or_huge_amount_is_refused_not_rounded(
    api: Api, engine: Engine, route: str, body: str, field: str, amount: str, words: str
) -> None:
    client, headers, number = api
    answer = raw(client, f"/v1/citations/{number}/{route}", body % amount, headers)
    refused(answer, field, words)
    assert state(engine, number)[2] == 0  # nothing paid


def test_an_amount_with_two_decimals_as_a_number_is_exact(api: Api, engine: Engine) -> None:
    client, headers, number = api
    body = '{"amount": 10.10, "method": "card"}'
    answer = raw(client, f"/v1/citations/{number}/payments", body, headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["amount"] == "10.10"


def test_nan_and_infinity_are_not_json(api: Api) -> None:
    client, headers, number = api
    for word in ("NaN", "Infinity", "-Infinity"):
        body = f'{{"amount": {word}, "method": "card"}}'
        answer = raw(client, f"/v1/citations/{number}/payments", body, headers)
        assert answer.status_code == 400, answer.text
        assert answer.json()["detail"] == f"the body is not valid JSON: {word} is not a JSON number"


def test_the_library_refuses_a_binary_float_amount() -> None:
    with pytest.raises(ValidationError, match="not a binary float"):
        PaymentRequest(amount=1.999999999999999999, method="card")


# -- control characters ----------------------------------------------------------------------

SIX = [
    ("void", {"reason": "Wrong\x07 person"}, "reason"),
    ("/v1/number-blocks", {"agency": "DCPD", "device_id": "unit\x0712"}, "device_id"),
    ("amendments", {"reason": "Typo\x07 in name"}, "reason"),
    ("payments", {"amount": "5.00", "method": "card", "reference": "txn\x071"}, "reference"),
    (
        "ability-to-pay",
        {"household_size": 1, "monthly_income": "0", "sworn": True, "statement": "No\x00 job"},
        "statement",
    ),
    (
        "diversion",
        {"program": "p", "obligations": [{"kind": "class", "description": "Class\x07"}]},
        "obligations[0].description",
    ),
]


@pytest.mark.parametrize(("route", "body", "field"), SIX, ids=[s[0] for s in SIX])
def test_the_six_fields_that_took_control_characters_refuse_them(
    api: Api, engine: Engine, route: str, body: dict[str, Any], field: str
) -> None:
    client, headers, number = api
    path = route if route.startswith("/") else f"/v1/citations/{number}/{route}"
    before = state(engine, number)
    refused(client.post(path, json=body, headers=headers), field, "control character U+00")
    assert state(engine, number) == before


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (PaymentRequest, {"amount": "5", "method": "card", "reference": "a\x07"}),
        (
            Declaration,
            {"household_size": 1, "monthly_income": "0", "sworn": True, "statement": "\x00"},
        ),
        (Obligation, {"kind": "class", "description": "abc\x07"}),
        (Amendment, {"reason": "abc\x07"}),
    ],
)
def test_the_library_models_refuse_control_characters_too(
    model: type[Any], fields: dict[str, Any]
) -> None:
    """The command line and the lockbox build these models without the API's body reader."""
    with pytest.raises(ValidationError, match="contains control character U\\+00"):
        model(**fields)


def string_fields(schema: dict[str, Any], spec: dict[str, Any], path: str = "") -> list[str]:
    """Dotted paths of every text property of a request body's schema (lists as `[0]`)."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    options = schema.get("anyOf", []) + schema.get("allOf", [])
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        return [path]
    found: list[str] = []
    for option in options:
        found += [p for p in string_fields(option, spec, path) if p not in found]
    if schema.get("type") == "array":
        found += string_fields(schema["items"], spec, f"{path}[0]")
    for name, inner in schema.get("properties", {}).items():
        found += string_fields(inner, spec, f"{path}.{name}" if path else name)
    return found


def body_with(path: str, value: str) -> Any:
    """A body holding `value` at `path` and nothing else."""
    head, _, rest = path.partition(".")
    index = head.endswith("[0]")
    name = head.removesuffix("[0]")
    inner: Any = body_with(rest, value) if rest else value
    return {name: [inner] if index else inner}


def test_every_text_field_of_every_body_refuses_control_characters(api: Api) -> None:
    """Walks the API's own description: every operation with a JSON body, every text
    property at any depth. A route added later is covered without touching this test."""
    client, headers, number = api
    spec = client.app.openapi()  # type: ignore[attr-defined]  # not served by default
    tried = []
    for route, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            url = route.replace("{number}", number).replace("{receipt}", "R-1")
            url = url.replace("{officer_id}", "1").replace("{index}", "0")
            for field in string_fields(content["application/json"]["schema"], spec):
                answer = client.request(
                    method, url, json=body_with(field, "Ana\x07Ruiz"), headers=headers
                )
                refused(answer, field, "contains control character U+0007")
                tried.append(f"{method} {route} {field}")
    assert len(tried) > 60, tried


# -- times, days and paths ----------------------------------------------------------------------


def moments(number: str) -> list[tuple[str, str, dict[str, Any], str]]:
    """(method, path, body, field) of every body that takes a time (8 routes)."""
    on = f"/v1/citations/{number}"
    return [
        ("POST", "/v1/citations", message(), "violation_at"),
        ("POST", f"{on}/amendments", {"reason": "Typo"}, "violation_at"),
        ("POST", f"{on}/payments", {"amount": "5", "method": "card"}, "received_at"),
        ("POST", f"{on}/review-requests", {"statement": "Not me"}, "received_at"),
        ("POST", f"{on}/hearing-requests", {}, "received_at"),
        ("POST", f"{on}/deposits", {"amount": "5"}, "received_at"),
        ("POST", f"{on}/hearing/set-aside", {"reason": "Was ill"}, "received_at"),
        ("POST", "/v1/tokens", {"role": "clerk", "name": "desk"}, "expires_at"),
    ]


@pytest.mark.parametrize("moment", [LOW, HIGH, "1899-12-31T12:00:00-08:00"])
def test_a_time_at_the_edge_of_the_calendar_is_refused_in_every_body(api: Api, moment: str) -> None:
    client, headers, number = api
    for method, path, body, field in moments(number):
        answer = client.request(method, path, json=body | {field: moment}, headers=headers)
        refused(answer, field, "must be between 1900-01-01 and 9000-12-31 (UTC)")


@pytest.mark.parametrize(
    "query",
    [
        "/v1/reconciliation?from=2026-01-01&to=9999-12-31",
        "/v1/reconciliation?from=0001-01-01&to=2026-01-01",
        "/v1/reports/program?from=2026-01-01&to=9999-12-31",
        "/v1/reports/program?from=0001-01-01&to=2026-01-01",
        "/v1/docket-sessions?from=2026-01-01&to=9999-12-31",
        "/v1/collections/export.csv?since=0001-01-01",
        "/v1/ordinances?on=9999-12-31",
    ],
)
def test_a_period_reaching_year_1_or_9999_is_refused(api: Api, query: str) -> None:
    client, headers, _ = api
    answer = client.get(query, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"] == "/problems/input-rejected"


@pytest.mark.parametrize("character", ["%0A", "%0D", "%00", "%E2%80%A8", "%E2%80%8B"])
@pytest.mark.parametrize("document", ["late-notice.pdf", "notice.pdf", "order.pdf"])
def test_a_path_holding_a_line_break_is_a_bad_request(
    api: Api, character: str, document: str
) -> None:
    client, headers, number = api
    answer = client.get(f"/v1/citations/{number}{character}/{document}", headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.json()["type"] == "/problems/malformed-path"


def test_a_line_break_in_a_path_behind_a_real_server_is_a_bad_request(
    engine: Engine, database_url: str
) -> None:
    """The defect lived in the server: uvicorn dropped the connection when the PDF's file
    name (taken from the path) put a line break into a header; the TestClient does not."""
    prepare(engine)
    number = issue_one(engine)
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="admin", agency=None, name="real", actor=OPERATOR, now=NOW
        )
    server, thread, base = serve(create_app(database_url))
    try:
        for character in ("%0A", "%E2%80%A8"):
            with httpx2.Client(base_url=base, timeout=30) as http:
                answer = http.get(
                    f"/v1/citations/{number}{character}/late-notice.pdf",
                    headers={"Authorization": f"Bearer {secret}"},
                )
            assert answer.status_code == 400, answer.text
            assert answer.json()["type"] == "/problems/malformed-path"
    finally:
        server.should_exit = True
        thread.join(10)
