"""The jobs the package offers: the mail run, the reminders, the program report and the
records export, each the library's own steps with a JSON summary.

A report or an export is written on the machine that runs the job, at the path asked for: on
several machines, name a path on storage they share. Each job acts as the person who asked,
through the queue (`asked_by`), so the audit trail says who started the work.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from citations.jobs.registry import Result, Work, job
from citations.roles import Actor, Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from citations.record.chunks import Window


def actor_for(asked_by: str) -> Actor:
    """The actor a job acts as: who asked for it, through the queue.

    >>> actor_for("operator (command line)").name
    'operator (command line), through the job queue'
    """
    return Actor(f"{asked_by}, through the job queue", Role.ADMIN)


@job("mail-notices", queue="mail", lock="mail-notices", queueing_lock="mail-notices")
def mail_notices(work: Work, *, asked_by: str) -> Result:
    """Mail every notice that waits to be mailed (the mail run of daily processing)."""
    from citations.notice.mailing import mail_waiting
    from citations.record.chunks import in_chunks

    actor, now = actor_for(asked_by), datetime.now(UTC)

    def chunk(session: Session, window: Window) -> list[str]:
        return mail_waiting(session, actor=actor, now=now, window=window)

    # A chunk of notices per transaction, as daily processing mails them.
    return {"mailed": in_chunks(work.engine, chunk)}


@job("send-reminders", queue="outreach", lock="send-reminders", queueing_lock="send-reminders")
def send_reminders(work: Work, *, asked_by: str, limit: int | None = None) -> Result:
    """Deliver the reminders due now (`citations outreach send`)."""
    from citations.outreach.send import send_due

    return {"lines": send_due(work.engine, work.settings, limit=limit).lines()}


@job("program-report", queue="reports", lock="file:{output}", queueing_lock="file:{output}")
def program_report(
    work: Work,
    *,
    asked_by: str,
    start: str,
    end: str,
    output: str,
    fmt: str = "pdf",
    areas: list[str] | None = None,
) -> Result:
    """The program report for violations from `start` to `end` (ISO dates), written to a
    new file `output` as PDF, CSV or JSON (`citations report`)."""
    from citations.database import read_routing
    from citations.export.target import new_binary_file
    from citations.reports.compute import compute_report
    from citations.reports.export import report_csv, report_json
    from citations.reports.render import render_report

    # On the read replica when there is one, as `citations report` reads.
    routing = read_routing(work.engine, work.settings.read_database_url)
    try:
        with routing.reading() as session:
            report = compute_report(
                session,
                date.fromisoformat(start),
                date.fromisoformat(end),
                areas=areas or (),
                actor=actor_for(asked_by),
                now=datetime.now(UTC),
            )
    finally:
        routing.dispose()
    if fmt == "pdf":
        content = render_report(report)
    else:
        content = (report_csv(report) if fmt == "csv" else report_json(report)).encode()
    with new_binary_file(Path(output)) as out:
        out.write(content)
    return {"output": output, "bytes": len(content)}


@job("records-export", queue="exports", lock="file:{output}", queueing_lock="file:{output}")
def records_export(
    work: Work, *, asked_by: str, output: str, files: bool = True, year: int | None = None
) -> Result:
    """Every record (or a year's, citations.export.year) as JSON lines to a new file
    `output` (`citations export`)."""
    from citations.database import read_routing
    from citations.export import export_records
    from citations.export.target import new_file

    # One snapshot, on the read replica when there is one, as `citations export` reads.
    routing = read_routing(work.engine, work.settings.read_database_url)
    try:
        with new_file(Path(output)) as out:
            summary = export_records(routing.engine_for(), out, files=files, year=year)
    finally:
        routing.dispose()
    return {
        "output": output,
        "rows": summary.rows,
        "rows_sha256": summary.rows_sha256,
        "schema_revision": summary.schema_revision,
    }
