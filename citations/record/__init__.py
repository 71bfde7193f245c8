"""The record: what is kept of every citation, whatever happens to it next.

`tables` (agencies, number blocks, tokens, intake records, citations and their revisions),
`numbering` (check-digit citation numbers) and `agencies` (who may draw them), `status` (the
one state machine), `ledger` (every amount, append-only; the balance is derived), `repeats`
(each citation's next citation day for the same person), `tokens` (API credentials) and
`lookup` (finding a citation and the view staff see). Features build on these; nothing here
knows about issuing, hearings or money rules.
"""
