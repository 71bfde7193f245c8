"""`citations users`: staff accounts at the command line (the operator acts as admin)."""

from __future__ import annotations

import click

from citations.commands.common import database_option, now, open_database, translate_errors
from citations.roles import OPERATOR, STAFF_ROLES


@click.group()
def users() -> None:
    """Staff accounts: add, list, disable, reset passwords, and link to the identity provider.

    \b
    Example:
        citations users add jlee --name "Jordan Lee" --title "Hearing clerk" --role clerk
    """


@users.command("add")
@click.argument("username")
@click.option("--name", required=True, help="The person's name, as printed on documents.")
@click.option("--title", required=True, help='Their title, printed after the name ("Cashier").')
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in STAFF_ROLES]),
    help="What they may do (the same permissions matrix as API tokens).",
)
@click.option("--agency", default=None, help="The agency code: only for an officer.")
@click.option(
    "--temporary",
    is_flag=True,
    help="Generate a temporary password and print it, instead of prompting for one.",
)
@database_option
@translate_errors
def users_add(
    username: str,
    name: str,
    title: str,
    role: str,
    agency: str | None,
    temporary: bool,
    database: str | None,
) -> None:
    """Add an account. The person chooses their own password at the first sign-in.

    \b
    Example:
        citations users add jlee --name "Jordan Lee" --title "Hearing clerk" --role clerk
    """
    from citations.record.accounts import create_user

    password = None
    if not temporary:
        password = click.prompt(
            "Password (at least 12 characters)", hide_input=True, confirmation_prompt=True
        )
    with open_database(database) as session:
        user, generated = create_user(
            session,
            username=username,
            name=name,
            title=title,
            role=role,
            agency=agency,
            password=password,
            actor=OPERATOR,
            now=now(),
        )
        click.echo(f"Account {user.username} ({user.signature}, {user.role}) added.")
    if generated is not None:
        click.echo(generated)
        click.echo("The temporary password: give it to them now; it is not kept.", err=True)


@users.command("list")
@database_option
@translate_errors
def users_list(database: str | None) -> None:
    """List the accounts: username, role, status and name.

    \b
    Example:
        citations users list
    """
    from citations.record.accounts import list_users

    moment = now()
    with open_database(database) as session:
        for user in list_users(session, actor=OPERATOR):
            if user.disabled_at is not None:
                state = "disabled"
            elif user.locked_until is not None and user.locked_until > moment:
                state = f"locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
            else:
                state = "active"
            click.echo(f"{user.username:<20} {user.role:<15} {state:<10}  {user.signature}")


@users.command("disable")
@click.argument("username")
@database_option
@translate_errors
def users_disable(username: str, database: str | None) -> None:
    """Disable an account: it cannot sign in, and its sessions end at once.

    \b
    Example:
        citations users disable jlee
    """
    from citations.record.accounts import disable_user

    with open_database(database) as session:
        user = disable_user(session, username, actor=OPERATOR, now=now())
        click.echo(f"Account {user.username} disabled.")


@users.command("reset")
@click.argument("username")
@database_option
@translate_errors
def users_reset(username: str, database: str | None) -> None:
    """Give an account a temporary password (printed once); its sessions end, and the
    person chooses a new password at the next sign-in.

    \b
    Example:
        citations users reset jlee
    """
    from citations.record.accounts import reset_password

    with open_database(database) as session:
        user, temporary = reset_password(session, username, actor=OPERATOR, now=now())
        click.echo(f"Account {user.username}: temporary password")
    click.echo(temporary)
    click.echo("Give it to them now; it is not kept.", err=True)


@users.command("link")
@click.argument("username")
@click.argument("subject")
@database_option
@translate_errors
def users_link(username: str, subject: str, database: str | None) -> None:
    """Let an account sign in through the city's identity provider as the person whose
    subject (the ID token's `sub`) is SUBJECT.

    \b
    Example:
        citations users link jlee 0b7e-4a1c-jordan
    """
    from citations.record.oidc_accounts import link_subject

    with open_database(database) as session:
        user = link_subject(session, username, subject, actor=OPERATOR, now=now())
        click.echo(f"Account {user.username} signs in through the identity provider.")
