"""The command line's commands, by capability; `cli.py` assembles them."""
