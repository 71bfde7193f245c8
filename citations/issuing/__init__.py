"""Issuing: how an officer's message becomes a civil citation, a referral or a reject.

The steps, in the order a message takes them:

1. `intake`: the message an e-citation device or records system sends, checked field by
   field (`batch` reads files of them; `group_commit` takes them one request at a time from
   the HTTP API and commits those that arrive together at once).
2. `pipeline`: `issue_many` resolves each violation against the catalog in force on the
   violation's date, counts `priors`, asks `decision` for the outcome and fine, and numbers
   each citation (`citations.record.agencies`); `results` are what it gives back.
3. `write`: the decided chunk is recorded with a few statements, with its audit events.

After issuing: `amend` makes a new revision, decided again; `void` cancels a citation issued
in error.
"""
