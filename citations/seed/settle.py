"""The seed's closing pass: every citation's stored balance and next citation day, set in
one pass after the rows went in without `post` or the per-person refresh.

At ten million citations that pass rewrites every row twice. In one transaction none of the
old row versions can be reclaimed until it commits: it needed about 40 GB more disk for a
52 GB schema, more than the bench machine had left. So it goes in chunks of citation ids,
each in its own transaction, and on PostgreSQL a VACUUM between chunks makes the last
chunk's dead versions free space for the next one (at ten million, in the seed: about 18
minutes, the disk growing by about 3 GB).

The seed is a bulk load that nothing else writes beside, so a chunk committed before a later
one fails leaves nothing half-done that a rerun of this pass would not set right.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from citations.database import transaction
from citations.record.ledger import balance_update
from citations.record.repeats import next_day_update
from citations.record.tables import Citation

CHUNK = 1_000_000
"""Citation ids a transaction settles (ids are dense within a year)."""


def settle(engine: Engine, chunk: int = CHUNK) -> int:
    """Set the stored balance and the next citation day of every citation, `chunk` ids per
    transaction; returns the number of chunks."""
    chunks = 0
    start = _first_id(engine, None)
    while start is not None:
        in_chunk = Citation.id.between(start, start + chunk - 1)
        with transaction(engine) as session:
            session.execute(next_day_update().where(in_chunk))
            session.execute(balance_update().where(in_chunk))
        chunks += 1
        # Ids are dense within a year and each year starts a range of its own (migration
        # 0021): skip to the next id in use rather than walk the gap.
        start = _first_id(engine, start + chunk)
        if start is not None:
            _reclaim(engine)
    return chunks


def _first_id(engine: Engine, at_least: int | None) -> int | None:
    """The smallest citation id (from `at_least` on): one probe of the primary key. (Counting
    a chunk's rows by OFFSET instead visited a million rows a chunk: minutes at ten million,
    before VACUUM had marked any page all-visible.)"""
    query = select(func.min(Citation.id))
    if at_least is not None:
        query = query.where(Citation.id >= at_least)
    with engine.connect() as connection:
        found = connection.scalar(query)
    return None if found is None else int(found)


def _reclaim(engine: Engine) -> None:
    """VACUUM the citations (PostgreSQL; a transaction of its own, as VACUUM must run)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM {Citation.__tablename__}")
