"""The HTTP API (FastAPI): a thin face over the library, errors as RFC 9457 problem details.

Each route module holds one capability's endpoints; `citations.app` assembles them with the
clerks' web pages into the application `citations serve` runs."""
