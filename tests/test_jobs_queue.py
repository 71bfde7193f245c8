"""The job queue on PostgreSQL with real `citations worker` processes: 20 jobs run by two
workers at once, each exactly once; a failing job is tried again and succeeds; one that
keeps failing is left failed, shown to the administrator, and runs again when retried. On
SQLite the same call runs the job in the caller and returns what it did."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from citations.jobs.queue import enqueue
from cli import cli
from tests.clock import pause, wait_for_exit
from tests.jobs_probe import make_probe_table, runs_of

ROOT = Path(__file__).resolve().parent.parent
FINAL = ("succeeded", "failed")


@pytest.fixture
def probes(engine: Engine) -> Engine:
    make_probe_table(engine)
    return engine


@pytest.fixture
def pg(probes: Engine) -> Engine:
    if probes.dialect.name != "postgresql":
        pytest.skip("the queue is PostgreSQL's; on SQLite jobs run in the caller")
    return probes


def worker(database_url: str, *args: str) -> subprocess.Popen[str]:
    """`citations worker` as a process of its own, knowing the probe job."""
    program = "import sys; from cli import main; sys.argv[0] = 'citations'; main()"
    return subprocess.Popen(
        [sys.executable, "-c", program, "worker", "--import", "tests.jobs_probe", *args],
        cwd=ROOT,
        env={**os.environ, "CITATIONS_DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def workers(database_url: str) -> Iterator[list[subprocess.Popen[str]]]:
    """Two workers at once, stopped by SIGTERM and waited for at the end of the test."""
    started = [worker(database_url, "--name", f"w{i}") for i in range(2)]
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        wait_for_exit(process, timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def statuses(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT args->>'key' AS key, status::text FROM procrastinate.procrastinate_jobs")
        )
        return {r.key: r.status for r in rows}


def wait_until_final(engine: Engine, count: int, seconds: float = 90) -> dict[str, str]:
    waited = 0.0
    while waited < seconds:
        now = statuses(engine)
        if len(now) == count and all(s in FINAL for s in now.values()):
            return now
        pause(0.2)
        waited += 0.2
    raise AssertionError(f"the jobs did not finish in {seconds} s: {statuses(engine)}")


def test_two_workers_run_each_job_once_retry_failures_and_show_them(
    pg: Engine,
    database_url: str,
    workers: list[subprocess.Popen[str]],
    runner: CliRunner,
) -> None:
    keys = [f"k{i:02}" for i in range(20)]
    fails = {"k03": 1, "k07": 1, "k11": 3}  # k11 fails on all 3 of its attempts
    ids = [
        enqueue(pg, "probe", asked_by="test", key=key, fail_times=fails.get(key, 0)).job_id
        for key in keys
    ]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 20

    final = wait_until_final(pg, 20)

    runs = Counter(key for key, _ in runs_of(pg))
    assert runs == dict.fromkeys(keys, 1) | {"k03": 2, "k07": 2, "k11": 3}
    assert final == dict.fromkeys(keys, "succeeded") | {"k11": "failed"}
    pids = {pid for _, pid in runs_of(pg)}
    assert pids == {process.pid for process in workers}  # both workers took jobs

    listed = runner.invoke(cli, ["jobs", "list", "--status", "failed", "--database", database_url])
    assert listed.exit_code == 0, listed.output
    (line,) = listed.output.splitlines()
    assert line.split()[:3] == [str(ids[11]), "failed", "probe"] and line.endswith("3 runs")

    shown = runner.invoke(cli, ["jobs", "show", str(ids[3]), "--database", database_url])
    assert shown.exit_code == 0, shown.output
    steps = [line.split("UTC")[-1].strip() for line in shown.output.splitlines() if "UTC" in line]
    assert steps == [
        "deferred",
        "started",
        "scheduled",
        "deferred for retry",
        "started",
        "succeeded",
    ]

    retried = runner.invoke(cli, ["jobs", "retry", str(ids[11]), "--database", database_url])
    assert retried.exit_code == 0, retried.output
    assert f"Job {ids[11]} (probe) is back in the queue (todo)." in retried.output
    final = wait_until_final(pg, 20)
    assert final["k11"] == "succeeded"
    assert Counter(key for key, _ in runs_of(pg))["k11"] == 4

    again = runner.invoke(cli, ["jobs", "retry", str(ids[11]), "--database", database_url])
    assert again.exit_code == 1
    assert f"job {ids[11]} is succeeded: only a failed job is run again" in again.output

    for process in workers:
        process.send_signal(signal.SIGTERM)
        assert wait_for_exit(process, timeout=30) == 0
        assert process.stdout is not None
        assert "Stopped." in process.stdout.read()


def test_on_sqlite_the_job_runs_in_the_caller_and_returns_what_it_did(
    probes: Engine, database_url: str, runner: CliRunner
) -> None:
    if probes.dialect.name != "sqlite":
        pytest.skip("on PostgreSQL the job is deferred (the test above)")
    outcome = enqueue(probes, "probe", asked_by="test", key="inline")
    assert outcome.job_id is None
    assert outcome.result == {"key": "inline", "runs": 1}
    assert runs_of(probes) == [("inline", os.getpid())]

    refused = runner.invoke(cli, ["worker", "--database", database_url])
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: there is no job queue on SQLite: jobs run at once")
    listed = runner.invoke(cli, ["jobs", "list", "--database", database_url])
    assert listed.exit_code == 1 and "there is no job queue on SQLite" in listed.output
