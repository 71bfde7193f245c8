"""A job for the queue's tests: each run is recorded in a table of its own (committed before
the job fails, when it is told to fail), so a test counts how often each job ran and where.

Imported by the test and by `citations worker --import tests.jobs_probe`.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, text

from citations.database import transaction
from citations.jobs.registry import Result, Work, job
from tests.clock import pause

TABLE = "job_probe_runs"


def make_probe_table(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(f"CREATE TABLE {TABLE} (key VARCHAR(40) NOT NULL, pid INTEGER NOT NULL)")
        )


def runs_of(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as connection:
        return [(r.key, r.pid) for r in connection.execute(text(f"SELECT key, pid FROM {TABLE}"))]


@job("probe", queue="probes", attempts=3, retry_wait=0)
def probe(work: Work, *, asked_by: str, key: str, fail_times: int = 0, **_: Any) -> Result:
    """Record this run; fail while the key has run no more than `fail_times` times before."""
    with transaction(work.engine) as session:
        session.execute(
            text(f"INSERT INTO {TABLE} (key, pid) VALUES (:k, :p)"), {"k": key, "p": os.getpid()}
        )
        runs = session.execute(text(f"SELECT count(*) FROM {TABLE} WHERE key = :k"), {"k": key})
        count = runs.scalar_one()
    pause(0.05)  # long enough that both workers take jobs
    if count <= fail_times:
        raise RuntimeError(f"probe {key} fails on run {count}")
    return {"key": key, "runs": count}
