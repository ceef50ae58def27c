"""``elearn certificates``: certificates from the command line."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from elearn.certificates.service import issuing
from elearn.cli_options import since_option
from elearn.uow import unit_of_work


@click.group()
def certificates() -> None:
    """Completion certificates (README, "Certificates")."""


@certificates.command("retry")
@click.option("--failed", is_flag=True, required=True, help="Render again what failed.")
@since_option("certificates")
@with_appcontext
def retry_command(failed: bool, since: datetime) -> None:
    """Queue again every certificate that failed for a real reason (a refused key, a bug fixed
    since); an outage never fails one."""
    del failed  # required flag: the only kind of certificate this command renders again
    with unit_of_work():
        count = issuing.retry_failed(None, since.replace(tzinfo=UTC))
    click.echo(f"{count} failed certificate(s) queued again")
