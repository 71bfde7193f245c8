"""What an administrator sees of the queue: the jobs, their state and their history, and
running a failed one again. Read with SQLAlchemy from procrastinate's tables in their own
schema; on SQLite there is no queue (`NoQueue`).

    with transaction(engine) as session:
        for job in list_jobs(session, actor=OPERATOR, status="failed"):
            print(job.line())
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from citations.jobs.registry import JobNotFound, NoQueue, NotRetriable
from citations.roles import Action, Actor

SCHEMA = "procrastinate"  # the same as citations.jobs.queue.SCHEMA, without procrastinate
Status = Literal["todo", "doing", "succeeded", "failed", "cancelled", "aborted"]
STATUSES: tuple[str, ...] = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")


class JobEventPublic(BaseModel):
    type: str
    at: datetime | None


class JobPublic(BaseModel):
    """One job as the administrator sees it."""

    id: int
    name: str
    queue: str
    status: str
    attempts: int
    """Runs ended so far, failed or not (procrastinate counts each run when it ends)."""
    args: dict[str, Any]
    lock: str | None
    queueing_lock: str | None
    deferred_at: datetime | None
    started_at: datetime | None
    """The latest run's start."""
    finished_at: datetime | None
    worker_id: int | None
    events: list[JobEventPublic] = []

    def line(self) -> str:
        """One line of `citations jobs list`."""
        when = self.finished_at or self.started_at or self.deferred_at
        at = f" {when:%Y-%m-%d %H:%M:%S}" if when is not None else ""
        tries = f", {self.attempts} runs" if self.attempts > 1 else ""
        return f"{self.id:>7} {self.status:<10} {self.name:<16} {self.queue:<9}{at}{tries}"


# Times from the events procrastinate's triggers write on every change of state.
_SELECT = f"""
SELECT j.id, j.task_name, j.queue_name, j.status::text AS status, j.attempts, j.args,
       j.lock, j.queueing_lock, j.worker_id,
       (SELECT min(e.at) FROM {SCHEMA}.procrastinate_events e
         WHERE e.job_id = j.id AND e.type = 'deferred') AS deferred_at,
       (SELECT max(e.at) FROM {SCHEMA}.procrastinate_events e
         WHERE e.job_id = j.id AND e.type = 'started') AS started_at,
       (SELECT max(e.at) FROM {SCHEMA}.procrastinate_events e
         WHERE e.job_id = j.id
           AND e.type IN ('succeeded', 'failed', 'cancelled', 'aborted')) AS finished_at
  FROM {SCHEMA}.procrastinate_jobs j
"""


def _check(session: Session, actor: Actor) -> None:
    # Seeing and running the queue's work is the administrator's, as daily processing is.
    actor.require(Action.RUN_DAILY_PROCESSING)
    if session.get_bind().dialect.name != "postgresql":
        raise NoQueue()


def _job(row: Any) -> JobPublic:
    return JobPublic(
        id=row.id,
        name=row.task_name,
        queue=row.queue_name,
        status=row.status,
        attempts=row.attempts,
        args=row.args,
        lock=row.lock,
        queueing_lock=row.queueing_lock,
        deferred_at=row.deferred_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        worker_id=row.worker_id,
    )


def list_jobs(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    name: str | None = None,
    limit: int = 100,
) -> list[JobPublic]:
    """The newest jobs first, with a status or a name if given, at most `limit`."""
    _check(session, actor)
    rows = session.execute(
        text(
            _SELECT + " WHERE (CAST(:status AS text) IS NULL OR j.status::text = :status)"
            " AND (CAST(:name AS text) IS NULL OR j.task_name = :name)"
            " ORDER BY j.id DESC LIMIT :limit"
        ),
        {"status": status, "name": name, "limit": limit},
    )
    return [_job(row) for row in rows]


def show_job(session: Session, job_id: int, *, actor: Actor) -> JobPublic:
    """One job with every event of its history (deferred, started, retried, ...)."""
    _check(session, actor)
    row = session.execute(text(_SELECT + " WHERE j.id = :id"), {"id": job_id}).one_or_none()
    if row is None:
        raise JobNotFound(job_id)
    events = session.execute(
        text(
            f"SELECT type::text AS type, at FROM {SCHEMA}.procrastinate_events"
            " WHERE job_id = :id ORDER BY id"
        ),
        {"id": job_id},
    )
    job = _job(row)
    job.events = [JobEventPublic(type=e.type, at=e.at) for e in events]
    return job


def retry_job(session: Session, job_id: int, *, actor: Actor) -> JobPublic:
    """Put a failed job back in the queue, to run at once (on the database's clock)."""
    _check(session, actor)
    status = session.execute(
        text(f"SELECT status::text FROM {SCHEMA}.procrastinate_jobs WHERE id = :id FOR UPDATE"),
        {"id": job_id},
    ).scalar_one_or_none()
    if status is None:
        raise JobNotFound(job_id)
    if status != "failed":
        raise NotRetriable(job_id, status)
    # Procrastinate's own procedure (it records the `retried` event); its body names the
    # tables without their schema, so the search path names it for this transaction.
    session.execute(text(f"SET LOCAL search_path TO {SCHEMA}, public"))
    session.execute(
        text(f"SELECT {SCHEMA}.procrastinate_retry_job_v2(:id, now(), NULL, NULL, NULL)"),
        {"id": job_id},
    )
    session.execute(text("SET LOCAL search_path TO DEFAULT"))
    return show_job(session, job_id, actor=actor)
