"""The browser fixture for every browser test (tests/browser/chromium.py)."""

from tests.browser.chromium import browser

__all__ = ["browser"]
