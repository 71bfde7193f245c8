"""The whole schema: every module that defines tables, imported here so that `METADATA` holds
them all. The migrations, the export and the drift test read it from here, so a new table
module is added in one place.
"""

from __future__ import annotations

import citations.audit
import citations.hearings.tables
import citations.ledger
import citations.payments.tables
import citations.tables
import ordinances.tables
from citations.orm import Base

TABLE_MODULES = (
    citations.audit,
    citations.hearings.tables,
    citations.ledger,
    citations.payments.tables,
    citations.tables,
    ordinances.tables,
)
METADATA = Base.metadata
