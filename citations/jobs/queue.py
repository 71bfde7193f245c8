"""The queue: jobs deferred to PostgreSQL by procrastinate and run by `citations worker`
processes on any number of machines; on SQLite, the same jobs run at once in the caller.

Procrastinate keeps its tables, functions and types in their own PostgreSQL schema,
`procrastinate` (made by `citations db upgrade`, migration 0020), so the records' schema,
its export and the models' drift check never see them; its connections put that schema on
their search path. Each job is fetched by one worker only (`SELECT ... FOR UPDATE SKIP
LOCKED` in procrastinate's `procrastinate_fetch_job`), a failed one is tried again after
10 s, 20 s, 40 s ... up to its kind's `attempts`, then left failed for an administrator
(`citations jobs retry ID`).

    outcome = enqueue(engine, "mail-notices", asked_by="operator (command line)")
    outcome.job_id   # on PostgreSQL: the job waiting in the queue
    outcome.result   # on SQLite: what the job did, run here and now
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy, RetryDecision

from citations.jobs.registry import (
    JOBS,
    AlreadyQueued,
    JobKind,
    NoQueue,
    Result,
    UnknownJob,
    Work,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Engine

    from citations.settings import Settings

SCHEMA = "procrastinate"
"""The PostgreSQL schema holding procrastinate's tables (migration 0020)."""

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)

logger = logging.getLogger("citations.jobs")


def has_queue(engine: Engine) -> bool:
    """Whether the database holds a queue (PostgreSQL) or jobs run in the caller (SQLite)."""
    return engine.dialect.name == "postgresql"


@dataclass(frozen=True)
class Outcome:
    """What `enqueue` did: deferred the job (`job_id`) or ran it at once (`result`)."""

    name: str
    job_id: int | None = None
    result: Result | None = None

    def line(self) -> str:
        """
        >>> Outcome("mail-notices", job_id=7).line()
        'Queued job 7 (mail-notices): `citations jobs show 7` follows it.'
        >>> Outcome("mail-notices", result={"mailed": []}).line()
        'Ran mail-notices now (SQLite has no queue): {"mailed": []}'
        """
        import json

        if self.job_id is not None:
            follow = f"`citations jobs show {self.job_id}` follows it"
            return f"Queued job {self.job_id} ({self.name}): {follow}."
        return f"Ran {self.name} now (SQLite has no queue): {json.dumps(self.result)}"


def own_jobs() -> dict[str, JobKind]:
    """Every kind of job, the package's own registered (by importing citations.jobs.work)."""
    import citations.jobs.work  # noqa: F401

    return JOBS


def kind_of(name: str) -> JobKind:
    try:
        return own_jobs()[name]
    except KeyError:
        raise UnknownJob(name) from None


def enqueue(
    engine: Engine, name: str, *, asked_by: str, settings: Settings | None = None, **args: Any
) -> Outcome:
    """Defer the job `name` to the queue (PostgreSQL), or run it now and here (SQLite).

    `args` are the job's arguments, JSON values. On PostgreSQL a job whose queueing lock is
    held by one still waiting is refused (`AlreadyQueued`): the waiting one will do the work.
    """
    kind = kind_of(name)
    args = {"asked_by": asked_by, **args}
    if not has_queue(engine):
        return Outcome(name, result=run_now(engine, name, settings=settings, **args))
    app = make_app(engine, pool_size=1)
    with app.open():
        deferrer = app.configure_task(
            name,
            queue=kind.queue,
            lock=kind.lock_for(args),
            queueing_lock=kind.queueing_lock_for(args),
        )
        try:
            job_id = deferrer.defer(**args)
        except AlreadyEnqueued:
            raise AlreadyQueued(name, kind.queueing_lock_for(args) or name) from None
    return Outcome(name, job_id=job_id)


def run_now(engine: Engine, name: str, *, settings: Settings | None = None, **args: Any) -> Result:
    """Run the job `name` in this process and return what it did (SQLite, and tests)."""
    from citations.settings import get_settings

    return kind_of(name).run(Work(engine, settings or get_settings()), **args)


def conninfo(engine: Engine) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL engine.

    >>> from sqlalchemy import create_engine
    >>> conninfo(create_engine("postgresql+psycopg://me:secret@db:5433/city"))
    'postgresql://me:secret@db:5433/city'
    """
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(engine: Engine, *, pool_size: int) -> App:
    """A procrastinate App on the engine's database, with every kind of job as a task."""
    if not has_queue(engine):
        raise NoQueue()
    connector = PsycopgConnector(
        conninfo=conninfo(engine),
        kwargs={"options": f"-c search_path={SCHEMA}"},
        min_size=1,
        max_size=pool_size,
    )
    app = App(connector=connector)
    for kind in own_jobs().values():
        app.task(name=kind.name, queue=kind.queue, pass_context=True, retry=_Backoff(kind))(
            _task(kind)
        )
    return app


def run_worker(
    engine: Engine,
    settings: Settings,
    *,
    queues: Sequence[str] = (),
    concurrency: int = 1,
    name: str | None = None,
    wait: bool = True,
) -> None:
    """Run jobs until SIGTERM or SIGINT (the job in hand finishes first); with `wait=False`,
    until the queues are empty."""
    # Connections: one per job running, one listening for new jobs, one for the heartbeat.
    app = make_app(engine, pool_size=concurrency + 2)
    app.run_worker(
        queues=list(queues) or None,
        concurrency=concurrency,
        name=name,
        wait=wait,
        additional_context={"work": Work(engine, settings)},
        install_signal_handlers=True,
        delete_jobs="never",  # kept for the administrator's list; see README for pruning
    )


def _task(kind: JobKind) -> Any:
    def run(context: JobContext, **args: Any) -> None:
        work = context.additional_context["work"]
        result = kind.run(work, **args)
        job_id = context.job.id if context.job is not None else None
        logger.info("job %s (%s) did: %s", job_id, kind.name, result)

    run.__name__ = kind.name.replace("-", "_")
    return run


def _permanent() -> tuple[type[BaseException], ...]:
    """Failures that trying again cannot mend: the job is left failed at once."""
    from citations.errors import InputRejected
    from citations.export.target import TargetRefused

    return (InputRejected, TargetRefused, UnknownJob, TypeError)


class _Backoff(BaseRetryStrategy):
    """Procrastinate's retry strategy for a kind of job: `retry_wait` seconds, doubled each
    time, up to `attempts` runs. A wait of 0 retries at once, on the database's clock."""

    def __init__(self, kind: JobKind) -> None:
        self.kind = kind

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if job.attempts + 1 >= self.kind.attempts or isinstance(exception, _permanent()):
            return None
        if self.kind.retry_wait <= 0:
            # An instant long past: due at once on the database's clock, whatever this
            # machine's clock says (procrastinate would otherwise stamp this machine's now).
            return RetryDecision(retry_at=LONG_AGO)
        return RetryDecision(retry_in={"seconds": self.kind.retry_wait * 2**job.attempts})
