"""The wording city staff edit, installed as package data (`citations.templates`).

This file only marks the folder as that package; see README.md here for the wording files.
"""
