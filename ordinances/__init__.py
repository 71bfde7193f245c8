"""The ordinance catalog: effective-dated mappings from ordinance violations to civil citations.

City attorneys edit it as YAML (see `ordinances/catalogs/demo-city/`); `load_catalog` reads and
checks a folder; `resolve` answers what is in force on a date. These are the rules alone, with
no database: `citations.catalog` publishes them and reads them back.
"""

from ordinances.catalog import DEMO_CATALOG, Catalog, check_catalog, load_catalog
from ordinances.errors import (
    CatalogInvalid,
    NothingPublished,
    NotInEffect,
    OrdinanceError,
    Problem,
    PublicationRefused,
    UnknownOrdinance,
)
from ordinances.models import Disposition, Jurisdiction, Ordinance, Version
from ordinances.resolve import ResolvedVersion

__all__ = [
    "DEMO_CATALOG",
    "Catalog",
    "CatalogInvalid",
    "Disposition",
    "Jurisdiction",
    "NotInEffect",
    "NothingPublished",
    "Ordinance",
    "OrdinanceError",
    "Problem",
    "PublicationRefused",
    "ResolvedVersion",
    "UnknownOrdinance",
    "Version",
    "check_catalog",
    "load_catalog",
]
