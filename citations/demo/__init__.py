"""`citations demo`: the whole product on the embedded SQLite default, in one command.

`run` publishes the sample catalog and issues a bundled batch (`intake.jsonl`); `hearings`
contests citations through both tiers; `money` shows payments and alternatives.
"""
