"""``elearn mail``: the operator's commands for outgoing mail."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from elearn.infra.mail.message import MailError
from elearn.infra.mail.transport import current_mailer


@click.group("mail")
def mail_cli() -> None:
    """Outgoing mail."""


@mail_cli.command("check")
@with_appcontext
def check_command() -> None:
    """Reach the mail transport now (SMTP NOOP, or the outbox folder) and say if it works."""
    mailer = current_mailer()
    try:
        mailer.check()
    except MailError as error:
        raise click.ClickException(f"{mailer!r} is not usable: {error.reason}") from None
    click.echo(f"{mailer!r}: ok")
