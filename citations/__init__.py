"""citations: civil administrative citations instead of arrests.

The library is the product; the `citations` command line and the HTTP API are thin faces over it.
"""

__version__ = "0.1.0"
