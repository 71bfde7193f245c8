"""The document engine every printed document uses: embedded `fonts` with script fallback,
`formats` for money and dates per language, `wording` read from the `templates` folder city
staff edit, the office `contact` block, and the shared page `layout`. The notice, the
hearing documents, receipts and late notices, and the program report are drawn with it.
"""
