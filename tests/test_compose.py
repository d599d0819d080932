"""docker-compose.yml cannot run here (no Docker), so check what can rot silently: the file parses, every
service's command names a real entry point and real options of this project, and every variable it sets
is one ``config`` reads."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import typer
import yaml

from config.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
OWN_IMAGE_SERVICES = {"migrate", "worker-discover", "worker-fetch", "worker-process", "beat", "flower"}
# Variables the third-party images read themselves (the postgres image).
THIRD_PARTY_VARS = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def _env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def test_services_and_their_shape(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"redis", "postgres", *OWN_IMAGE_SERVICES} <= set(services)
    declared = set(compose["volumes"])
    used = set()
    for name, service in services.items():
        assert "restart" in service, name
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                used.add(source)
        if name != "migrate":
            assert service["restart"] in {"always", "unless-stopped", "on-failure"}, name
            assert "test" in service["healthcheck"], f"{name} has no health check"
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], dependency
    assert used == declared and {"redis-data", "postgres-data"} <= declared  # named volumes, all used
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in OWN_IMAGE_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "--appendonly" in _command(services["redis"])  # a broker restart keeps the queued messages
    # One worker per queue, so each scales on its own.
    queues = {
        _command(services[name])[_command(services[name]).index("-Q") + 1]
        for name in ("worker-discover", "worker-fetch", "worker-process")
    }
    from worker.celery_app import QUEUES

    assert queues == set(QUEUES)


def _check_click_options(command: Any, args: list[str], where: str) -> None:
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for arg in args:
        if arg.startswith("-"):
            option = arg.split("=", 1)[0]
            assert option in known, f"{where}: {command.name} has no option {option}"


def _celery_group() -> click.Group:
    from celery.bin.celery import celery

    return celery


def test_every_command_names_a_real_entry_point_and_options(compose: dict[str, Any]) -> None:
    import worker

    assert worker.app.main == "wirefeed"  # `celery -A worker` resolves to our app
    celery = _celery_group()
    from worker.cli import app as cli_app

    wirefeed = typer.main.get_command(cli_app)
    for name in OWN_IMAGE_SERVICES:
        argv = _command(compose["services"][name])
        if argv[0] == "wirefeed":
            command: Any = wirefeed  # typer's own click-compatible group
            rest = argv[1:]
            while hasattr(command, "commands") and rest and not rest[0].startswith("-"):
                assert rest[0] in command.commands, f"{name}: wirefeed has no command {rest[0]}"
                command, rest = command.commands[rest[0]], rest[1:]
            _check_click_options(command, rest, name)
            continue
        assert argv[:3] == ["celery", "-A", "worker"], name
        sub = argv[3]
        assert sub in celery.commands, f"{name}: celery has no command {sub}"
        if sub == "flower":
            from flower.options import options as flower_options

            for arg in argv[4:]:
                option = arg.lstrip("-").split("=", 1)[0].replace("_", "-")  # tornado normalises names
                assert option in flower_options._options, f"{name}: flower has no option {option}"
        else:
            _check_click_options(celery.commands[sub], [a for a in argv[4:] if a.startswith("-")], name)


def test_environment_variables_are_ones_config_reads(compose: dict[str, Any]) -> None:
    fields = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    example = _env_example()
    for key in example:
        assert key in fields or key in THIRD_PARTY_VARS, f".env.example sets {key}, which nothing reads"
    text = COMPOSE.read_text(encoding="utf-8")
    for key in set(re.findall(r"\b(WIREFEED_[A-Z_]+)\b", text)):
        assert key in fields, f"docker-compose.yml uses {key}, which config does not read"
    for key in set(re.findall(r"\$\{([A-Z_]+)", text)):
        assert key in example, f"docker-compose.yml interpolates {key}, missing from .env.example"
    for service in compose["services"].values():
        for key in service.get("environment") or {}:
            assert key in fields or key in THIRD_PARTY_VARS, key
    assert example["WIREFEED_FLOWER_BASIC_AUTH"]  # Flower refuses to start without it...
    from worker.celery_app import weak_flower_credentials

    assert weak_flower_credentials(example["WIREFEED_FLOWER_BASIC_AUTH"])  # ...and with the example's
    # Flower speaks plain HTTP: published on localhost unless the operator says otherwise.
    assert compose["services"]["flower"]["ports"] == ["${WIREFEED_FLOWER_BIND:-127.0.0.1}:5555:5555"]
    assert Settings().flower_bind == example["WIREFEED_FLOWER_BIND"] == "127.0.0.1"
    # The example's values are valid settings, not just known names.
    Settings(
        **{
            key[len(ENV_PREFIX) :].lower(): value
            for key, value in example.items()
            if key.startswith(ENV_PREFIX)
        }
    )
