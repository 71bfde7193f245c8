"""Fuzzing the API from its own OpenAPI description (schemathesis): whatever a client sends,
valid by the description or not, no answer is a server error and every answer matches the
description (status code, content type, headers, body schema).

The database (SQLite, and PostgreSQL, which is stricter about integer ranges and NUL
characters) has the test catalog, two agencies and one citation, so requests meet real data:
half of the generated citation numbers are replaced by that citation's. Requests alternate
between an admin's token (may do everything) and a DCPD officer's (forbidden from most).
Generation is bounded and derandomized, so CI sends the same requests every time.

Each operation is a subtest driven by Hypothesis through schemathesis's Python API
(`as_strategy`, `call_and_validate`): the pytest plugin's `@schema.parametrize()` fails under
pytest 9.2 (it reads `request.node._nodeid`, which pytest no longer has).

Not checked: `positive_data_acceptance` (a request valid by the schema is accepted). The schema
cannot say that an agency must exist or a deadline not have passed; such requests are rightly
refused with 4xx problems.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import transaction
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from citations.settings import Settings
from tests.conftest import NOW
from tests.factories import message, prepare, send

REAL = "DCPD-2026-000001-5"
"""The one citation the database holds (the first number of the year)."""

MAX_EXAMPLES = 25
"""Examples generated per operation, after the explicit ones the description gives."""

FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def seeded(engine: Engine, database_url: str) -> tuple[str, dict[str, str], str]:
    """(database URL, bearer token by role, a citation number) on a fresh database."""
    prepare(engine)
    number = send(engine, message()).result.citation_number
    assert number is not None
    tokens = {}
    with transaction(engine) as session:
        for role, agency in [("admin", None), ("officer", "DCPD")]:
            _, tokens[role] = create_token(
                session, role=role, agency=agency, name=f"fuzz {role}", actor=OPERATOR, now=NOW
            )
    return database_url, tokens, number


def load_schema(url: str, number: str, token: str) -> Any:
    """The API's description as the running app serves it (to a token, with the description
    switched on), with the real citation mixed in."""
    app = create_app(url, Settings(api_docs=True))
    with TestClient(app) as client:
        served = client.get("/openapi.json", headers={"Authorization": f"Bearer {token}"})
    loaded = schemathesis.openapi.from_dict(served.json())
    loaded.app = app

    @loaded.hook("before_generate_path_parameters")
    def real_citation(_context: Any, strategy: st.SearchStrategy[Any]) -> Any:
        def with_real(parameters: dict[str, Any] | None) -> dict[str, Any] | None:
            # Negative-mode values come wrapped (schemathesis' GeneratedValue): left as they are.
            if isinstance(parameters, dict) and "number" in parameters:
                return {**parameters, "number": number}
            return parameters

        return st.one_of(strategy, strategy.map(with_real))

    @loaded.hook("before_generate_body")
    def extreme_values(_context: Any, strategy: st.SearchStrategy[Any]) -> Any:
        return st.one_of(
            strategy, st.tuples(strategy, st.sampled_from(sorted(EXTREMES))).map(extreme)
        )

    return loaded


EDGE_TIMES = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")
HUGE = 10**20


def _time(key: str, value: Any) -> Any:
    return EDGE_TIMES[len(key) % 2] if key.endswith("_at") else value


def _number(key: str, value: Any) -> Any:
    return HUGE if isinstance(value, int | float) else value


def _text(key: str, value: Any) -> Any:
    return value + "\u0007" if isinstance(value, str) else value


EXTREMES: dict[str, Callable[[str, Any], Any]] = {"time": _time, "number": _number, "text": _text}
"""Ways to push a generated body to the edges issue 13 found: times at year 1 and 9999,
numbers too large for any column, control characters in text."""


def extreme(pair: tuple[Any, str]) -> Any:
    """The body with every value of one kind pushed to its edge (keys kept)."""
    body, kind = pair
    change = EXTREMES[kind]

    def walk(value: Any, key: str) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, bool):
            return value
        return change(key, value)

    return walk(body, "")


def fuzzer(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    tokens: dict[str, str],
    sent: Counter[str],
) -> Callable[[], None]:
    """A Hypothesis test that sends the operation's generated requests and checks each answer."""

    @FUZZ
    @given(case=operation.as_strategy())
    def fuzz(case: schemathesis.Case[Any]) -> None:
        sent[operation.label] += 1
        if (case.path_parameters or {}).get("number") == REAL:
            sent[REAL] += 1
        role = "admin" if sent[operation.label] % 2 else "officer"
        case.call_and_validate(
            headers={"Authorization": f"Bearer {tokens[role]}"},
            excluded_checks=[positive_data_acceptance],
        )

    return fuzz


def test_no_request_gets_a_server_error_or_an_undescribed_answer(
    seeded: tuple[str, dict[str, str], str], subtests: pytest.Subtests
) -> None:
    url, tokens, number = seeded
    sent: Counter[str] = Counter()
    assert number == REAL
    operations = [
        result.ok() for result in load_schema(url, number, tokens["admin"]).get_all_operations()
    ]
    for operation in operations:
        with subtests.test(msg=operation.label):
            fuzzer(operation, tokens, sent)()
    # A hook or filter that quietly generated nothing would otherwise pass as a clean run.
    assert len(operations) >= 40
    assert [op.label for op in operations if not sent[op.label]] == []
    assert sent[REAL] > 100, "the real citation's number was (almost) never used"
    total = sum(sent[op.label] for op in operations)
    print(f"\nAPI fuzzing: {total} requests, {sent[REAL]} on the real citation")


# What fuzzing found, pinned: each was a 500 (an integer or date the database or the date
# arithmetic could not hold, a NUL that PostgreSQL cannot store) and is now a 422 problem.
RECUSAL = {"citation_number": REAL, "reason": "Knows the person"}
HOURS = {"day": "2026-12-16", "start": "09:00", "end": "12:00"}
SESSION = {"day": "2026-12-16", "start": "09:00", "officer_id": 2**31, "capacity": 8}
FOUND: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/v1/hearing-officers/47049745709180042220666880/recusals", RECUSAL),
    ("POST", "/v1/hearing-officers/6130856526/availability", HOURS),
    ("GET", "/v1/docket-sessions/130810296644726423552/docket.pdf", None),
    ("POST", "/v1/docket-sessions", SESSION),
    ("POST", "/v1/processing?as_of=0001-01-07", None),
    ("POST", "/v1/citations", message(device_id="unit\u000012")),
    # Issue 13: times at the calendar's edges, periods to year 9999, exact and huge amounts.
    ("POST", "/v1/tokens", {"role": "clerk", "name": "x", "expires_at": EDGE_TIMES[1]}),
    ("POST", "/v1/citations", message(violation_at=EDGE_TIMES[0])),
    ("GET", "/v1/reconciliation?from=2026-01-01&to=9999-12-31", None),
    ("GET", "/v1/reports/program?from=2026-01-01&to=9999-12-31", None),
    ("POST", f"/v1/citations/{REAL}/deposits", {"amount": HUGE}),
    ("POST", f"/v1/citations/{REAL}/payments", {"amount": "1.999", "method": "card"}),
    ("POST", f"/v1/citations/{REAL}/void", {"reason": "Wrong\u0007 person"}),
]


@pytest.mark.parametrize(("method", "path", "body"), FOUND, ids=[f[1] for f in FOUND])
def test_what_fuzzing_found_is_a_client_error(
    seeded: tuple[str, dict[str, str], str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    url, tokens, _ = seeded
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        headers = {"Authorization": f"Bearer {tokens['admin']}"}
        response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "/problems/input-rejected"
    assert len(problem["errors"]) == 1, problem  # the one bad value, named


def test_a_value_postgresql_cannot_store_is_a_client_error(
    seeded: tuple[str, dict[str, str], str], database_url: str
) -> None:
    """The last line of defence, for text no validation looks at (a report's area filter, a
    query parameter: request bodies refuse control characters first): the database's
    refusal is a 422 problem, not a 500 (SQLite stores NUL, so it is not asked)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("only PostgreSQL refuses NUL in text")
    url, tokens, _ = seeded
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        headers = {"Authorization": f"Bearer {tokens['admin']}"}
        response = client.get(
            "/v1/reports/program",
            params={
                "from": "2026-01-01",
                "to": "2026-01-31",
                "area": "Ada\u0000",
                "format": "json",
            },
            headers=headers,
        )
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        "a value in the request cannot be stored (out of range, or not text)"
    )
