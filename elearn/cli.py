"""The ``elearn`` command: serve, db (migrations), users, keys, demo, outbox."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import IO, Any

import click
import marshmallow as ma
from flask import Flask, current_app
from flask.cli import FlaskGroup, NoAppException, with_appcontext
from werkzeug.serving import run_simple

from elearn import create_app, schema_migrations
from elearn.accounts import service as accounts
from elearn.accounts.models import Role
from elearn.accounts.schemas import UserCreateSchema
from elearn.certificates.cli import certificates
from elearn.certificates.credentials import keys as signing_keys
from elearn.config import DEFAULT_LANGUAGES, ConfigError, current_settings
from elearn.content.cli import content
from elearn.demo import load_demo
from elearn.errors import DomainError
from elearn.infra import outbox
from elearn.notifications.cli import notifications
from elearn.uow import unit_of_work


class _ConfigProblem(NoAppException):
    """A ConfigError as one line; a NoAppException so that ``--help`` shows no traceback."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file, err=True)


def _create_app() -> Flask:
    try:
        return schema_migrations.init_app(create_app())
    except ConfigError as error:
        raise _ConfigProblem(str(error)) from None


def _cli_error(detail: str, errors: Mapping[str, Any] | None) -> click.ClickException:
    """One line: the detail, then each field with its messages."""
    fields = "; ".join(
        f"{name}: {' '.join(messages) if isinstance(messages, list) else messages}"
        for name, messages in (errors or {}).items()
    )
    return click.ClickException(f"{detail} {fields}".strip())


@contextmanager
def _committed() -> Iterator[None]:
    """Run the block as one unit of work; a domain error becomes a one-line CLI error."""
    try:
        with unit_of_work():
            yield
    except DomainError as error:
        raise _cli_error(error.detail, error.errors) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """elearn: e-learning backend for online customs training."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Run the development server (use gunicorn in production).

    Unless ``ELEARN_PUBLIC_BASE_URL`` is set, links in mails, QR codes and credentials point at
    the address served here.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = current_settings()
    if settings.left_at_default("public_base_url") and not settings.is_production:
        settings = replace(settings, public_base_url=f"http://{host}:{port}")
        app.extensions["elearn.settings"] = settings
    click.echo(f"Data in {settings.instance_path} (ELEARN_INSTANCE_PATH)")
    click.echo(f"Links in mails and certificates: {settings.public_base_url}")
    # Not app.run(): Flask ignores it inside a CLI command.
    run_simple(host, port, app, threaded=True)


main.add_command(certificates)
main.add_command(content)
main.add_command(notifications)


@main.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([role.value for role in Role]),
    default=[Role.TRAINEE.value],
    show_default=True,
)
@click.option("--administration", default=None, help="ISO code, e.g. AZ")
@click.option("--language", default="en", type=click.Choice(DEFAULT_LANGUAGES))
@click.password_option()
@with_appcontext
def create_user(
    email: str,
    full_name: str,
    roles: tuple[str, ...],
    administration: str | None,
    language: str,
    password: str,
) -> None:
    """Create an account (prompts for the password)."""
    fields = {"email": email, "full_name": full_name, "language": language, "roles": list(roles)}
    if administration is not None:
        fields["administration"] = administration
    try:
        new = UserCreateSchema().load({**fields, "password": password})
    except ma.ValidationError as error:
        raise _cli_error("Invalid input.", error.normalized_messages()) from None
    with _committed():
        user = accounts.create_user(None, new)
    click.echo(f"Created user {user.id} <{user.email}> with roles {', '.join(sorted(user.roles))}")


@main.group()
def keys() -> None:
    """Manage the Ed25519 keys that sign certificate credentials."""


@keys.command("generate")
@with_appcontext
def generate_key() -> None:
    """Create a new active signing key; the previous one is retired but stays published."""
    with unit_of_work():
        key = signing_keys.generate_signing_key()
    click.echo(f"Active signing key: {key.kid}")


@keys.command("list")
@with_appcontext
def list_keys() -> None:
    """Every signing key, newest first, with its state."""
    for key in signing_keys.list_signing_keys():
        state = "active" if key.active else f"retired {key.retired_at:%Y-%m-%d %H:%M}"
        click.echo(f"{key.kid}  created {key.created_at:%Y-%m-%d %H:%M}  {state}")


@keys.command("delete")
@click.argument("kid")
@click.confirmation_option(prompt="Credentials signed with this key will no longer verify. Delete?")
@with_appcontext
def delete_key(kid: str) -> None:
    """Withdraw a retired key from publication (after a compromise)."""
    try:
        with unit_of_work():
            signing_keys.delete_signing_key(kid)
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"Deleted signing key {kid}")


@main.command()
@with_appcontext
def demo() -> None:
    """Load demo data (idempotent) and print the demo logins."""
    with _committed():
        logins = load_demo()
    base = current_settings().public_base_url
    click.echo(f"Demo data loaded. API: {base}/api/v1  Docs: {base}/api/docs")
    click.echo("Demo logins (password for all: see below):")
    for login in logins:
        click.echo(f"  {login.role:<14} {login.email}")
    click.echo(f"  password: {logins[0].password}")


@main.group("outbox")
def outbox_commands() -> None:
    """Background work recorded in the transactional outbox."""


@outbox_commands.command("sweep")
@with_appcontext
def sweep_outbox() -> None:
    """Re-send work pending too long (what beat does each minute; run it where no beat runs)."""
    with unit_of_work():
        result = outbox.sweep()
    click.echo(f"Re-sent {result.resent} pending task(s); {result.failed} failed for good.")


@main.command("periodic")
@with_appcontext
def run_periodic_tasks() -> None:
    """Run every beat-scheduled task once, here and now (for cron where no beat runs)."""
    celery_app = current_app.extensions["celery"]
    for name, entry in celery_app.conf.beat_schedule.items():
        result = celery_app.tasks[entry["task"]].apply()
        outcome = "failed" if result.failed() else f"done ({result.result})"
        click.echo(f"{name}: {outcome}")
