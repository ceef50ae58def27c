"""Settings.to_env(): what a child process (the test worker) needs to see the same settings."""

from __future__ import annotations

from dataclasses import fields

from elearn.config import Settings, variable_name


def test_to_env_reads_back_into_the_same_settings(settings):
    changed = Settings(
        env="production",
        secret_key="s" * 40,
        database_url="postgresql+psycopg://elearn@db/elearn",
        broker_url="redis://redis:6379/0",
        storage_url="s3://elearn",
        smtp_url="smtp://mailpit:1025",
        public_base_url="https://elearn.example",
        ratelimit_storage_url="redis://redis:6379/1",
        languages=("fr", "en"),
        argon2_time_cost=3,
    ).validated()

    for original in (settings, changed):
        assert Settings.from_env(original.to_env()) == original


def test_to_env_names_every_setting_and_nothing_else(settings):
    assert set(settings.to_env()) == {variable_name(field.name) for field in fields(Settings)}
