"""Settings: read once from ELEARN_* variables, refused with one line naming the variable."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from elearn.cli import main
from elearn.config import ConfigError, Settings, documented_variables, variable_name

PRODUCTION = {
    "ELEARN_ENV": "production",
    "ELEARN_SECRET_KEY": "k" * 40,
    "ELEARN_DATABASE_URL": "postgresql+psycopg://elearn@127.0.0.1/elearn",
    "ELEARN_BROKER_URL": "redis://127.0.0.1:6379/0",
    "ELEARN_STORAGE_URL": "s3://elearn-media",
    "ELEARN_SMTP_URL": "smtp://127.0.0.1:1025",
    "ELEARN_PUBLIC_BASE_URL": "https://elearn.example.org",
    "ELEARN_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/1",
}
REQUIRED_IN_PRODUCTION = sorted(set(PRODUCTION) - {"ELEARN_ENV"})
INT_VARIABLES = [variable_name(f.name) for f in fields(Settings) if f.type == "int"]
HOUR_VARIABLES = ["ELEARN_MAIL_WINDOW_OPENS_HOUR", "ELEARN_MAIL_WINDOW_CLOSES_HOUR"]
ZERO_ALLOWED = ["ELEARN_TRUSTED_PROXY_HOPS", "ELEARN_TOKEN_USE_WRITE_SECONDS", *HOUR_VARIABLES]
COUNT_VARIABLES = [name for name in INT_VARIABLES if name in ZERO_ALLOWED]
POSITIVE_VARIABLES = [name for name in INT_VARIABLES if name not in COUNT_VARIABLES]


def config_error(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    return str(caught.value)


def isolated(environ: dict[str, str]) -> dict[str, str | None]:
    """Every ELEARN_* variable unset except those given (CliRunner removes None values)."""
    return {**dict.fromkeys(name for name, _, _ in documented_variables()), **environ}


def test_the_embedded_instance_folder_is_the_projects_wherever_elearn_starts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project = Path(__file__).resolve().parents[1]

    settings = Settings(instance_path="instance").validated()

    assert settings.instance_path == str(project / "instance")
    assert settings.database_url == f"sqlite:///{project / 'instance' / 'elearn.db'}"


def test_a_complete_production_environment_starts(tmp_path):
    settings = Settings.from_env({**PRODUCTION, "ELEARN_INSTANCE_PATH": str(tmp_path)})

    assert settings.is_production
    assert settings.database_url == PRODUCTION["ELEARN_DATABASE_URL"]


def test_the_required_production_variables_are_exactly_these():
    required = [
        variable_name(f.name) for f in fields(Settings) if f.metadata["production_required"]
    ]

    assert sorted(required) == REQUIRED_IN_PRODUCTION


@pytest.mark.parametrize("missing", REQUIRED_IN_PRODUCTION)
@pytest.mark.parametrize("absent_as", [None, "", "the embedded default"])
def test_production_refuses_to_start_naming_the_missing_variable(missing, absent_as):
    environ = {**PRODUCTION}
    del environ[missing]
    if absent_as == "the embedded default":
        field = next(f for f in fields(Settings) if variable_name(f.name) == missing)
        absent_as = field.default or None
    if absent_as is not None:
        environ[missing] = absent_as

    message = config_error(environ)

    assert message == f"{missing} is required when ELEARN_ENV=production"


def test_production_refuses_a_short_secret_key():
    message = config_error({**PRODUCTION, "ELEARN_SECRET_KEY": "tiny-secret"})

    assert message.startswith("ELEARN_SECRET_KEY ")
    assert "tiny-secret" not in message


@pytest.mark.parametrize("variable", POSITIVE_VARIABLES)
@pytest.mark.parametrize("value", ["many", "1.5", "0", "-3", "10 seconds"])
def test_a_malformed_number_names_the_variable(variable, value):
    message = config_error({variable: value})

    assert message.startswith(f"{variable}: ")
    assert "\n" not in message


def test_numbers_are_read_with_surrounding_spaces():
    assert Settings.from_env({"ELEARN_SMTP_TIMEOUT_SECONDS": " 30 "}).smtp_timeout_seconds == 30


@pytest.mark.parametrize("value", ["english", "en,,r", "e1"])
def test_malformed_languages_name_the_variable(value):
    assert config_error({"ELEARN_LANGUAGES": value}).startswith("ELEARN_LANGUAGES: ")


def test_an_unknown_environment_is_refused():
    assert config_error({"ELEARN_ENV": "staging"}).startswith("ELEARN_ENV ")


def test_embedded_defaults_need_no_variable_at_all(tmp_path):
    settings = Settings.from_env({"ELEARN_INSTANCE_PATH": str(tmp_path)})

    assert settings.database_url == f"sqlite:///{tmp_path / 'elearn.db'}"
    assert settings.storage_url == (tmp_path / "media").as_uri()
    assert settings.tasks_eager


def test_redacted_settings_hide_every_secret(tmp_path):
    settings = Settings.from_env(
        {
            **PRODUCTION,
            "ELEARN_S3_SECRET_ACCESS_KEY": "aws-secret",
            "ELEARN_INSTANCE_PATH": str(tmp_path),
        }
    )

    shown = str(settings.redacted())

    for secret in (PRODUCTION["ELEARN_SECRET_KEY"], "aws-secret", PRODUCTION["ELEARN_SMTP_URL"]):
        assert secret not in shown


def test_cli_prints_a_config_error_as_one_line():
    environ = {**PRODUCTION}
    del environ["ELEARN_DATABASE_URL"]

    result = CliRunner().invoke(main, ["demo"], env=isolated(environ))

    assert result.exit_code != 0
    assert result.output == "Error: ELEARN_DATABASE_URL is required when ELEARN_ENV=production\n"


def test_cli_help_shows_a_config_error_without_a_traceback():
    result = CliRunner().invoke(main, ["--help"], env=isolated({"ELEARN_ARGON2_TIME_COST": "two"}))

    assert "Traceback" not in result.output
    assert "Error: ELEARN_ARGON2_TIME_COST: expected a positive whole number, got 'two'" in (
        result.output
    )


def test_readme_documents_every_variable_and_no_other():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    rows = {}
    for line in readme.splitlines():
        if line.startswith("| `ELEARN_"):
            variable, default = (cell.strip().strip("`") for cell in line.split("|")[1:3])
            rows[variable] = default

    assert sorted(rows) == sorted(name for name, _, _ in documented_variables())
    for name, default, _ in documented_variables():
        assert rows[name] == default, name


@pytest.mark.parametrize("value", ["many", "1.5", "-1"])
def test_a_malformed_count_names_the_variable(value):
    message = config_error({"ELEARN_TRUSTED_PROXY_HOPS": value})

    assert message.startswith("ELEARN_TRUSTED_PROXY_HOPS: ")


def test_a_count_may_be_zero():
    assert Settings.from_env({"ELEARN_TRUSTED_PROXY_HOPS": "0"}).trusted_proxy_hops == 0


@pytest.mark.parametrize(
    ("opens", "closes"), [("24", "20"), ("-1", "20"), ("8", "8"), ("21", "20"), ("eight", "20")]
)
def test_the_mail_window_is_two_hours_of_the_day_in_order(opens, closes):
    message = config_error(
        {"ELEARN_MAIL_WINDOW_OPENS_HOUR": opens, "ELEARN_MAIL_WINDOW_CLOSES_HOUR": closes}
    )

    assert message.startswith("ELEARN_MAIL_WINDOW_OPENS_HOUR")


@pytest.mark.parametrize("value", ["-1", "fast", "nan", "inf"])
def test_a_bad_mail_rate_names_the_variable(value):
    assert config_error({"ELEARN_MAIL_RATE_PER_SECOND": value}).startswith(
        "ELEARN_MAIL_RATE_PER_SECOND: "
    )
