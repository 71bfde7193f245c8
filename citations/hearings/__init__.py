"""Contests, reviews, hearing officers, dockets, hearings, decisions and their documents."""
