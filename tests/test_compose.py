"""docker-compose.yml and the Dockerfile name only things that exist in this project.

Docker does not run here, so these tests read the files: every command's module, app, CLI
command and file is resolved; every ELEARN_* variable is a setting, and the production settings
the compose file gives are complete; every service is health-checked or waits on conditions.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import runpy
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from flask.cli import ScriptInfo

from elearn import schema_migrations
from elearn.cli import main
from elearn.config import Settings, documented_variables
from elearn.infra.outbox import QUEUES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SETTINGS = {variable for variable, _default, _doc in documented_variables()}
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<operator>:?[-?])(?P<argument>[^}]*))?\}")
ONE_SHOT = {name for name, service in SERVICES.items() if service.get("restart") == "no"}


def words(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def commands() -> list[tuple[str, list[str]]]:
    """Every command the compose file runs: services' commands and their health checks."""
    found = []
    for name, service in SERVICES.items():
        if "command" in service:
            found.append((name, words(service["command"])))
        test = service.get("healthcheck", {}).get("test")
        if test and test[0] == "CMD":
            found.append((f"{name} healthcheck", test[1:]))
        elif test and test[0] == "CMD-SHELL":
            found.append((f"{name} healthcheck", shlex.split(test[1])))
    return found


def project_commands(program: str) -> list[tuple[str, list[str]]]:
    return [(where, argv) for where, argv in commands() if argv[0] == program]


def assigns(module: str, attribute: str) -> bool:
    """The module exists in the project and assigns ``attribute`` at top level (not imported:
    importing an entry point creates an app from this process's environment)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None, f"no module {module}"
    assert spec.origin is not None
    assert Path(spec.origin).is_relative_to(ROOT), f"{module} is not part of the project"
    tree = ast.parse(Path(spec.origin).read_text())
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == attribute for target in node.targets)
        for node in tree.body
    )


def option(argv: list[str], *names: str) -> str:
    for index, word in enumerate(argv):
        if word in names:
            return argv[index + 1]
    raise AssertionError(f"{' or '.join(names)} missing from {argv}")


@pytest.mark.parametrize(("where", "argv"), project_commands("celery"), ids=lambda v: str(v))
def test_celery_commands_load_the_worker_app_and_its_queues(where, argv):
    assert assigns(option(argv, "-A", "--app"), "celery"), where
    if "worker" in argv:
        assert set(option(argv, "-Q", "--queues").split(",")) <= set(QUEUES)


def test_gunicorn_serves_the_wsgi_app():
    (where, argv), *others = project_commands("gunicorn")
    assert others == []
    module, attribute = argv[-1].split(":")
    assert assigns(module, attribute), where
    assert argv[-1] in DOCKERFILE  # the image's default command serves the same app


def test_gunicorn_reads_its_settings_from_the_image(monkeypatch):
    ((_where, argv),) = project_commands("gunicorn")
    path = option(argv, "--config", "-c")
    assert f"COPY {Path(path).parts[0]} " in DOCKERFILE
    assert path in DOCKERFILE
    monkeypatch.setenv("WEB_CONCURRENCY", "8")
    settings = runpy.run_path(str(ROOT / path))

    assert (settings["worker_class"], settings["workers"]) == ("sync", 8)


@pytest.mark.parametrize(("where", "argv"), project_commands("elearn"), ids=lambda v: str(v))
def test_elearn_cli_commands_exist(where, argv, app):
    group: click.Command = main
    # Closing the context pops the app context that looking up app-given commands (`db`) pushes;
    # a leaked one would make later requests share one `g` (and one cached user).
    # The app as the `elearn` command builds it: with the migrations' `db` group.
    cli_app = schema_migrations.init_app(app)
    with click.Context(main, obj=ScriptInfo(create_app=lambda: cli_app)) as context:
        for name in argv[1:]:
            if name.startswith("-"):
                break
            assert isinstance(group, click.Group), where
            found = group.get_command(context, name)
            assert found is not None, f"{where}: no command {name!r}"
            group = found


@pytest.mark.parametrize(("where", "argv"), project_commands("python"), ids=lambda v: str(v))
def test_python_commands_run_project_files_or_inline_code(where, argv):
    if argv[1] == "-c":
        compile(argv[2], where, "exec")
    else:
        assert (ROOT / argv[1]).is_file(), where
        assert f"COPY {Path(argv[1]).parts[0]} " in DOCKERFILE


def test_every_elearn_variable_is_a_setting():
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\bELEARN_\w+", text))

    assert used
    assert used <= SETTINGS, f"not settings: {sorted(used - SETTINGS)}"
    assert set(re.findall(r"\bELEARN_\w+", DOCKERFILE)) <= SETTINGS


def test_the_compose_environment_is_a_complete_production_configuration():
    environment = COMPOSE["x-elearn-environment"]

    def resolve(match: re.Match[str]) -> str:
        """A default stands; a variable the operator must set gets a plausible secret."""
        return match["argument"] if "-" in (match["operator"] or "") else "x" * 40

    values = {name: INTERPOLATION.sub(resolve, str(value)) for name, value in environment.items()}
    settings = Settings.from_env(values)

    assert settings.is_production
    assert not settings.tasks_eager
    assert settings.storage_url.startswith("s3://")


def test_every_service_is_health_checked_or_waits_for_what_it_needs():
    for name, service in SERVICES.items():
        dependencies = service.get("depends_on", {})
        assert isinstance(dependencies, dict), f"{name}: depends_on needs conditions"
        assert "healthcheck" in service or dependencies or name in ONE_SHOT, name
        if name in ONE_SHOT:
            assert "healthcheck" not in service, name
        for dependency, rule in dependencies.items():
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
            if dependency in ONE_SHOT:
                assert rule["condition"] == "service_completed_successfully", name
            else:
                assert rule["condition"] == "service_healthy", name
                assert "healthcheck" in SERVICES[dependency], dependency
    long_running = set(SERVICES) - ONE_SHOT - {"beat"}
    assert all("healthcheck" in SERVICES[name] for name in long_running)


def test_the_application_services_share_one_image_and_wait_for_migrations():
    application = {name for name, service in SERVICES.items() if service.get("build") == "."}

    assert application == {"api", "worker", "beat", "migrate", "bucket-init"}
    for name in application - {"migrate", "bucket-init"}:
        assert "migrate" in SERVICES[name]["depends_on"], name
    for name in ("api", "worker"):
        assert "bucket-init" in SERVICES[name]["depends_on"], name


def test_named_volumes_are_declared():
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source in COMPOSE["volumes"] or (ROOT / source).exists(), f"{name}: {source}"


def test_the_image_is_slim_runs_unprivileged_and_has_the_certificate_font():
    assert re.findall(r"^FROM (\S+)", DOCKERFILE, flags=re.MULTILINE) == ["python:3.11-slim"]
    assert "fonts-dejavu-core" in DOCKERFILE
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, flags=re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
    for source in re.findall(r"^COPY (.+) \S+$", DOCKERFILE, flags=re.MULTILINE):
        for path in source.split():
            assert (ROOT / path).exists(), path


def test_the_api_health_check_probes_the_readiness_route_on_the_served_port(app):
    [check] = [argv for where, argv in commands() if where == "api healthcheck"]
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/[\w/]+)", check[2])
    assert url is not None
    bind = option(words(SERVICES["api"]["command"]), "--bind")

    assert bind.endswith(f":{url[1]}")
    assert app.url_map.bind("localhost").match(url[2]) == ("health.ready", {})


def test_presigned_urls_point_at_a_published_public_s3_endpoint():
    environment = COMPOSE["x-elearn-environment"]
    public = INTERPOLATION.sub(
        lambda match: match["argument"], environment["ELEARN_S3_PUBLIC_ENDPOINT_URL"]
    )
    port = public.rsplit(":", 1)[-1]
    published = [mapping.split(":") for mapping in SERVICES["seaweedfs"].get("ports", [])]

    assert public.startswith("http://localhost:")
    assert public != environment["ELEARN_S3_ENDPOINT_URL"]
    assert ["127.0.0.1", port, environment["ELEARN_S3_ENDPOINT_URL"].rsplit(":", 1)[-1]] in (
        published
    )


def test_the_broker_and_the_rate_limits_use_separate_redis_databases():
    environment = COMPOSE["x-elearn-environment"]
    broker, limits = environment["ELEARN_BROKER_URL"], environment["ELEARN_RATELIMIT_STORAGE_URL"]

    assert broker.rsplit("/", 1)[0] == limits.rsplit("/", 1)[0] == "redis://redis:6379"
    assert broker.rsplit("/", 1)[1] != limits.rsplit("/", 1)[1]
