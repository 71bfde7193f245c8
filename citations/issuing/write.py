"""Recording a batch of decided messages with a few statements for all of them.

Every message gets its intake record; every issued one its citation, violations,
identifiers, assessed fine and first revision; each gets its chained audit events, in the
order the messages came. The rows are the ones issuing one message at a time would write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from citations.audit import event_fields, record_many
from citations.calendar import local_date
from citations.catalog.tables import OrdinanceRow, OrdinanceVersionRow
from citations.issuing.contact import consent_event, contact_columns
from citations.issuing.decision import Decision
from citations.issuing.intake import IntakeMessage
from citations.issuing.results import IntakeResult, Planned
from citations.money import to_cents
from citations.partitions import with_ids, with_parent_ids
from citations.record.folding import folded_subject
from citations.record.ledger import EntryKind, LedgerEntry, entry_event, entry_row
from citations.record.repeats import refresh_next_days
from citations.record.status import CitationStatus
from citations.record.tables import (
    Citation,
    CitationIdentifier,
    CitationRevision,
    CitationViolation,
    IntakeRecord,
)
from citations.roles import Actor
from ordinances.models import Jurisdiction
from ordinances.resolve import ResolvedVersion


def write_outcomes(
    session: Session,
    planned: Sequence[Planned],
    *,
    actor: Actor,
    now: datetime,
    profile: Jurisdiction,
) -> Sequence[Planned]:
    """Insert everything the plans decided; replays (a message repeated in the batch) write
    nothing. Returns the plans, whose results are now final."""
    new = [plan for plan in planned if not plan.replay]
    if not new:
        return planned
    results = {plan.position: plan.result() for plan in new}
    responses = {position: result.model_dump(mode="json") for position, result in results.items()}
    intake_ids = _insert_returning_ids(
        session,
        IntakeRecord,
        [_intake_row(p, responses[p.position], actor, now) for p in new],
        [p.violation_date.year for p in new],
    )
    issued = [(plan, intake_id) for plan, intake_id in zip(new, intake_ids, strict=True)]
    issued = [(plan, intake_id) for plan, intake_id in issued if plan.issued]
    contacts = {
        plan.position: contact_columns(plan.message, profile, by=actor.name) for plan, _ in issued
    }
    citation_ids = _insert_returning_ids(
        session,
        Citation,
        [
            _citation_row(plan, intake_id, now, profile) | contacts[plan.position]
            for plan, intake_id in issued
        ],
        [plan.violation_date.year for plan, _ in issued],
    )
    details = CitationDetails(session)
    fines: dict[int, dict[str, Any]] = {}
    for (plan, _), citation_id in zip(issued, citation_ids, strict=True):
        snapshots = details.add(citation_id, plan.message, plan.decision, plan.violation_date)
        details.add_first_revision(citation_id, plan, snapshots, actor, now)
        offenses = ", ".join(
            f"{v.ordinance} offense {v.offense_count}" for v in plan.decision.violations
        )
        fine = entry_row(
            citation_id,
            EntryKind.FINE_ASSESSED,
            plan.decision.total_fine,
            actor=actor.name,
            at=now,
            reason=f"issued: {offenses}",
        )
        if fine is not None:
            fines[plan.position] = {**fine, "reference": None}
    details.insert()
    refresh_next_days(
        session,
        [(p.message.subject.name_key(), p.message.subject.date_of_birth) for p, _ in issued],
    )
    if fines:
        entries = list(fines.values())
        with_parent_ids(session.connection(), LedgerEntry.__tablename__, entries)
        session.execute(insert(LedgerEntry), entries)
    events = []
    for plan in new:
        if plan.position in fines:
            events.append(event_fields(**entry_event(str(plan.number), fines[plan.position])))
        events.append(
            _intake_event(plan, results[plan.position], responses[plan.position], actor, now)
        )
        if plan.position in contacts:
            consent = consent_event(
                str(plan.number), contacts[plan.position], actor=actor.name, now=now
            )
            events += [consent] if consent else []
    record_many(session, events)
    _join_files(session, issued, citation_ids, actor, now)
    return planned


def _join_files(
    session: Session,
    issued: list[tuple[Planned, int]],
    citation_ids: list[int],
    actor: Actor,
    now: datetime,
) -> None:
    """The files each issued message names, joined to its citation (after the intake's
    events, so the trail says issued, then each file added or awaited)."""
    for (plan, _), citation_id in zip(issued, citation_ids, strict=True):
        if not plan.message.attachments:
            continue
        from citations.attachments.named import join_to_citation  # its imaging is heavy

        join_to_citation(
            session,
            citation_id,
            plan.message.attachments,
            agency=plan.agency,
            message_id=str(plan.message.message_id),
            actor=actor,
            now=now,
        )


def _insert_returning_ids(
    session: Session, table: type[Any], rows: list[dict[str, Any]], years: list[int]
) -> list[int]:
    """Insert the rows; their ids, in order. On a database partitioned by year the ids are
    given here, of each row's year (citations.partitions)."""
    if not rows:
        return []
    with_ids(session.connection(), table.__tablename__, rows, years)
    statement = insert(table).returning(table.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows))


def _intake_row(
    plan: Planned, response: dict[str, Any], actor: Actor, now: datetime
) -> dict[str, Any]:
    message = plan.message
    return {
        "message_id": str(message.message_id),
        "body_hash": plan.body_hash,
        "body": plan.body,
        "agency_id": plan.agency.id,
        "device_id": message.device_id,
        "received_at": now,
        "received_by": actor.name,
        "outcome": plan.decision.outcome.value,
        "reasons": plan.decision.reasons,
        "violation_at": message.violation_at,
        "area": message.location.area,
        "preferred_language": message.subject.preferred_language,
        "response": response,
    }


def _intake_event(
    plan: Planned, result: IntakeResult, response: dict[str, Any], actor: Actor, now: datetime
) -> dict[str, Any]:
    return event_fields(
        at=now,
        actor=actor.name,
        action=f"intake.{result.outcome.value}",
        entity_type="citation" if plan.number else "intake",
        entity_key=plan.number or str(plan.message.message_id),
        reason="; ".join(plan.decision.reasons) or None,
        after=response,
    )


def _citation_row(
    plan: Planned, intake_id: int, now: datetime, profile: Jurisdiction
) -> dict[str, Any]:
    assert plan.number is not None
    return {
        "number": plan.number,
        "agency_id": plan.agency.id,
        "device_id": plan.message.device_id,
        "intake_id": intake_id,
        "status": CitationStatus.ISSUED.value,
        "status_reason": None,
        "revision": 1,
        # The fine assessed below is the ledger's one entry (none for a zero fine).
        "balance_cents": to_cents(plan.decision.total_fine),
        "issued_at": now,
        "closed_at": None,
        "notice_language": plan.language,
        "due_on": plan.pay_by,
        "service_method": plan.service.method,
        "served_on": plan.service.served_on,
        "attention": plan.service.attention,
        **citation_fields(plan.message, plan.decision, plan.violation_date, body=plan.body),
        **arm_fields(plan.number, local_date(now, profile), profile),
    }


def arm_fields(number: str, issued_on: date, profile: Jurisdiction) -> dict[str, str | None]:
    """The reminders experiment running on the issue day (local) and the citation's arm of
    it, drawn from the experiment's seed and the number: the same number, the same arm."""
    experiment = profile.reminders.experiment
    if experiment is None or not experiment.runs_on(issued_on):
        return {"experiment": None, "arm": None}
    return {"experiment": experiment.id, "arm": experiment.arm_for(number).id}


def citation_fields(
    message: IntakeMessage,
    decision: Decision,
    violation_date: date,
    *,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The citation's columns that come from the message and its decision (also on
    amendment); `body` is the message as JSON, when the caller has it already."""
    subject = message.subject
    if body is None:
        body = message.model_dump(mode="json")
    return {
        "violation_at": message.violation_at,
        "violation_date": violation_date,
        "location": body["location"],
        "area": message.location.area,
        "officer_badge": message.officer.badge,
        "officer_name": message.officer.name,
        "subject": body["subject"],
        "subject_name_key": subject.name_key(),
        **folded_subject(body["subject"]),
        "subject_dob": subject.date_of_birth,
        "preferred_language": subject.preferred_language,
        "total_fine_cents": to_cents(decision.total_fine),
        "officer_notes": message.officer_notes,
    }


class CitationDetails:
    """The violations, identifiers and first revisions of new citations, inserted together;
    each version's snapshot and row id is worked out once per batch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.violations: list[dict[str, Any]] = []
        self.identifiers: list[dict[str, Any]] = []
        self.revisions: list[dict[str, Any]] = []
        self._versions: dict[tuple[str, date], tuple[int, dict[str, Any]]] = {}

    def version(self, resolved: ResolvedVersion) -> tuple[int, dict[str, Any]]:
        """The published row id and the JSON snapshot of a version."""
        key = (resolved.code, resolved.effective_from)
        if key not in self._versions:
            snapshot = resolved.model_dump(mode="json")
            self._versions[key] = (version_row_id(self.session, resolved), snapshot)
        return self._versions[key]

    def add(
        self,
        citation_id: int,
        message: IntakeMessage,
        decision: Decision,
        violation_date: date,
    ) -> list[dict[str, Any]]:
        """A citation's violations and identifiers; returns its versions' snapshots."""
        snapshots = []
        for item, report in zip(decision.violations, message.violations, strict=True):
            row_id, snapshot = self.version(item.resolved)
            snapshots.append(snapshot)
            self.violations.append(
                {
                    "citation_id": citation_id,
                    "position": item.position,
                    "ordinance_code": item.ordinance,
                    "category": item.resolved.category,
                    "violation_date": violation_date,
                    "ordinance_version_id": row_id,
                    "disposition": item.resolved.version.disposition.value,
                    "prior_count": item.prior_count,
                    "offense_count": item.offense_count,
                    "fine_cents": to_cents(item.fine),
                    "narrative": report.narrative,
                    "snapshot": snapshot,
                }
            )
        for identifier in message.subject.identifiers:
            id_type, id_number = identifier.key()
            self.identifiers.append(
                {"citation_id": citation_id, "id_type": id_type, "id_number": id_number}
            )
        return snapshots

    def add_first_revision(
        self,
        citation_id: int,
        plan: Planned,
        snapshots: list[dict[str, Any]],
        actor: Actor,
        now: datetime,
    ) -> None:
        self.revisions.append(
            {
                "citation_id": citation_id,
                "revision": 1,
                "created_at": now,
                "created_by": actor.name,
                "reason": None,
                "message": plan.body,
                "decision": decision_document(plan.decision, snapshots),
            }
        )

    def insert(self) -> None:
        for table, rows in (
            (CitationViolation, self.violations),
            (CitationIdentifier, self.identifiers),
            (CitationRevision, self.revisions),
        ):
            if rows:
                with_parent_ids(self.session.connection(), table.__tablename__, rows)
                self.session.execute(insert(table), rows)


def write_details(
    session: Session,
    citation: Citation,
    message: IntakeMessage,
    decision: Decision,
    violation_date: date,
) -> None:
    """Replace an amended citation's violations and identifiers with the new decision's."""
    for old in [*citation.violations, *citation.identifiers]:
        session.delete(old)
    session.flush()
    details = CitationDetails(session)
    details.add(citation.id, message, decision, violation_date)
    details.insert()
    session.expire(citation, ["violations", "identifiers"])


def decision_document(decision: Decision, snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    """`decision.model_dump(mode="json")`, reusing each version's snapshot already made."""
    document = decision.model_dump(mode="json", exclude={"violations": {"__all__": {"resolved"}}})
    for violation, snapshot in zip(document["violations"], snapshots, strict=True):
        violation["resolved"] = snapshot
    return document


def version_row_id(session: Session, resolved: ResolvedVersion) -> int:
    """The id of the published version row a decision rests on (active, by code and date)."""
    row_id = session.scalar(
        select(OrdinanceVersionRow.id)
        .join(OrdinanceRow, OrdinanceRow.id == OrdinanceVersionRow.ordinance_id)
        .where(
            OrdinanceRow.code == resolved.code,
            OrdinanceVersionRow.effective_from == resolved.effective_from,
            OrdinanceVersionRow.withdrawn_by_id.is_(None),
        )
    )
    assert row_id is not None, f"{resolved.code} {resolved.effective_from} is not published"
    return row_id
