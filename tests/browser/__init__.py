"""End-to-end tests of the clerks' pages in a real browser (Debian's chromium, Playwright)."""
