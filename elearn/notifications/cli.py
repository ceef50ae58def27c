"""``elearn notifications``: the mail log from the command line."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from elearn.cli_options import since_option
from elearn.notifications import service
from elearn.uow import unit_of_work


@click.group()
def notifications() -> None:
    """Mail the platform sends (docs/notifications.md)."""


@notifications.command("resend")
@click.option("--failed", is_flag=True, required=True, help="Send again mail that failed.")
@since_option("mail")
@with_appcontext
def resend_command(failed: bool, since: datetime) -> None:
    """Queue again every mail that failed for good (a 5xx refusal, or too many attempts)."""
    del failed  # required flag: the only kind of mail this command resends
    with unit_of_work():
        count = service.resend_failed(None, since.replace(tzinfo=UTC))
    click.echo(f"{count} failed mail(s) queued again")
