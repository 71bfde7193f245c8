"""The cited person's own pages at the site's root (the public door)."""
