"""Settings: every ``ELEARN_*`` variable, read once into one typed object.

Nothing else in the project reads ``os.environ``. The defaults are the embedded mode: SQLite under
``instance/``, media in a local folder, eager tasks and mail written to an outbox folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "test", "production")
DEFAULT_LANGUAGES = ("en", "ru", "fr")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def _text(value: str) -> str:
    return value.strip()


def _int(value: str) -> int:
    """A positive whole number: every numeric setting is a count, a size or a duration."""
    try:
        number = int(value.strip())
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"expected a positive whole number, got {value!r}")
    return number


def _count(value: str) -> int:
    """A whole number, zero allowed."""
    try:
        number = int(value.strip())
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"expected a whole number (0 or more), got {value!r}")
    return number


def _float(value: str) -> float:
    return float(value.strip())


def _hour(value: str) -> int:
    number = _count(value)
    if number > 23:
        raise ValueError(f"expected an hour from 0 to 23, got {value!r}")
    return number


def _rate(value: str) -> float:
    number = _float(value)
    if not number >= 0 or number == float("inf"):
        raise ValueError(f"expected a number of mails per second (0: no limit), got {value!r}")
    return number


def _languages(value: str) -> tuple[str, ...]:
    languages = tuple(code.strip().lower() for code in value.split(",") if code.strip())
    if not languages or any(len(code) != 2 or not code.isalpha() for code in languages):
        raise ValueError("expected a comma-separated list of two-letter language codes")
    return languages


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value.strip() not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")
        return value.strip()

    return parse


def _setting(
    default: Any,
    doc: str,
    *,
    parse: Callable[[str], Any] = _text,
    production_required: bool = False,
    secret: bool = False,
) -> Any:
    return field(
        default=default,
        metadata={
            "doc": doc,
            "parse": parse,
            "production_required": production_required,
            "secret": secret,
        },
    )


@dataclass(frozen=True)
class Settings:
    """The whole configuration of one process. Field ``foo_bar`` is ``ELEARN_FOO_BAR``."""

    env: str = _setting("development", "development, test or production")
    secret_key: str = _setting(
        "", "Signs sessions and one-time links", production_required=True, secret=True
    )
    instance_path: str = _setting(
        "instance",
        "Folder for the embedded database, media and mail outbox; a relative path is taken "
        "from the project folder of a source checkout (else the current directory)",
    )
    database_url: str = _setting(
        "", "SQLAlchemy URL; default SQLite in the instance folder", production_required=True
    )
    broker_url: str = _setting(
        "", "Celery broker URL; empty runs tasks eagerly in-process", production_required=True
    )
    storage_url: str = _setting(
        "",
        "file:///path or s3://bucket[/prefix]; default a media folder in the instance folder",
        production_required=True,
    )
    s3_endpoint_url: str = _setting("", "S3 API endpoint (MinIO, SeaweedFS); empty means AWS")
    s3_region: str = _setting("us-east-1", "S3 region")
    s3_access_key_id: str = _setting(
        "", "S3 access key id; empty uses boto3's default chain (e.g. an IAM role)", secret=True
    )
    s3_secret_access_key: str = _setting("", "S3 secret access key", secret=True)
    smtp_url: str = _setting(
        "",
        "smtp://, smtp+starttls:// or smtps://user:pass@host:port; empty writes mail to the outbox",
        production_required=True,
        secret=True,
    )
    smtp_timeout_seconds: float = _setting(
        10.0, "SMTP connect and command timeout in seconds", parse=_float
    )
    mail_from: str = _setting("elearn <no-reply@elearn.localhost>", "Sender of every mail")
    public_base_url: str = _setting(
        "http://127.0.0.1:5000",
        "Public URL of the API, used in mails, QR codes and verification links",
        production_required=True,
    )
    languages: tuple[str, ...] = _setting(
        DEFAULT_LANGUAGES, "Comma-separated content languages, default first", parse=_languages
    )
    ratelimit_storage_url: str = _setting(
        "memory://", "flask-limiter storage (redis://… in production)", production_required=True
    )
    login_rate_limit_account: str = _setting(
        "5 per minute", "Failed logins per account from one client address"
    )
    login_rate_limit_ip: str = _setting("30 per minute", "Login attempts per client address")
    trusted_proxy_hops: int = _setting(
        0,
        "Reverse proxies in front of the API whose X-Forwarded-* headers are trusted (client "
        "addresses for rate limits, https scheme); 0 trusts none",
        parse=_count,
    )
    token_rate_limit: str = _setting("10 per hour", "Personal access tokens created per user")
    token_use_write_seconds: int = _setting(
        10,
        "Seconds a process holds the bearer-token uses it noted (a token's last use, to the "
        "minute) before writing them in one statement; 0 writes them after each request",
        parse=_count,
    )
    session_idle_minutes: int = _setting(30, "A cookie session unused this long ends", parse=_int)
    session_lifetime_hours: int = _setting(
        12, "A cookie session ends this long after login, however busy", parse=_int
    )
    argon2_time_cost: int = _setting(2, "argon2id iterations", parse=_int)
    argon2_memory_kib: int = _setting(19456, "argon2id memory in KiB", parse=_int)
    argon2_parallelism: int = _setting(1, "argon2id lanes", parse=_int)
    set_password_ttl_hours: int = _setting(72, "Validity of a set-password link", parse=_int)
    max_request_bytes: int = _setting(
        2 * 1024 * 1024, "Largest JSON request body accepted", parse=_int
    )
    outbox_sweep_after_seconds: int = _setting(
        30, "Age after which pending background work is sent again", parse=_int
    )
    log_level: str = _setting("INFO", "Python logging level")
    certificate_issuer_name: str = _setting(
        "elearn — online customs training",
        "Issuer printed on certificates and named in their signed credentials",
    )
    certificate_signatory_name: str = _setting(
        "", "Person who signs certificates, printed under the signature line; empty omits it"
    )
    certificate_export_retention_hours: int = _setting(
        24, "Hours a contact point's certificate zip export stays downloadable", parse=_int
    )
    certificate_signatory_title: str = _setting(
        "", "The signatory's position, printed under their name; empty omits it"
    )
    smtp_ca_file: str = _setting(
        "", "PEM file of the authorities trusted for SMTP TLS; empty uses the system store"
    )
    mail_max_attempts: int = _setting(
        10, "Sending attempts of one mail before it is marked failed", parse=_int
    )
    s3_public_endpoint_url: str = _setting(
        "", "S3 endpoint written into presigned URLs when clients reach S3 at another address"
    )
    s3_addressing_style: str = _setting(
        "path", "path (MinIO, SeaweedFS) or virtual (bucket in the host name)"
    )
    s3_connect_timeout_seconds: int = _setting(5, "S3 connect timeout", parse=_int)
    s3_read_timeout_seconds: int = _setting(60, "S3 read timeout", parse=_int)
    s3_max_attempts: int = _setting(3, "S3 attempts per call, first try included", parse=_int)
    package_max_bytes: int = _setting(
        50 * 1024 * 1024, "Largest content package zip accepted for import", parse=_int
    )
    package_max_uncompressed_bytes: int = _setting(
        200 * 1024 * 1024, "Largest total size of a content package's files", parse=_int
    )
    package_max_files: int = _setting(2000, "Most files a content package may hold", parse=_int)
    package_max_ratio: int = _setting(
        100, "Highest uncompressed/compressed size ratio of a package zip", parse=_int
    )
    bulk_enrolment_max_rows: int = _setting(
        5000, "Most people one bulk enrolment names (rows of an uploaded CSV)", parse=_int
    )
    officer_import_max_rows: int = _setting(
        5000, "Most officers one CSV import of personnel numbers and units takes", parse=_int
    )
    report_idle_days: int = _setting(
        30, "Days without activity after which an officer's active enrolment is idle", parse=_int
    )
    media_max_video_bytes: int = _setting(
        1024 * 1024 * 1024, "Largest video accepted (video/mp4, video/webm)", parse=_int
    )
    media_max_other_bytes: int = _setting(
        50 * 1024 * 1024, "Largest audio, PDF or image file accepted", parse=_int
    )
    media_stale_upload_hours: int = _setting(
        24, "Age after which an upload never completed (or refused) is removed", parse=_int
    )
    mail_window_opens_hour: int = _setting(
        8, "Local hour from which non-urgent mail (reminders, digests) is sent", parse=_hour
    )
    mail_window_closes_hour: int = _setting(
        20, "Local hour after which non-urgent mail waits for the next morning", parse=_hour
    )
    mail_rate_per_second: float = _setting(
        0.0, "Most mails one worker sends per second in a batch; 0 means no limit", parse=_rate
    )
    unsubscribe_link_ttl_days: int = _setting(
        90, "Days a mail's one-click unsubscribe link keeps working", parse=_int
    )
    verification_rate_limit: str = _setting(
        "60 per minute",
        "Public certificate verifications (GET and POST /verify) per client address",
    )
    credential_jwt_algorithm: str = _setting(
        "EdDSA",
        "JWS alg named in new signed credentials: EdDSA (understood by today's verifiers) or "
        "Ed25519 (RFC 9864); both are accepted at verification",
        parse=_one_of("EdDSA", "Ed25519"),
    )
    task_retry_horizon_hours: int = _setting(
        24,
        "Hours background work keeps being retried while the storage, database or broker it "
        "needs is unavailable; such an outage never fails work sooner",
        parse=_int,
    )

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def tasks_eager(self) -> bool:
        return not self.broker_url

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read, parse and validate every ``ELEARN_*`` variable."""
        source = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in fields(cls):
            name = variable_name(setting.name)
            raw = source.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[setting.name] = setting.metadata["parse"](raw)
            except ValueError as error:
                raise ConfigError(f"{name}: {error}") from None
        return cls(**values).validated()

    def validated(self) -> Settings:
        """Fill the embedded defaults and refuse a production start with a setting missing."""
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"ELEARN_ENV must be one of {', '.join(ENVIRONMENTS)}")
        if self.is_production:
            for setting in fields(self):
                # A default serves the embedded mode only (a localhost URL, in-process rate
                # limits): left at it, a production setting counts as missing.
                value = getattr(self, setting.name)
                if setting.metadata["production_required"] and value in ("", setting.default):
                    raise ConfigError(
                        f"{variable_name(setting.name)} is required when ELEARN_ENV=production"
                    )
            if len(self.secret_key) < 32:
                raise ConfigError("ELEARN_SECRET_KEY must be at least 32 characters in production")
        if self.mail_window_opens_hour >= self.mail_window_closes_hour:
            raise ConfigError(
                "ELEARN_MAIL_WINDOW_OPENS_HOUR must be before ELEARN_MAIL_WINDOW_CLOSES_HOUR"
            )
        instance = _anchored(Path(self.instance_path))
        return replace(
            self,
            instance_path=str(instance),
            secret_key=self.secret_key or "embedded-development-key-not-for-production",
            database_url=self.database_url or f"sqlite:///{instance / 'elearn.db'}",
            storage_url=self.storage_url or (instance / "media").as_uri(),
        )

    def left_at_default(self, name: str) -> bool:
        """Whether the setting ``name`` still has its embedded default."""
        default = next(setting.default for setting in fields(self) if setting.name == name)
        return bool(getattr(self, name) == default)

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict with secrets masked, safe to log."""
        return {
            setting.name: "***" if setting.metadata["secret"] else getattr(self, setting.name)
            for setting in fields(self)
        }

    def to_env(self) -> dict[str, str]:
        """The ``ELEARN_*`` variables that ``from_env`` reads back into these same settings."""
        return {
            variable_name(setting.name): _unparse(getattr(self, setting.name))
            for setting in fields(self)
        }


PROJECT_FOLDER = Path(__file__).resolve().parents[1]


def _anchored(folder: Path) -> Path:
    """``folder`` made absolute: relative to the source checkout elearn runs from, so every
    command finds the same embedded database wherever it is started; else to the current
    directory (an installed package has no project folder)."""
    if folder.is_absolute():
        return folder
    checkout = (PROJECT_FOLDER / "pyproject.toml").is_file()
    return ((PROJECT_FOLDER if checkout else Path.cwd()) / folder).resolve()


def _unparse(value: Any) -> str:
    return ",".join(value) if isinstance(value, tuple) else str(value)


def variable_name(field_name: str) -> str:
    return f"ELEARN_{field_name.upper()}"


def documented_variables() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting, for the README table."""
    rows = []
    for setting in fields(Settings):
        default = setting.default
        shown = ",".join(default) if isinstance(default, tuple) else str(default)
        rows.append((variable_name(setting.name), shown, setting.metadata["doc"]))
    return rows


def current_settings() -> Settings:
    """The settings of the running app (call inside an app context)."""
    from flask import current_app

    settings: Settings = current_app.extensions["elearn.settings"]
    return settings
