"""The ``elearn`` command: serve, db (migrations), users, keys, demo, outbox."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from elearn import create_app
from elearn.accounts import service as accounts
from elearn.accounts.models import Role
from elearn.certificates import keys as signing_keys
from elearn.config import ConfigError, current_settings
from elearn.demo import load_demo
from elearn.errors import DomainError
from elearn.infra import outbox
from elearn.uow import unit_of_work


def _create_app() -> Flask:
    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """elearn: e-learning backend for online customs training."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Run the development server (use gunicorn in production)."""
    from flask import current_app

    current_app.run(host=host, port=port, debug=False, use_reloader=False)


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
@click.option("--language", default="en", type=click.Choice(["en", "ru", "fr"]))
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
    new = accounts.NewUser(
        email=email,
        full_name=full_name,
        language=language,
        administration_code=administration,
        roles=frozenset(Role(role) for role in roles),
        password=password,
    )
    try:
        with unit_of_work():
            user = accounts.create_user(None, new)
    except DomainError as error:
        details = "; ".join(f"{k}: {', '.join(v)}" for k, v in (error.errors or {}).items())
        raise click.ClickException(f"{error.detail} {details}".strip()) from None
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
    with unit_of_work():
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
