"""Reminders: texts, emails and letters before every date that binds a cited person, after
a missed step, and when a hearing is set or moved; and the experiment that measures whether
they work.

- `sync`: brings a citation's pending messages up to date with its schedule, at the commit
  of every change (called by `citations.audit`); `plan` decides which messages a schedule
  wants and when (the profile's offsets, its quiet hours, on the jurisdiction's clock).
- `render`: the words, from `templates/reminders/<language>.yaml`.
- `send`: delivers what is due, exactly once, with retries; `channels/`: SMTP email, the
  text provider's HTTP API, printed letters for a mail house.
- `optout`: STOP replies and unsubscribe links.
"""
