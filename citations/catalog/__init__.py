"""The catalog as published: the ordinance rules (`ordinances`) recorded in the database.

`publishing` plans and applies a catalog folder with its approval trail, `store` answers what
was in force on a date and who approved what, `tables` are its rows, and `text` renders it for
terminals. The rules themselves (models, checks, resolving a date) are in `ordinances/`.
"""
