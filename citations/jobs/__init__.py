"""Long work off the request path: the mail run, reminders, large reports and exports run
as jobs on a PostgreSQL queue (procrastinate) by `citations worker` processes on any number
of machines; on SQLite the same jobs run in the process that asks.

- `registry`: the kinds of job, their queues, locks and retries (`@job`).
- `work`: the package's own jobs, each the library's steps.
- `queue`: `enqueue` (defer, or run now on SQLite), `run_now` and `run_worker`.
- `listing`: the administrator's view (list, show, retry).

Modules import procrastinate only in `queue`, which the commands import when they run.
"""
