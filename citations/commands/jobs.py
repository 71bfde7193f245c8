"""`citations worker` (run jobs from the queue) and `citations jobs ...` (what is queued,
running, done or failed; run a failed one again). The queue needs PostgreSQL: on SQLite the
jobs run in the command that asks for them, and these commands say so."""

from __future__ import annotations

import logging
from importlib import import_module
from typing import TYPE_CHECKING

import click

from citations.commands.common import (
    database_option,
    emit_json,
    json_option,
    open_database,
    open_engine,
    translate_errors,
)
from citations.roles import OPERATOR

if TYPE_CHECKING:
    from sqlalchemy import Engine

STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")


def refuse_sqlite(engine: Engine) -> None:
    from citations.jobs.queue import has_queue
    from citations.jobs.registry import NoQueue

    if not has_queue(engine):
        raise NoQueue()


@click.command("worker")
@click.option(
    "--queues",
    "queues",
    metavar="NAMES",
    default="",
    help="Only these queues, comma-separated: mail, outreach, reports, exports, default "
    "(default: every queue).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=32),
    default=1,
    show_default=True,
    help="Jobs run at once by this worker, each in its own thread.",
)
@click.option("--name", default=None, help="The worker's name in the logs (default: worker).")
@click.option(
    "--import",
    "modules",
    multiple=True,
    metavar="MODULE",
    help="Also a module of the city's own jobs (registered with citations.jobs.registry.job).",
)
@click.option(
    "--until-empty",
    is_flag=True,
    help="Stop once the queues are empty instead of waiting for more jobs.",
)
@database_option
@translate_errors
def worker_command(
    queues: str,
    concurrency: int,
    name: str | None,
    modules: tuple[str, ...],
    until_empty: bool,
    database: str | None,
) -> None:
    """Run jobs from the queue (mailings, reminders, reports, exports) until stopped.

    Start as many as needed, on as many machines as needed: each job runs once, on one
    worker. SIGTERM or Ctrl-C lets the jobs in hand finish, then the worker exits. A job
    that fails is tried again later; `citations jobs list --status failed` shows those that
    gave up. The queue needs PostgreSQL.

    \b
    Example:
        citations worker --queues mail,reports --concurrency 2
    """
    from citations.commands.outreach import sending_settings
    from citations.jobs.queue import run_worker

    for module in modules:
        try:
            import_module(module)
        except ImportError as exc:
            raise click.BadParameter(str(exc), param_hint="'--import'") from None
    settings = sending_settings(database)
    with open_engine(database) as engine:
        refuse_sqlite(engine)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        chosen = [q.strip() for q in queues.split(",") if q.strip()]
        click.echo(
            f"Worker on {', '.join(chosen) or 'every queue'}, {concurrency} at once; "
            "SIGTERM or Ctrl-C stops.",
            err=True,
        )
        run_worker(
            engine,
            settings,
            queues=chosen,
            concurrency=concurrency,
            name=name,
            wait=not until_empty,
        )
    click.echo("Stopped.", err=True)


@click.group("jobs")
def jobs() -> None:
    """The job queue: what waits, runs, succeeded or failed, and running a failed job again.

    \b
    Example:
        citations jobs list --status failed
    """


@jobs.command("list")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only jobs in it.")
@click.option("--name", default=None, help="Only jobs of this kind (mail-notices, ...).")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="The newest this many.",
)
@json_option
@database_option
@translate_errors
def list_command(
    status: str | None, name: str | None, limit: int, as_json: bool, database: str | None
) -> None:
    """List the newest jobs: id, status, kind, queue, when, and how often retried.

    \b
    Example:
        citations jobs list --status todo --limit 20
    """
    from citations.jobs.listing import list_jobs

    with open_database(database) as session:
        listed = list_jobs(session, actor=OPERATOR, status=status, name=name, limit=limit)
    if as_json:
        emit_json([job.model_dump(mode="json") for job in listed])
        return
    if not listed:
        click.echo("No jobs.")
    for job in listed:
        click.echo(job.line())


@jobs.command("show")
@click.argument("job_id", type=int)
@json_option
@database_option
@translate_errors
def show_command(job_id: int, as_json: bool, database: str | None) -> None:
    """Show a job: its kind, arguments, status, and every step of its history.

    \b
    Example:
        citations jobs show 42
    """
    from citations.jobs.listing import show_job

    with open_database(database) as session:
        job = show_job(session, job_id, actor=OPERATOR)
    if as_json:
        emit_json(job.model_dump(mode="json"))
        return
    click.echo(f"Job {job.id}: {job.name} on queue {job.queue}, {job.status}")
    click.echo(f"  arguments: {job.args}")
    if job.lock or job.queueing_lock:
        click.echo(f"  lock: {job.lock}; queueing lock: {job.queueing_lock}")
    click.echo(f"  runs ended: {job.attempts}; worker: {job.worker_id or 'none'}")
    for event in job.events:
        when = f"{event.at:%Y-%m-%d %H:%M:%S %Z}" if event.at else "?"
        click.echo(f"  {when}  {event.type.replace('_', ' ')}")


@jobs.command("retry")
@click.argument("job_id", type=int)
@database_option
@translate_errors
def retry_command(job_id: int, database: str | None) -> None:
    """Put a failed job back in the queue, to run at once (after mending what failed).

    \b
    Example:
        citations jobs retry 42
    """
    from citations.jobs.listing import retry_job

    with open_database(database) as session:
        job = retry_job(session, job_id, actor=OPERATOR)
    click.echo(f"Job {job.id} ({job.name}) is back in the queue ({job.status}).")
