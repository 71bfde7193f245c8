"""Who may do what: one permissions matrix for the library, the CLI and the API."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from citations.errors import PermissionDenied


class Role(StrEnum):
    OFFICER = "officer"
    CLERK = "clerk"
    HEARING_OFFICER = "hearing_officer"
    ATTORNEY = "attorney"
    ADMIN = "admin"
    AUDITOR = "auditor"
    PERSON = "person"
    """The cited person, on the public pages, for their own citation only (never a token's
    role: they sign in with their citation number and date of birth, or the access code)."""


class Action(StrEnum):
    ISSUE_CITATION = "issue_citation"
    READ_CITATION = "read_citation"
    AMEND_CITATION = "amend_citation"
    VOID_CITATION = "void_citation"
    ALLOCATE_NUMBERS = "allocate_numbers"
    READ_CATALOG = "read_catalog"
    RECEIVE_CONTEST = "receive_contest"
    """Record a person's request for a review or a hearing, or their deposit."""
    GRANT_LATE_FILING = "grant_late_filing"
    DECIDE_REVIEW = "decide_review"
    DECIDE_WAIVER = "decide_waiver"
    MANAGE_HEARING_OFFICERS = "manage_hearing_officers"
    MANAGE_DOCKET = "manage_docket"
    SCHEDULE_HEARING = "schedule_hearing"
    DECIDE_HEARING = "decide_hearing"
    RECORD_EARLY_HEARING = "record_early_hearing"
    """Record a hearing decided before its set time, held early by agreement, with the reason."""
    RECORD_PAYMENT = "record_payment"
    MANAGE_PLANS = "manage_plans"
    DECIDE_ABILITY_TO_PAY = "decide_ability_to_pay"
    MANAGE_SERVICE = "manage_service"
    MANAGE_DIVERSION = "manage_diversion"
    RUN_DAILY_PROCESSING = "run_daily_processing"
    EXPORT_COLLECTIONS = "export_collections"
    READ_MONEY_REPORTS = "read_money_reports"
    READ_PROGRAM_REPORT = "read_program_report"
    PUBLISH_CATALOG = "publish_catalog"
    """Publish the ordinance catalog: new ordinances and versions, replacing or withdrawing
    a future version, the jurisdiction profile."""
    REFUND = "refund"
    """Give money back; it only ever follows a decision that dismisses or reduces."""
    MANAGE_TOKENS = "manage_tokens"
    """Create, list and revoke API tokens."""
    MANAGE_USERS = "manage_users"
    """Create and disable staff accounts, and reset their passwords."""
    MANAGE_AGENCIES = "manage_agencies"
    """Register issuing agencies."""
    RECORD_MAIL = "record_mail"
    """Record a letter that came back undeliverable, and a new mailing address (which mails
    the notice again)."""
    CHANGE_CONTACT = "change_contact"
    """Change the person's mailing address (which mails a returned letter again), phone or
    email."""
    ANSWER_REQUESTS = "answer_requests"
    """Decide what a person asked for online that no rule decides at once (ability to pay
    beyond the plain cases, setting aside a default, a plan outside the rules)."""
    KEEP_DRAWER = "keep_drawer"
    """Open and close one's own cash drawer at the counter (citations.payments.drawers)."""
    ASSIGN_WORK = "assign_work"
    """Assign a contest waiting on the clerks to a staff member (the work queues)."""
    ATTACH_FILES = "attach_files"
    """Add a file to a citation's record: an officer's photos and documents, a clerk's scan
    of a letter, the person's own files online (citations.attachments)."""
    WITHDRAW_FILES = "withdraw_files"
    """Withdraw a file added in error, with the reason (it stays in the record)."""


# Officers act only within their own agency; the other roles are city-wide.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.ISSUE_CITATION: frozenset({Role.OFFICER, Role.ADMIN}),
    Action.READ_CITATION: frozenset(
        {
            Role.OFFICER,
            Role.CLERK,
            Role.HEARING_OFFICER,
            Role.ATTORNEY,
            Role.ADMIN,
            Role.AUDITOR,
            Role.PERSON,
        }
    ),
    Action.AMEND_CITATION: frozenset({Role.OFFICER, Role.ADMIN}),
    Action.VOID_CITATION: frozenset({Role.OFFICER, Role.CLERK, Role.ADMIN}),
    Action.ALLOCATE_NUMBERS: frozenset({Role.OFFICER, Role.ADMIN}),
    Action.READ_CATALOG: frozenset(Role),
    Action.RECEIVE_CONTEST: frozenset({Role.CLERK, Role.ADMIN, Role.PERSON}),
    Action.GRANT_LATE_FILING: frozenset({Role.CLERK, Role.ADMIN}),
    Action.DECIDE_REVIEW: frozenset({Role.CLERK, Role.HEARING_OFFICER, Role.ADMIN}),
    Action.DECIDE_WAIVER: frozenset({Role.CLERK, Role.ADMIN}),
    Action.MANAGE_HEARING_OFFICERS: frozenset({Role.CLERK, Role.ADMIN}),
    Action.MANAGE_DOCKET: frozenset({Role.CLERK, Role.ADMIN}),
    # The person may move their own hearing online (citations.online.contest.move_hearing,
    # which keeps the profile's limits): the clerks' continuance, as them.
    Action.SCHEDULE_HEARING: frozenset({Role.CLERK, Role.ADMIN, Role.PERSON}),
    # A clerk records the decision a hearing officer announces; officers never decide.
    Action.DECIDE_HEARING: frozenset({Role.HEARING_OFFICER, Role.CLERK, Role.ADMIN}),
    # The docket is the clerk's: only a clerk vouches that a hearing was moved up by agreement.
    Action.RECORD_EARLY_HEARING: frozenset({Role.CLERK, Role.ADMIN}),
    # Attorneys keep the catalog; they never post payments.
    Action.RECORD_PAYMENT: frozenset({Role.CLERK, Role.ADMIN, Role.PERSON}),
    Action.MANAGE_PLANS: frozenset({Role.CLERK, Role.ADMIN, Role.PERSON}),
    Action.DECIDE_ABILITY_TO_PAY: frozenset({Role.CLERK, Role.ADMIN}),
    Action.MANAGE_SERVICE: frozenset({Role.CLERK, Role.ADMIN, Role.PERSON}),
    Action.MANAGE_DIVERSION: frozenset({Role.CLERK, Role.ADMIN, Role.PERSON}),
    Action.RUN_DAILY_PROCESSING: frozenset({Role.ADMIN}),
    Action.EXPORT_COLLECTIONS: frozenset({Role.CLERK, Role.ADMIN}),
    Action.READ_MONEY_REPORTS: frozenset({Role.CLERK, Role.ATTORNEY, Role.ADMIN, Role.AUDITOR}),
    Action.READ_PROGRAM_REPORT: frozenset({Role.ATTORNEY, Role.ADMIN, Role.AUDITOR}),
    # Attorneys keep the catalog; a clerk or an officer never changes what the law says.
    Action.PUBLISH_CATALOG: frozenset({Role.ATTORNEY, Role.ADMIN}),
    # Whoever may decide a review or a hearing may cause the refund the decision owes.
    Action.REFUND: frozenset({Role.CLERK, Role.HEARING_OFFICER, Role.ADMIN}),
    Action.MANAGE_TOKENS: frozenset({Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.MANAGE_AGENCIES: frozenset({Role.ADMIN}),
    # The mail room is the clerks': returned letters and the addresses they are sent to.
    Action.RECORD_MAIL: frozenset({Role.CLERK, Role.ADMIN}),
    # The person keeps their own address current on the public pages; a clerk may for them.
    Action.CHANGE_CONTACT: frozenset({Role.CLERK, Role.ADMIN, Role.PERSON}),
    Action.ANSWER_REQUESTS: frozenset({Role.CLERK, Role.HEARING_OFFICER, Role.ADMIN}),
    # Cashiers are clerks: whoever takes cash or checks at the counter keeps a drawer.
    Action.KEEP_DRAWER: frozenset({Role.CLERK, Role.ADMIN}),
    # The clerks share out the waiting work; whoever it goes to must be able to do it.
    Action.ASSIGN_WORK: frozenset({Role.CLERK, Role.ADMIN}),
    # Evidence comes from the officer, the person, and the clerks who scan what comes by mail.
    Action.ATTACH_FILES: frozenset({Role.OFFICER, Role.CLERK, Role.ADMIN, Role.PERSON}),
    # An officer withdraws their agency's own file added in error; the clerks any file.
    Action.WITHDRAW_FILES: frozenset({Role.OFFICER, Role.CLERK, Role.ADMIN}),
}
"""The cited person (Role.PERSON) may act only on their own citation (Actor.citation),
which find_citation enforces; what they may ask for online beyond these is a request that
staff answer (ANSWER_REQUESTS)."""

STAFF_ROLES = tuple(role for role in Role if role is not Role.PERSON)
"""The roles an API token (and so a staff member) can have."""

AGENCY_BOUND = frozenset({Role.OFFICER})


@dataclass(frozen=True)
class Actor:
    """Who is acting: a token's holder over the API, or the operator at the command line."""

    name: str
    role: Role
    agency: str | None = None
    """The agency code an officer acts for; None for city-wide roles."""
    citation: str | None = None
    """The one citation number a cited person acts on (Role.PERSON); None for staff."""
    user_id: int | None = None
    """The staff account (citations.record.staff.StaffUser) acting; None for an API token,
    the operator at the command line and the cited person."""

    def require(self, action: Action, agency: str | None = None) -> None:
        """Raise PermissionDenied unless this actor may take `action` (for `agency`)."""
        if self.role not in PERMISSIONS[action]:
            raise PermissionDenied(self.role.value, action.value)
        if agency is not None and self.role in AGENCY_BOUND and agency != self.agency:
            raise PermissionDenied(
                self.role.value, action.value, f"only for agency {self.agency}, not {agency}"
            )


OPERATOR = Actor("operator (command line)", Role.ADMIN)


CITED_PERSON_ONLINE = "the cited person, online"
"""How the audit trail and every record name the cited person acting on the public pages."""


def cited_person(number: str) -> Actor:
    """The cited person acting on the public pages: every audit event names them so.

    >>> cited_person("DCPD-2026-000001-5").name
    'the cited person, online'
    """
    return Actor(CITED_PERSON_ONLINE, Role.PERSON, citation=number)


"""The person at the command line on the server: the CLI has the admin's powers."""


def matrix_markdown() -> str:
    """The matrix as a Markdown table, one row per action (the README shows this table, and
    a test checks that it still matches PERMISSIONS).

    >>> print(matrix_markdown().splitlines()[2])
    | issue citation | ✓ |  |  |  | ✓ |  |  |
    """
    header = "| action | " + " | ".join(r.value.replace("_", " ") for r in Role) + " |"
    rule = "|---|" + "---|" * len(Role)
    rows = [
        f"| {a.value.replace('_', ' ')} | "
        + " | ".join("✓" if r in PERMISSIONS[a] else "" for r in Role)
        + " |"
        for a in Action
    ]
    return "\n".join([header, rule, *rows])
