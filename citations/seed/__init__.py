"""`citations seed`: a realistic synthetic program, deterministic for a seed, at city scale.

The bulk path. Issuing a million citations one by one through `issue` would take hours, so
the seed decides each violation with the same rules (the published catalog's version on the
violation date, eligibility, priors in the version's lookback and scope, the fine tier) in
memory, then writes rows in large batches with explicit ids. It keeps every invariant the
library keeps: check-digit numbers from the agency's sequence (and the sequence advanced),
one intake record per message, a snapshot per violation, an append-only ledger whose sum is
each citation's balance, receipts for payments, statuses that match the ledger, and an
audit event per citation.

Modules, by job: `people` (who is cited), `decide` (the rules applied in memory), `issue`
(intake and citation rows), `life` (what became of each citation), `contests` (reviews,
and hearings before synthetic hearing officers who each decide at their own rates), `rows`
(the bulk writer), `prepare` (catalog, agency, hearing officers and their dockets) and
`program` (the loop that ties them).
"""

from __future__ import annotations

from .life import PAID_BY_PLAN, Ledger
from .people import AREAS, FIRST, LANGUAGES, LAST, WEIGHTS, Person
from .program import SeedReport, seed
from .rows import ACTOR, BATCH, ORDER, Rows, table

__all__ = [
    "ACTOR",
    "AREAS",
    "BATCH",
    "FIRST",
    "LANGUAGES",
    "LAST",
    "ORDER",
    "PAID_BY_PLAN",
    "WEIGHTS",
    "Ledger",
    "Person",
    "Rows",
    "SeedReport",
    "seed",
    "table",
]
