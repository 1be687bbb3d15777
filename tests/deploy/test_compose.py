"""deploy/docker-compose.yml: PostgreSQL, a one-shot schema upgrade, the bot, and optional monitoring."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from entrypoints.settings import load_settings
from tests.deploy import COMPOSE_FILE, DEPLOY, DOCKERFILE, REPO, Dockerfile, variables_prepbot_reads, yaml_file

COMPOSE = yaml_file(COMPOSE_FILE)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
IMAGE = Dockerfile.read()
SUBSTITUTION = re.compile(r"\$\{(\w+)(?::?[-?+][^}]*)?\}")
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|_KEY$")


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def command_of(service: dict[str, Any]) -> list[str]:
    """What the service's container runs: compose's `entrypoint` and `command` over the image's."""
    entrypoint, command = service.get("entrypoint"), service.get("command")
    for value in (entrypoint, command):
        assert value is None or isinstance(value, list), "exec form, so no shell sits between Docker and prepbot"
    return IMAGE.command_for(entrypoint, command)


def with_sample_values(value: str) -> str:
    return SUBSTITUTION.sub("sample", value)


def test_compose_builds_the_image_from_the_repository_root_with_the_deploy_dockerfile() -> None:
    for name in ("prepbot", "migrate"):
        build = SERVICES[name]["build"]
        context = (DEPLOY / build["context"]).resolve()
        assert context == REPO
        assert (context / build["dockerfile"]).resolve() == DOCKERFILE
    assert SERVICES["prepbot"]["image"] == SERVICES["migrate"]["image"], "both run the same build"


def test_the_schema_is_upgraded_once_after_postgres_is_healthy_and_before_prepbot_starts() -> None:
    migrate, prepbot = SERVICES["migrate"], SERVICES["prepbot"]
    assert command_of(migrate) == ["prepbot", "db", "upgrade"]
    assert command_of(prepbot) == ["prepbot", "run"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert prepbot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert str(migrate.get("restart", "no")) in {"no", "False", "false"}, "a one-shot job is not restarted"
    assert "ports" not in migrate


def test_postgres_15_keeps_its_data_in_a_volume_and_reports_health_with_pg_isready() -> None:
    postgres = SERVICES["postgres"]
    assert postgres["image"].split(":")[1].split(".")[0] == "15"
    volumes = [v.split(":") for v in postgres["volumes"]]
    data = [source for source, target, *_ in volumes if target == "/var/lib/postgresql/data"]
    assert data and data[0] in COMPOSE["volumes"], "a named volume, declared at the top level"
    test = postgres["healthcheck"]["test"]
    assert "pg_isready" in (test if isinstance(test, str) else " ".join(test))
    user, db = environment(postgres)["POSTGRES_USER"], environment(postgres)["POSTGRES_DB"]
    assert f"-U {user}" in " ".join(test) and f"-d {db}" in " ".join(test)


def test_prepbot_reaches_postgres_with_asyncpg_by_service_name_with_the_same_credentials() -> None:
    postgres = environment(SERVICES["postgres"])
    password = SUBSTITUTION.fullmatch(postgres["POSTGRES_PASSWORD"])
    assert password, "the password is substituted from deploy/.env"
    for name in ("prepbot", "migrate"):
        url = environment(SERVICES[name])["PREPBOT_DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://")
        parts = urlsplit(with_sample_values(url))
        assert parts.hostname == "postgres" and parts.hostname in SERVICES
        assert parts.username == postgres["POSTGRES_USER"]
        assert parts.path.lstrip("/") == postgres["POSTGRES_DB"]
        assert [m.group(1) for m in SUBSTITUTION.finditer(url)] == [password.group(1)]


def test_no_secret_is_written_in_the_compose_file() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert not re.search(r"xox[abposr]-\w|xapp-\w", text), "a Slack token"
    for name, service in SERVICES.items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key):
                assert SUBSTITUTION.fullmatch(value), f"{name}: {key} is written out instead of substituted"
            for url in re.findall(r"\w[\w+.-]*://[^\s]+", value):
                password = urlsplit(with_sample_values(url)).password
                if password is not None:
                    assert re.search(r"://[^:/]*:\$\{", url), f"{name}: {key} holds a password"
    for name in ("prepbot", "migrate"):
        env_file = SERVICES[name]["env_file"]
        assert (env_file if isinstance(env_file, str) else env_file[0]) == ".env", (
            "tokens come from deploy/.env, which the operator creates"
        )


def test_prepbot_publishes_the_port_it_serves_on() -> None:
    port = environment(SERVICES["prepbot"]).get("PREPBOT_HTTP_PORT") or IMAGE.env()["PREPBOT_HTTP_PORT"]
    published = [str(p).rsplit(":", 1) for p in SERVICES["prepbot"]["ports"]]
    assert [port, port] in [[host.split(":")[-1], container] for host, container in published]


def test_the_settings_compose_passes_to_prepbot_are_real_and_accepted() -> None:
    known = variables_prepbot_reads()
    for name in ("prepbot", "migrate"):
        env = environment(SERVICES[name])
        assert set(env) <= known, f"{name}: {sorted(set(env) - known)} are not read by prepbot"
        settings = load_settings({k: with_sample_values(v) for k, v in env.items()})
        assert settings.core.database_url.startswith("postgresql+asyncpg://")


def test_the_monitoring_services_mount_files_that_exist_and_grafana_loads_the_dashboard() -> None:
    prometheus, grafana = SERVICES["prometheus"], SERVICES["grafana"]
    for service in (prometheus, grafana):
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), f"{source} is mounted but does not exist"
    assert any(v.split(":")[:2] == ["./prometheus/prometheus-compose.yml", "/etc/prometheus/prometheus.yml"]
               for v in prometheus["volumes"])
    configs = {c["target"]: yaml.safe_load(COMPOSE["configs"][c["source"]]["content"]) for c in grafana["configs"]}
    providers = [p for target, c in configs.items() if "/provisioning/dashboards/" in target for p in c["providers"]]
    datasources = [d for target, c in configs.items() if "/provisioning/datasources/" in target
                   for d in c["datasources"]]
    dashboard_mounts = [Path(v.split(":")[1]) for v in grafana["volumes"] if v.startswith("./grafana/")]
    assert [m.name for m in dashboard_mounts] == ["prepbot-dashboard.json"]
    assert str(dashboard_mounts[0].parent) in [p["options"]["path"] for p in providers]
    assert [urlsplit(d["url"]).hostname for d in datasources if d["type"] == "prometheus"] == ["prometheus"]
    assert set(prometheus.get("profiles", [])) == set(grafana.get("profiles", [])) == {"monitoring"}, (
        "`up` alone starts only the bot and its database"
    )


def required_variables(node: Any) -> set[str]:
    """The variables written ${NAME:?...} or ${NAME?...} anywhere in `node`: Compose refuses to run without them."""
    if isinstance(node, dict):
        return set().union(*(required_variables(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(required_variables(v) for v in node)) if node else set()
    return set(re.findall(r"(?<!\$)\$\{(\w+):?\?", str(node)))


def test_up_without_the_monitoring_profile_needs_no_variable_that_only_monitoring_uses() -> None:
    # Compose interpolates every service, profiles or not, before it drops those outside the chosen profiles.
    everywhere = required_variables(COMPOSE)
    default_services = {name: s for name, s in SERVICES.items() if not s.get("profiles")}
    needed_by_default = required_variables(default_services)
    assert needed_by_default, "the bot's own required variables are still required"
    assert everywhere <= needed_by_default, (
        f"`docker compose up` without monitoring would demand {sorted(everywhere - needed_by_default)}"
    )


def grafana_start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Runs Grafana's entrypoint as its container would, after Compose's interpolation ($$ is a literal $), with
    Grafana's own start script standing in as a command that says it ran."""
    service = SERVICES["grafana"]
    entrypoint = service["entrypoint"]
    assert isinstance(entrypoint, list) and entrypoint[:2] == ["/bin/sh", "-c"]
    script = entrypoint[2].replace("$$", "$").replace("exec /run.sh", "echo grafana-started")
    return subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, text=True, timeout=10)


def test_grafana_refuses_to_start_without_an_admin_password_and_says_which_variable_to_set() -> None:
    value = environment(SERVICES["grafana"])["GF_SECURITY_ADMIN_PASSWORD"]
    assert re.fullmatch(r"\$\{GRAFANA_ADMIN_PASSWORD:-\}", value), value
    refused = grafana_start({"GF_SECURITY_ADMIN_PASSWORD": ""})
    assert refused.returncode != 0 and "grafana-started" not in refused.stdout
    assert "GRAFANA_ADMIN_PASSWORD" in refused.stderr
    started = grafana_start({"GF_SECURITY_ADMIN_PASSWORD": "chosen"})
    assert started.returncode == 0 and started.stdout.strip() == "grafana-started"
