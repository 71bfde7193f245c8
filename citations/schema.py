"""The whole schema: every module that defines tables, imported here so that `METADATA` holds
them all. The migrations, the export and the drift test read it from here, so a new table
module is added in one place.
"""

from __future__ import annotations

import citations.attachments.tables
import citations.audit
import citations.catalog.tables
import citations.hearings.tables
import citations.payments.tables
import citations.record.access
import citations.record.daily
import citations.record.ledger
import citations.record.messages
import citations.record.person
import citations.record.staff
import citations.record.tables
import citations.record.web_sessions
from citations.orm import Base

TABLE_MODULES = (
    citations.audit,
    citations.hearings.tables,
    citations.record.ledger,
    citations.payments.tables,
    citations.record.tables,
    citations.record.access,
    citations.record.daily,
    citations.record.person,
    citations.record.messages,
    citations.record.web_sessions,
    citations.catalog.tables,
    citations.attachments.tables,
)
METADATA = Base.metadata
