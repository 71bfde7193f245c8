"""Records export: every row of the system as documented JSON lines, and its restore.

For records retention and for moving between databases (SQLite to PostgreSQL, one server to
another): `export_records` writes the file, `import_records` restores it into an empty
database, and exporting the restored database gives the same row lines byte for byte.
The format is described in the README ("Records export and restore").
"""

from citations.export.restore import ImportSummary, import_records
from citations.export.write import ExportSummary, export_records

__all__ = ["ExportSummary", "ImportSummary", "export_records", "import_records"]
