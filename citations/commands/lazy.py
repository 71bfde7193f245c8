"""The command line's lazy group: a command's module is imported when that command runs or shows
its own help, never to list it, so `citations --help` and `--version` start at once.

This is click's lazy-loading group pattern. The group's `commands` mapping knows every name from
a table (`cli.COMMANDS`) and imports a command on first access; click's `list_commands`,
`get_command`, the "Did you mean ...?" of a mistyped name and anything else that reads
`group.commands` go through it. The top-level listing shows each command's short help from the
same table, laid out by click itself; `tests/test_cli_lazy.py` fails when the table and the
commands' own help differ, or when a command is missing from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import click


@dataclass(frozen=True)
class Lazy:
    """Where a command lives, `module:attribute`, and its short help as the listing shows it."""

    target: str
    summary: str

    def load(self) -> click.Command:
        module, _, attribute = self.target.partition(":")
        command = getattr(import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command

    def stand_in(self, name: str) -> click.Command:
        """A command with nothing but the summary, for click to lay out the listing with."""
        return click.Command(name, help=self.summary)


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name: every name without importing anything, a command on first
    access. Commands added later (`group.add_command`) are kept as given."""

    def __init__(self, table: Mapping[str, Lazy]) -> None:
        self.table = dict(table)
        self.loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded:
            self.loaded[name] = self.table[name].load()
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self.table and name not in self.loaded:
            raise KeyError(name)
        self.table.pop(name, None)
        self.loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self.table
        yield from (name for name in self.loaded if name not in self.table)

    def __len__(self) -> int:
        return len(self.table) + sum(1 for name in self.loaded if name not in self.table)

    def __contains__(self, name: object) -> bool:
        return name in self.table or name in self.loaded

    def for_listing(self, name: str) -> click.Command:
        """What the listing shows for `name`, importing nothing for a command of the table."""
        entry = self.table.get(name)
        return entry.stand_in(name) if entry is not None else self[name]


class LazyGroup(click.Group):
    """A `click.Group` whose subcommands are imported only when one of them is used.

    Example:
        @click.group(cls=LazyGroup, lazy_subcommands={"demo": Lazy("pkg.demo:demo", "Run it.")})
        def cli() -> None: ...
    """

    commands: LazyCommands

    def __init__(
        self, *args: Any, lazy_subcommands: Mapping[str, Lazy] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        eager = self.commands
        self.commands = LazyCommands(lazy_subcommands or {})
        self.commands.update(eager)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every name, sorted as click sorts them, without importing a command."""
        return sorted(self.commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported now if it was not before."""
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own listing, fed with stand-ins that carry the table's short help."""
        listing = click.Group(commands={n: self.commands.for_listing(n) for n in self.commands})
        listing.format_commands(ctx, formatter)
