"""The permissions matrix, cell by cell, through the library functions that guard it.

For every (action, role) pair the test calls the one library function that stands for the
action, as an actor of that role, on both backends. A role the matrix allows must get past
the check: a later domain error (NotFound, IllegalTransition, InputRejected) is fine, it
shows the check passed. A refused role must get PermissionDenied for that action. A spy
records every check made, so an allowed cell also fails if its call never reached the
action's check at all (a call that proves nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.api.routes import read_ordinances
from citations.attachments.service import add_file, withdraw
from citations.catalog.publishing import publish
from citations.errors import CitationsError, NotFound, PermissionDenied
from citations.hearings.assign import assign_contest
from citations.hearings.build import contest_summary
from citations.hearings.contests import decide_review, decide_waiver, request_review
from citations.hearings.decisions import Outcome
from citations.hearings.officers import add_officer, create_session
from citations.hearings.scheduling import decide_hearing, schedule_hearing
from citations.issuing.amend import Amendment, amend_citation
from citations.issuing.intake import Address
from citations.issuing.pipeline import issue
from citations.issuing.void import void_citation
from citations.notice.address import change_address
from citations.notice.build import notice_for
from citations.online.requests import answer_request
from citations.payments.ability import Declaration, request_ability_to_pay
from citations.payments.collections import export_collections
from citations.payments.diversion import Obligation, refer
from citations.payments.drawers import open_drawer
from citations.payments.plans import Installment, create_plan
from citations.payments.posting import PaymentRequest, record_payment, refund
from citations.payments.processing import process
from citations.payments.reconciliation import reconcile
from citations.payments.service import elect_service
from citations.record.accounts import list_users
from citations.record.agencies import allocate_block, register_agency
from citations.record.lookup import find_citation, get_citation
from citations.record.returns import record_return
from citations.record.sent import documents_of, stored_document
from citations.record.tables import Citation
from citations.record.tokens import create_token
from citations.reports.compute import compute_report
from citations.roles import OPERATOR, PERMISSIONS, Action, Actor, Role, matrix_markdown
from ordinances import load_catalog
from ordinances.errors import OrdinanceError
from tests.conftest import GOOD_CATALOG, NOW
from tests.databases import Databases
from tests.factories import intake
from tests.hearing_steps import INDEPENDENCE, SIGNED, at
from tests.permission_world import BACKENDS, World, actor_of, build_world
from tests.test_online_files import picture

README = Path(__file__).parents[1] / "README.md"
CATALOG = load_catalog(GOOD_CATALOG)
MISSING = 999_999
"""An id no row has: the call gets past the check, then finds nothing."""


@dataclass(frozen=True)
class Spy(Actor):
    """An actor that records each action it is checked for."""

    checked: list[Action] = field(default_factory=list, compare=False)

    def require(self, action: Action, agency: str | None = None) -> None:
        self.checked.append(action)
        super().require(action, agency)


def _citation(session: Session, number: str) -> Citation:
    return session.scalars(select(Citation).where(Citation.number == number)).one()


Call = Callable[[Session, Actor, str], object]
"""One library call guarded by an action: (session, actor, an issued DCPD citation's number)."""

CALLS: dict[Action, Call] = {
    Action.ISSUE_CITATION: lambda s, a, n: issue(s, intake(), actor=a, now=NOW),
    Action.READ_CITATION: lambda s, a, n: get_citation(s, n, a),
    Action.AMEND_CITATION: lambda s, a, n: amend_citation(
        s, n, Amendment(reason="Badge number was mistyped"), actor=a, now=NOW
    ),
    Action.VOID_CITATION: lambda s, a, n: void_citation(
        s, n, "Wrong person identified", actor=a, now=NOW
    ),
    Action.ALLOCATE_NUMBERS: lambda s, a, n: allocate_block(
        s, "DCPD", "unit-9", 10, year=2026, actor=a, now=NOW
    ),
    # The catalog is public law: its reader takes no actor, and the API route is the guard.
    Action.READ_CATALOG: lambda s, a, n: read_ordinances(a, s, on=date(2026, 11, 29)),
    Action.RECEIVE_CONTEST: lambda s, a, n: request_review(
        s, n, "It was a soda can.", received_at=at("2026-11-25"), actor=a, now=at("2026-11-25")
    ),
    # Months after the deadline, with a reason: only a late-filing grant lets it through.
    Action.GRANT_LATE_FILING: lambda s, a, n: request_review(
        s,
        n,
        "It was a soda can.",
        received_at=at("2027-03-01"),
        actor=a,
        now=at("2027-03-01"),
        late_reason="The person was in hospital until February.",
    ),
    Action.DECIDE_REVIEW: lambda s, a, n: decide_review(
        s,
        n,
        Outcome.UPHELD,
        "The officer's photo shows a beer can.",
        decided_by=SIGNED,
        actor=a,
        now=NOW,
    ),
    Action.DECIDE_WAIVER: lambda s, a, n: decide_waiver(
        s, n, True, "Receives CalFresh.", actor=a, now=NOW
    ),
    Action.MANAGE_HEARING_OFFICERS: lambda s, a, n: add_officer(
        s, "Ada Ruiz", "pro_tem_judge", "Judge pro tem", INDEPENDENCE, actor=a, now=NOW
    ),
    Action.MANAGE_DOCKET: lambda s, a, n: create_session(
        s,
        day=date(2026, 12, 16),
        start=time(9, 0),
        officer_id=MISSING,
        capacity=5,
        place="Room 101",
        remote_link=None,
        slot_minutes=20,
        actor=a,
        now=NOW,
    ),
    Action.SCHEDULE_HEARING: lambda s, a, n: schedule_hearing(s, n, actor=a, now=NOW),
    Action.DECIDE_HEARING: lambda s, a, n: decide_hearing(
        s, n, Outcome.UPHELD, "The person admitted it.", actor=a, now=NOW
    ),
    # Asking to record a hearing held early is checked before anything else is looked at.
    Action.RECORD_EARLY_HEARING: lambda s, a, n: decide_hearing(
        s,
        n,
        Outcome.UPHELD,
        "The person admitted it.",
        actor=a,
        now=NOW,
        held_early_reason="The person came in early and asked to be heard.",
    ),
    Action.RECORD_PAYMENT: lambda s, a, n: record_payment(
        s, n, PaymentRequest(amount=Decimal("10.00"), method="cash"), actor=a, now=NOW
    ),
    Action.MANAGE_PLANS: lambda s, a, n: create_plan(
        s, n, [Installment(due_on=date(2027, 1, 15), amount=Decimal("200.00"))], actor=a, now=NOW
    ),
    Action.DECIDE_ABILITY_TO_PAY: lambda s, a, n: request_ability_to_pay(
        s,
        n,
        Declaration(household_size=1, monthly_income=Decimal("0.00"), sworn=True),
        actor=a,
        now=NOW,
    ),
    Action.MANAGE_SERVICE: lambda s, a, n: elect_service(s, n, "food-bank", actor=a, now=NOW),
    Action.MANAGE_DIVERSION: lambda s, a, n: refer(
        s,
        n,
        "neighborhood-justice",
        [Obligation(kind="apology_letter", description="A letter to the neighbors")],
        actor=a,
        now=NOW,
    ),
    Action.RUN_DAILY_PROCESSING: lambda s, a, n: process(
        s, as_of=date(2026, 11, 29), actor=a, now=NOW
    ),
    Action.EXPORT_COLLECTIONS: lambda s, a, n: export_collections(s, since=None, actor=a),
    Action.READ_MONEY_REPORTS: lambda s, a, n: reconcile(
        s, date(2026, 11, 1), date(2026, 11, 30), actor=a
    ),
    Action.READ_PROGRAM_REPORT: lambda s, a, n: compute_report(
        s, date(2026, 1, 1), date(2026, 12, 31), actor=a, now=NOW
    ),
    Action.PUBLISH_CATALOG: lambda s, a, n: publish(
        s, CATALOG, author="A. Author", approved_by="B. Approver", reason="t", now=NOW, actor=a
    ),
    Action.REFUND: lambda s, a, n: refund(
        s, _citation(s, n), Decimal("1.00"), reason="paid twice", actor=a, now=NOW
    ),
    Action.MANAGE_TOKENS: lambda s, a, n: create_token(
        s, role="clerk", agency=None, name="front desk", actor=a, now=NOW
    ),
    Action.MANAGE_USERS: lambda s, a, n: list_users(s, actor=a),
    Action.MANAGE_AGENCIES: lambda s, a, n: register_agency(
        s, "PARKS", "Parks Rangers", actor=a, now=NOW
    ),
    Action.KEEP_DRAWER: lambda s, a, n: open_drawer(s, Decimal("50.00"), actor=a, now=NOW),
    Action.RECORD_MAIL: lambda s, a, n: record_return(
        s, n, 999_999, returned_on=date(2026, 11, 28), reason="Moved away", actor=a, now=NOW
    ),
    Action.CHANGE_CONTACT: lambda s, a, n: change_address(
        s, n, Address(line1="48 Alvarado St", city="Demo City"), actor=a, now=NOW
    ),
    Action.ANSWER_REQUESTS: lambda s, a, n: answer_request(
        s, 999_999, granted=False, answer="Not within the rules.", actor=a, now=NOW
    ),
    Action.ASSIGN_WORK: lambda s, a, n: assign_contest(s, n, None, actor=a, now=NOW),
    Action.ATTACH_FILES: lambda s, a, n: add_file(
        s,
        find_citation(s, n, a),
        picture("PNG"),
        filename="letter.png",
        source="person",
        purpose="mail",
        actor=a,
        now=NOW,
        added_from="test",
    ),
    Action.WITHDRAW_FILES: lambda s, a, n: withdraw(
        s, "att_" + "a" * 26, "Added to the wrong citation", actor=a, now=NOW
    ),
}

PREREQUISITES: dict[Action, frozenset[Action]] = {
    Action.GRANT_LATE_FILING: frozenset({Action.RECEIVE_CONTEST}),
    Action.RECORD_EARLY_HEARING: frozenset({Action.DECIDE_HEARING}),
}
"""Actions only reached through another check: a late filing is first a received contest, a
hearing held early is first a hearing decided."""


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("permissions")
    with build_world(databases, request.param, folder) as built:
        yield built


def attempt(world: World, call: Call, actor: Actor, number: str | None = None) -> Exception | None:
    """Make the call and roll its work back; returns the domain error it ended with, if any
    (anything else, such as a TypeError from a wrong call, fails the test)."""
    with Session(world.engine) as session:
        try:
            call(session, actor, number or world.number)
        except (CitationsError, OrdinanceError) as exc:
            return exc
        finally:
            session.rollback()
    return None


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_cell(world: World, action: Action, role: Role) -> None:
    call = CALLS.get(action)
    assert call is not None, f"{action} has no representative library call in CALLS"
    spy = Spy(
        f"test {role.value}",
        role,
        "DCPD" if role is Role.OFFICER else None,
        citation=world.number if role is Role.PERSON else None,
    )
    outcome = attempt(world, call, spy)
    if role in PERMISSIONS[action]:
        assert not isinstance(outcome, PermissionDenied), f"{role} was refused: {outcome}"
        assert action in spy.checked, f"the call for {action} never checked it: {spy.checked}"
    else:
        assert isinstance(outcome, PermissionDenied), f"{role} got through: {outcome!r}"
        reached_through = {p.value for p in PREREQUISITES.get(action, frozenset())}
        assert outcome.action == action.value or outcome.action in reached_through
        assert outcome.role == role.value


def test_prerequisites_never_hide_an_allowed_role() -> None:
    """Whoever holds an action also holds every check made before it, or could never use it."""
    for action, earlier in PREREQUISITES.items():
        for prerequisite in earlier:
            assert PERMISSIONS[action] <= PERMISSIONS[prerequisite], (action, prerequisite)


def test_every_action_is_in_the_matrix() -> None:
    assert set(PERMISSIONS) == set(Action)


def test_issue_examples_hold() -> None:
    """The issue's own examples, read straight off the matrix."""
    for action in (Action.DECIDE_REVIEW, Action.DECIDE_HEARING, Action.REFUND):
        assert Role.OFFICER not in PERMISSIONS[action]
    assert Role.OFFICER not in PERMISSIONS[Action.PUBLISH_CATALOG]
    assert Role.CLERK not in PERMISSIONS[Action.PUBLISH_CATALOG]
    assert Role.ATTORNEY not in PERMISSIONS[Action.RECORD_PAYMENT]


def test_whoever_decides_may_refund() -> None:
    """A dismissal or a reduction refunds what was paid, as the decider: the decision would
    fail halfway for a role that may decide but not refund."""
    deciders = PERMISSIONS[Action.DECIDE_REVIEW] | PERMISSIONS[Action.DECIDE_HEARING]
    assert deciders <= PERMISSIONS[Action.REFUND]


def test_the_command_line_operator_may_do_everything() -> None:
    """The CLI acts as OPERATOR: whoever runs it on the server holds the database itself, so
    it has no roles of its own. Every action must stay open to it, or a command breaks."""
    assert OPERATOR.role is Role.ADMIN
    for action in Action:
        OPERATOR.require(action)


# Agency scoping: officers act only for their own agency.

OTHER_OFFICER = actor_of(Role.OFFICER, agency="OTHR")
HIDDEN: dict[str, Call] = {
    "read": CALLS[Action.READ_CITATION],
    "amend": CALLS[Action.AMEND_CITATION],
    "void": CALLS[Action.VOID_CITATION],
    "notice": lambda s, a, n: notice_for(s, n, a),
    "contest": lambda s, a, n: contest_summary(s, n, a),
    "documents sent": lambda s, a, n: documents_of(s, n, a),
    "a document sent": lambda s, a, n: stored_document(s, n, 1, a),
}


@pytest.mark.parametrize("what", list(HIDDEN))
def test_another_agencys_citation_is_not_found(world: World, what: str) -> None:
    """Not found, not forbidden: an officer learns nothing about other agencies' numbers."""
    outcome = attempt(world, HIDDEN[what], OTHER_OFFICER)
    assert isinstance(outcome, NotFound), outcome
    assert attempt(world, HIDDEN["read"], actor_of(Role.OFFICER)) is None


def test_an_officer_cannot_issue_or_take_numbers_for_another_agency(world: World) -> None:
    for action in (Action.ISSUE_CITATION, Action.ALLOCATE_NUMBERS):
        outcome = attempt(world, CALLS[action], OTHER_OFFICER)
        assert isinstance(outcome, PermissionDenied), outcome
        assert "only for agency OTHR, not DCPD" in str(outcome)


def test_the_readme_shows_the_matrix() -> None:
    """The README's permissions table is generated from PERMISSIONS (`matrix_markdown()`);
    this fails when one changes without the other."""
    assert matrix_markdown() in README.read_text(encoding="utf-8"), (
        "paste citations.roles.matrix_markdown() into README.md"
    )
