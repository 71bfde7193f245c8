"""Every API route against the permissions matrix, on both backends.

Each route is mapped to the actions it checks; the roles allowed are derived from
PERMISSIONS, never listed by hand. For every route: a missing, malformed, unknown, revoked
or expired token gets the same 401 problem; every role the matrix refuses gets a 403
problem; every role it allows gets past both (a 404 for the missing citation is fine). The
requests name citations, receipts and ids that do not exist, so no cell changes what another
sees, and a 403 never depends on whether the thing asked about exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from httpx2 import Response

from citations.app import create_app
from citations.database import transaction
from citations.public.guard import PublicRoute
from citations.record.numbering import CitationNumber
from citations.record.tokens import create_token, revoke_token
from citations.roles import OPERATOR, PERMISSIONS, STAFF_ROLES, Action, Role
from tests.conftest import NOW
from tests.databases import Databases
from tests.factories import message
from tests.permission_world import BACKENDS, World, build_world

A = Action
GHOST = str(CitationNumber("DCPD", 2026, 999_999))
"""A well-formed DCPD number that was never issued."""
PATH_VALUES = {
    "number": GHOST,
    "receipt": "R-9999999",
    "officer_id": "999999",
    "session_id": "999999",
    "index": "0",
    "token_id": "999999",
    "document_id": "999999",
    "drawer_id": "999999",
    "key": "att_" + "z" * 26,
}

ROUTES: dict[tuple[str, str], tuple[Action, ...]] = {
    ("POST", "/v1/citations"): (A.ISSUE_CITATION,),
    ("GET", "/v1/citations/{number}"): (A.READ_CITATION,),
    ("GET", "/v1/citations/{number}/notice.pdf"): (A.READ_CITATION,),
    ("POST", "/v1/citations/{number}/void"): (A.VOID_CITATION,),
    ("POST", "/v1/citations/{number}/amendments"): (A.AMEND_CITATION,),
    ("POST", "/v1/number-blocks"): (A.ALLOCATE_NUMBERS,),
    ("GET", "/v1/ordinances"): (A.READ_CATALOG,),
    ("GET", "/v1/citations/{number}/contest"): (A.READ_CITATION,),
    ("POST", "/v1/citations/{number}/review-requests"): (A.RECEIVE_CONTEST,),
    ("POST", "/v1/citations/{number}/review-decision"): (A.DECIDE_REVIEW,),
    ("POST", "/v1/citations/{number}/hearing-requests"): (A.RECEIVE_CONTEST,),
    ("POST", "/v1/citations/{number}/waiver-decision"): (A.DECIDE_WAIVER,),
    ("POST", "/v1/citations/{number}/deposits"): (A.RECEIVE_CONTEST,),
    ("POST", "/v1/citations/{number}/hearing"): (A.SCHEDULE_HEARING,),
    ("POST", "/v1/citations/{number}/hearing/continuance"): (A.SCHEDULE_HEARING,),
    ("POST", "/v1/citations/{number}/hearing/no-show"): (A.DECIDE_HEARING,),
    ("POST", "/v1/citations/{number}/hearing/set-aside"): (A.DECIDE_HEARING,),
    ("POST", "/v1/citations/{number}/hearing/decision"): (A.DECIDE_HEARING,),
    ("GET", "/v1/citations/{number}/hearing-notice.pdf"): (A.READ_CITATION,),
    ("GET", "/v1/citations/{number}/hearing-packet.pdf"): (A.READ_CITATION,),
    ("GET", "/v1/citations/{number}/order.pdf"): (A.READ_CITATION,),
    ("GET", "/v1/hearing-officers"): (A.MANAGE_HEARING_OFFICERS,),
    ("POST", "/v1/hearing-officers"): (A.MANAGE_HEARING_OFFICERS,),
    ("POST", "/v1/hearing-officers/{officer_id}/availability"): (A.MANAGE_HEARING_OFFICERS,),
    ("POST", "/v1/hearing-officers/{officer_id}/recusals"): (A.MANAGE_HEARING_OFFICERS,),
    ("GET", "/v1/docket-sessions"): (A.MANAGE_DOCKET,),
    ("POST", "/v1/docket-sessions"): (A.MANAGE_DOCKET,),
    ("GET", "/v1/docket-sessions/{session_id}/docket.pdf"): (A.MANAGE_DOCKET,),
    ("POST", "/v1/citations/{number}/payments"): (A.RECORD_PAYMENT,),
    ("GET", "/v1/citations/{number}/payments"): (A.READ_MONEY_REPORTS, A.READ_CITATION),
    ("GET", "/v1/citations/{number}/ledger"): (A.READ_MONEY_REPORTS, A.READ_CITATION),
    ("POST", "/v1/payments/{receipt}/reversal"): (A.RECORD_PAYMENT,),
    ("GET", "/v1/payments/{receipt}/receipt.pdf"): (A.RECORD_PAYMENT,),
    ("GET", "/v1/citations/{number}/late-notice.pdf"): (A.READ_MONEY_REPORTS, A.READ_CITATION),
    ("GET", "/v1/citations/{number}/schedule"): (A.READ_CITATION,),
    ("GET", "/v1/citations/{number}/documents"): (A.READ_CITATION,),
    ("GET", "/v1/citations/{number}/documents/{document_id}.pdf"): (A.READ_CITATION,),
    ("POST", "/v1/citations/{number}/documents/{document_id}/return"): (A.RECORD_MAIL,),
    ("POST", "/v1/citations/{number}/address"): (A.RECORD_MAIL,),
    ("POST", "/v1/citations/{number}/plan"): (A.MANAGE_PLANS,),
    ("POST", "/v1/citations/{number}/ability-to-pay"): (A.DECIDE_ABILITY_TO_PAY,),
    ("POST", "/v1/citations/{number}/service"): (A.MANAGE_SERVICE,),
    ("POST", "/v1/citations/{number}/service/hours"): (A.MANAGE_SERVICE,),
    ("POST", "/v1/citations/{number}/service/sign-off"): (A.MANAGE_SERVICE,),
    ("POST", "/v1/citations/{number}/service/extension"): (A.MANAGE_SERVICE,),
    ("POST", "/v1/citations/{number}/diversion"): (A.MANAGE_DIVERSION,),
    ("POST", "/v1/citations/{number}/diversion/obligations/{index}"): (A.MANAGE_DIVERSION,),
    ("POST", "/v1/processing"): (A.RUN_DAILY_PROCESSING,),
    ("GET", "/v1/collections/export.csv"): (A.EXPORT_COLLECTIONS,),
    ("GET", "/v1/reconciliation"): (A.READ_MONEY_REPORTS,),
    ("POST", "/v1/drawer"): (A.KEEP_DRAWER,),
    ("GET", "/v1/drawer"): (A.KEEP_DRAWER,),
    ("POST", "/v1/drawer/close"): (A.KEEP_DRAWER,),
    ("POST", "/v1/citations/{number}/counter-payments"): (A.RECORD_PAYMENT,),
    ("GET", "/v1/drawers"): (A.READ_MONEY_REPORTS,),
    ("GET", "/v1/drawers/{drawer_id}"): (A.READ_MONEY_REPORTS,),
    ("GET", "/v1/reports/program"): (A.READ_PROGRAM_REPORT,),
    ("POST", "/v1/tokens"): (A.MANAGE_TOKENS,),
    ("GET", "/v1/tokens"): (A.MANAGE_TOKENS,),
    ("POST", "/v1/tokens/{token_id}/revoke"): (A.MANAGE_TOKENS,),
    ("PUT", "/v1/contests/{number}/assignee"): (A.ASSIGN_WORK,),
    ("GET", "/v1/contests/queue"): (A.READ_CITATION,),
    ("GET", "/v1/citations"): (A.READ_CITATION,),
    ("GET", "/v1/citations/search"): (A.READ_CITATION,),
    ("POST", "/v1/attachments"): (A.ATTACH_FILES,),
    ("GET", "/v1/attachments/{key}"): (A.READ_CITATION,),
    ("GET", "/v1/attachments/{key}/content"): (A.READ_CITATION,),
    ("POST", "/v1/attachments/{key}/withdraw"): (A.WITHDRAW_FILES,),
    ("GET", "/v1/citations/{number}/attachments"): (A.READ_CITATION,),
    ("POST", "/v1/citations/{number}/attachments"): (A.ATTACH_FILES,),
    ("GET", "/v1/jobs"): (A.RUN_DAILY_PROCESSING,),
}
"""Route -> the actions it checks (through the library, or in the route for reads)."""

PUBLIC = {("GET", "/v1/schemas/intake")}
"""Served without a token: the intake message's JSON schema, which devices fetch to be
configured and which holds no data."""


@dataclass(frozen=True)
class Sample:
    """A request that passes validation, so that only the token decides the answer."""

    json: Any = None
    params: dict[str, str] | None = None


PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
REASON = {"reason": "The interpreter could not attend."}
SAMPLES: dict[tuple[str, str], Sample] = {
    ("POST", "/v1/citations"): Sample(json=None),  # a fresh message_id each time: see body()
    ("POST", "/v1/citations/{number}/void"): Sample(json={"reason": "Wrong person"}),
    ("POST", "/v1/citations/{number}/amendments"): Sample(json={"reason": "Badge mistyped"}),
    ("POST", "/v1/number-blocks"): Sample(
        json={"agency": "DCPD", "device_id": "unit-9", "size": 5}
    ),
    ("GET", "/v1/ordinances"): Sample(params={"on": "2026-11-29"}),
    ("GET", "/v1/citations/search"): Sample(params={"q": "lopez"}),
    ("POST", "/v1/citations/{number}/review-requests"): Sample(
        json={"statement": "It was a soda can."}
    ),
    ("POST", "/v1/citations/{number}/review-decision"): Sample(
        json={
            "outcome": "upheld",
            "findings": "The photo shows a beer can.",
            "decided_by": {"name": "Pat Morgan", "title": "Senior Review Officer"},
        }
    ),
    ("POST", "/v1/citations/{number}/hearing-requests"): Sample(
        json={"deposit": "200.00", "deposit_method": "card"}
    ),
    ("POST", "/v1/citations/{number}/waiver-decision"): Sample(
        json={"granted": True, "reason": "Receives CalFresh."}
    ),
    ("POST", "/v1/citations/{number}/deposits"): Sample(json={"amount": "200.00"}),
    ("PUT", "/v1/contests/{number}/assignee"): Sample(json={"assignee": None}),
    ("POST", "/v1/citations/{number}/hearing"): Sample(json={}),
    ("POST", "/v1/citations/{number}/hearing/continuance"): Sample(json=REASON),
    ("POST", "/v1/citations/{number}/hearing/set-aside"): Sample(
        json={"reason": "In hospital on the day of the hearing."}
    ),
    ("POST", "/v1/citations/{number}/hearing/decision"): Sample(
        json={"outcome": "upheld", "findings": "The person admitted it."}
    ),
    ("POST", "/v1/hearing-officers"): Sample(
        json={
            "name": "Ada Ruiz",
            "qualification": "pro_tem_judge",
            "independence": "Retired judge under contract; not employed by the city.",
        }
    ),
    ("POST", "/v1/hearing-officers/{officer_id}/availability"): Sample(
        json={"day": "2026-12-16", "start": "08:00", "end": "12:00"}
    ),
    ("POST", "/v1/hearing-officers/{officer_id}/recusals"): Sample(
        json={"citation_number": GHOST, "reason": "Knows the person."}
    ),
    ("GET", "/v1/docket-sessions"): Sample(params=PERIOD),
    ("POST", "/v1/docket-sessions"): Sample(
        json={"day": "2026-12-16", "start": "09:00", "officer_id": 999_999, "capacity": 5}
    ),
    ("POST", "/v1/citations/{number}/payments"): Sample(json={"amount": "10.00", "method": "cash"}),
    ("POST", "/v1/payments/{receipt}/reversal"): Sample(json={"reason": "Check returned"}),
    ("POST", "/v1/citations/{number}/plan"): Sample(
        json={"installments": [{"due_on": "2027-01-15", "amount": "100.00"}]}
    ),
    ("POST", "/v1/citations/{number}/ability-to-pay"): Sample(
        json={"household_size": 1, "monthly_income": "0.00", "sworn": True}
    ),
    ("POST", "/v1/citations/{number}/service"): Sample(json={"provider": "food-bank"}),
    ("POST", "/v1/citations/{number}/service/hours"): Sample(
        json={"worked_on": "2026-11-28", "hours": "4"}
    ),
    ("POST", "/v1/citations/{number}/service/sign-off"): Sample(json={"signer": "Food Bank"}),
    ("POST", "/v1/citations/{number}/service/extension"): Sample(json=REASON),
    ("POST", "/v1/citations/{number}/diversion"): Sample(
        json={
            "program": "neighborhood-justice",
            "obligations": [{"kind": "apology_letter", "description": "A letter"}],
        }
    ),
    ("POST", "/v1/citations/{number}/diversion/obligations/{index}"): Sample(
        json={"done_on": "2026-11-29"}
    ),
    ("POST", "/v1/processing"): Sample(params={"as_of": "2026-11-29"}),
    ("GET", "/v1/reconciliation"): Sample(params=PERIOD),
    ("POST", "/v1/drawer"): Sample(json={"opening_float": "100.00"}),
    ("POST", "/v1/drawer/close"): Sample(json={"counted_cash": "100.00", "counted_checks": "0"}),
    ("POST", "/v1/citations/{number}/counter-payments"): Sample(
        json={"amount": "10.00", "method": "card"}
    ),
    ("GET", "/v1/drawers"): Sample(params=PERIOD),
    ("GET", "/v1/reports/program"): Sample(params=PERIOD),
    ("POST", "/v1/tokens"): Sample(json={"role": "clerk", "name": "front desk"}),
    ("POST", "/v1/citations/{number}/documents/{document_id}/return"): Sample(
        json={"returned_on": "2026-11-28", "reason": "Moved, left no address"}
    ),
    ("POST", "/v1/citations/{number}/address"): Sample(
        json={"line1": "48 Alvarado St", "city": "Demo City"}
    ),
    ("POST", "/v1/attachments/{key}/withdraw"): Sample(json={"reason": "Added in error"}),
    ("POST", "/v1/citations/{number}/attachments"): Sample(json={"attachments": ["0" * 64]}),
}

BAD_CREDENTIALS = ["missing", "not bearer", "malformed", "unknown", "revoked", "expired"]


@dataclass(frozen=True)
class Api:
    app: FastAPI
    client: TestClient
    tokens: dict[str, str]
    """Secrets by role value, plus "other officer" (OTHR), "revoked" and "expired"."""
    world: World


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
) -> Iterator[Api]:
    folder = tmp_path_factory.mktemp("api-permissions")
    with build_world(databases, request.param, folder) as world:
        tokens: dict[str, str] = {}
        with transaction(world.engine) as session:
            for role in STAFF_ROLES:
                agency = "DCPD" if role is Role.OFFICER else None
                _, tokens[role.value] = create_token(
                    session,
                    role=role.value,
                    agency=agency,
                    name=role.value,
                    actor=OPERATOR,
                    now=NOW,
                )
            _, tokens["other officer"] = create_token(
                session, role="officer", agency="OTHR", name="other", actor=OPERATOR, now=NOW
            )
            revoked, tokens["revoked"] = create_token(
                session, role="admin", agency=None, name="revoked", actor=OPERATOR, now=NOW
            )
            revoke_token(session, revoked.id, actor=OPERATOR, now=NOW)
            # An admin token that lived one day in 2020: expired whatever the clock says.
            _, tokens["expired"] = create_token(
                session,
                role="admin",
                agency=None,
                name="expired",
                actor=OPERATOR,
                now=datetime(2020, 1, 1, tzinfo=UTC),
                expires_at=datetime(2020, 1, 2, tzinfo=UTC),
            )
        app = create_app(world.url)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Api(app, client, tokens, world)


def body(route: tuple[str, str]) -> Any:
    if route == ("POST", "/v1/citations"):
        return message()
    return SAMPLES.get(route, Sample()).json


def call(api: Api, route: tuple[str, str], headers: dict[str, str]) -> Response:
    method, template = route
    sample = SAMPLES.get(route, Sample())
    return api.client.request(
        method,
        template.format(**PATH_VALUES),
        json=body(route),
        params=sample.params,
        headers=headers,
    )


def credentials(api: Api, kind: str) -> dict[str, str]:
    return {
        "missing": {},
        "not bearer": {"Authorization": f"Basic {api.tokens['admin']}"},
        "malformed": {"Authorization": "Bearer not-a-token"},
        "unknown": {"Authorization": "Bearer cit_" + "x" * 43},
        "revoked": {"Authorization": f"Bearer {api.tokens['revoked']}"},
        "expired": {"Authorization": f"Bearer {api.tokens['expired']}"},
    }[kind]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def allowed(route: tuple[str, str]) -> frozenset[Role]:
    """The roles holding every action the route checks."""
    return reduce(frozenset.intersection, (PERMISSIONS[a] for a in ROUTES[route]))


def problem_type(response: Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    kind: str = response.json()["type"]
    return kind


def served_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every API route, the /clerk web pages and the cited person's public
    pages (tests/test_public_*.py) left out."""
    return {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and not isinstance(context.original_route, PublicRoute)
        and context.path is not None
        and not context.path.startswith("/clerk")
        for method in context.methods or ()
    }


def test_every_route_is_mapped(api: Api) -> None:
    """A new route fails here until it is given its actions (or declared public)."""
    served = served_routes(api.app)
    assert len(served) > 40
    assert served - set(ROUTES) - PUBLIC == set(), "routes without actions"
    assert (set(ROUTES) | PUBLIC) - served == set(), "mapped routes that no longer exist"


@pytest.mark.parametrize("route", list(PUBLIC), ids=" ".join)
def test_public_routes_need_no_token(api: Api, route: tuple[str, str]) -> None:
    assert call(api, route, {}).status_code == 200


@pytest.mark.parametrize("route", list(ROUTES), ids=" ".join)
def test_bad_credentials_are_all_401_alike(api: Api, route: tuple[str, str]) -> None:
    """Missing, malformed, unknown, revoked and expired look the same: nothing tells a caller
    which tokens exist or were revoked."""
    answers = []
    for kind in BAD_CREDENTIALS:
        response = call(api, route, credentials(api, kind))
        assert problem_type(response, 401) == "/problems/unauthorized", kind
        assert response.headers["www-authenticate"] == "Bearer"
        answers.append(response.json())
    assert all(answer == answers[0] for answer in answers), answers


@pytest.mark.parametrize("role", list(STAFF_ROLES), ids=str)
@pytest.mark.parametrize("route", list(ROUTES), ids=" ".join)
def test_role_cell(api: Api, route: tuple[str, str], role: Role) -> None:
    response = call(api, route, bearer(api.tokens[role.value]))
    if role in allowed(route):
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
    else:
        assert problem_type(response, 403) == "/problems/forbidden"
        assert response.json()["detail"].startswith(f"a {role.value} may not ")


READS = ["", "/notice.pdf", "/contest", "/payments", "/ledger", "/schedule"]


@pytest.mark.parametrize("suffix", READS)
def test_an_officer_reads_only_their_agencys_citations(api: Api, suffix: str) -> None:
    """DCPD's officer reads the DCPD citation; OTHR's officer is told it does not exist."""
    path = f"/v1/citations/{api.world.number}{suffix}"
    own = api.client.get(path, headers=bearer(api.tokens["officer"]))
    other = api.client.get(path, headers=bearer(api.tokens["other officer"]))
    if suffix in ("/payments", "/ledger"):  # money is not an officer's to read at all
        assert problem_type(own, 403) == problem_type(other, 403) == "/problems/forbidden"
        return
    # The own agency's officer gets an answer (for /contest: "has not been contested").
    assert own.status_code in (200, 422), own.text
    assert problem_type(other, 404) == "/problems/not-found"


@pytest.mark.parametrize("action", ["void", "amendments"])
def test_an_officer_cannot_change_another_agencys_citation(api: Api, action: str) -> None:
    response = api.client.post(
        f"/v1/citations/{api.world.number}/{action}",
        json={"reason": "Trying another agency's citation"},
        headers=bearer(api.tokens["other officer"]),
    )
    assert problem_type(response, 404) == "/problems/not-found"
