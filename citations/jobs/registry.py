"""The kinds of job: a name, the function that does the work, its queue, its locks and how
often it is tried.

A job's function takes a `Work` (the database and the settings of the process that runs it)
and the job's arguments, which are JSON (they wait in the queue's table), and returns a JSON
summary of what it did. Each wraps library steps that are already safe to run twice (the
mail run mails only what still waits; the sender claims each message once), so a job tried
again after a failure does not do its work twice.

    @job("reminders", queue="outreach", lock="reminders")
    def send_reminders(work: Work, *, limit: int | None = None) -> dict[str, Any]:
        ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from citations.errors import CitationsError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from citations.settings import Settings

Result = dict[str, Any]
"""What a job did, as JSON: printed by the command that ran it, returned by `run_now`."""


@dataclass(frozen=True)
class Work:
    """What a job runs with: the database and the settings of the process running it."""

    engine: Engine
    settings: Settings


@dataclass(frozen=True)
class JobKind:
    """One kind of job.

    `lock` and `queueing_lock` are templates filled with the job's arguments (`export:{output}`):
    two jobs with the same `lock` never run at once (procrastinate runs them in order), and
    while one with a `queueing_lock` waits, a second is refused (`AlreadyQueued`).
    """

    name: str
    run: Callable[..., Result]
    queue: str = "default"
    lock: str | None = None
    queueing_lock: str | None = None
    attempts: int = 5
    """Runs in all before the job is left failed (for an administrator to retry)."""
    retry_wait: float = 10.0
    """Seconds before the second run; doubled before each further one."""

    def lock_for(self, args: dict[str, Any]) -> str | None:
        """
        >>> JobKind("x", dict, lock="export:{output}").lock_for({"output": "a.jsonl"})
        'export:a.jsonl'
        """
        return None if self.lock is None else self.lock.format(**args)

    def queueing_lock_for(self, args: dict[str, Any]) -> str | None:
        return None if self.queueing_lock is None else self.queueing_lock.format(**args)


JOBS: dict[str, JobKind] = {}
"""Every kind of job by name: the package's own (citations.jobs.work) and any a module
registered (`citations worker --import MODULE`)."""


def job(
    name: str,
    *,
    queue: str = "default",
    lock: str | None = None,
    queueing_lock: str | None = None,
    attempts: int = 5,
    retry_wait: float = 10.0,
) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Register a function as the job `name` (see the module's docstring)."""

    def register(function: Callable[..., Result]) -> Callable[..., Result]:
        if name in JOBS and JOBS[name].run is not function:
            raise ValueError(f"two jobs are named {name!r}")
        JOBS[name] = JobKind(name, function, queue, lock, queueing_lock, attempts, retry_wait)
        return function

    return register


class JobsError(CitationsError):
    """Base of the job queue's errors."""


class UnknownJob(JobsError):
    def __init__(self, name: str) -> None:
        known = ", ".join(sorted(JOBS)) or "none"
        super().__init__(f"there is no job named {name!r} (the jobs: {known})")


class NoQueue(JobsError):
    """The database is SQLite: there is no queue, jobs run in the process that asks."""

    def __init__(self) -> None:
        super().__init__(
            "there is no job queue on SQLite: jobs run at once in the command that asks for "
            "them; the queue and `citations worker` need PostgreSQL"
        )


class AlreadyQueued(JobsError):
    def __init__(self, name: str, lock: str) -> None:
        self.lock = lock
        super().__init__(
            f"a {name} job is already waiting in the queue ({lock}): it will do this work; "
            "see `citations jobs list --status todo`"
        )


class JobNotFound(JobsError):
    def __init__(self, job_id: int) -> None:
        super().__init__(f"there is no job {job_id} in the queue")


class NotRetriable(JobsError):
    def __init__(self, job_id: int, status: str) -> None:
        super().__init__(
            f"job {job_id} is {status}: only a failed job is run again "
            "(one waiting or running will run or is running)"
        )
