"""deploy/k8s/: the objects a cluster needs to run several prepbot replicas on one PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from bot.config import Settings
from entrypoints.settings import SECRET_FIELDS, load_settings
from tests.deploy import K8S, Dockerfile, variables_prepbot_reads, yaml_documents

IMAGE = Dockerfile.read()
MANIFESTS = sorted(K8S.glob("*.yaml"))
OBJECTS: list[dict[str, Any]] = [document for path in MANIFESTS for document in yaml_documents(path)]


def the(kind: str, name: str | None = None) -> dict[str, Any]:
    """The one object of this kind (with this name, when given); the bot's Deployment and Secret are "prepbot"
    and "prepbot-secrets"."""
    name = name or {"Deployment": "prepbot", "Secret": "prepbot-secrets"}.get(kind)
    found = [o for o in OBJECTS if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def bot_container() -> dict[str, Any]:
    containers = pod_spec(the("Deployment"))["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


def served_port() -> int:
    """The port prepbot listens on in the pods: PREPBOT_HTTP_PORT from the ConfigMap, else the image's."""
    data = the("ConfigMap")["data"]
    return int(data.get("PREPBOT_HTTP_PORT") or IMAGE.env().get("PREPBOT_HTTP_PORT") or Settings().http_port)


def container_port(container: dict[str, Any], port: int | str) -> int:
    """A probe's or a Service's port, by number or by the container port's name."""
    if isinstance(port, int):
        return port
    named = [p["containerPort"] for p in container.get("ports", []) if p.get("name") == port]
    assert named, f"no container port is named {port}"
    return int(named[0])


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity (100m, 1, 256Mi, 1Gi) as a number."""
    text = str(value)
    units = {"m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", text)
    assert match and match.group(2) in {"", *units}, f"not a quantity: {text}"
    return float(match.group(1)) * units.get(match.group(2), 1)


def test_the_manifests_hold_every_object_a_cluster_deployment_needs() -> None:
    kinds = {o["kind"] for o in OBJECTS}
    assert {"Secret", "ConfigMap", "Job", "Deployment", "Service", "PodDisruptionBudget"} <= kinds
    namespaces = {o["metadata"]["name"] for o in OBJECTS if o["kind"] == "Namespace"}
    for o in OBJECTS:
        if o["kind"] != "Namespace":
            assert o["metadata"].get("namespace") in namespaces, f"{o['kind']} {o['metadata']['name']}"
    assert [path.name for path in MANIFESTS] == sorted(path.name for path in MANIFESTS)
    order = [o["kind"] for o in OBJECTS]
    assert order.index("Secret") < order.index("Job") < order.index("Deployment"), (
        "file order is apply order: settings, then the migration, then the bot"
    )
    assert order.index("ConfigMap") < order.index("Job")


def test_several_replicas_run_and_roll_out_one_at_a_time() -> None:
    spec = the("Deployment")["spec"]
    assert spec["replicas"] > 1
    rolling = spec["strategy"]["rollingUpdate"]
    assert rolling["maxUnavailable"] == 0 and rolling["maxSurge"] == 1
    assert selects(spec["selector"]["matchLabels"], pod_labels(the("Deployment")))
    assert pod_spec(the("Deployment"))["terminationGracePeriodSeconds"] >= 15, "time to finish work after SIGTERM"


def test_probes_ask_for_health_and_readiness_on_the_port_the_app_serves() -> None:
    container = bot_container()
    port = served_port()
    assert port == Settings().http_port == int(IMAGE.env()["PREPBOT_HTTP_PORT"])
    assert [p["containerPort"] for p in container["ports"]] == [port]
    paths = {}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        if probe in container:
            get = container[probe]["httpGet"]
            assert container_port(container, get["port"]) == port, probe
            paths[probe] = get["path"]
    assert paths["livenessProbe"] == "/healthz"
    assert paths["readinessProbe"] == "/readyz"
    assert paths.get("startupProbe", "/healthz") == "/healthz", "start-up waits for life, not for the platforms"
    annotations = the("Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert int(annotations["prometheus.io/port"]) == port


def test_the_service_and_the_disruption_budget_select_the_bot_pods_and_not_the_migration() -> None:
    bots, migration = pod_labels(the("Deployment")), pod_labels(the("Job"))
    service, budget = the("Service")["spec"], the("PodDisruptionBudget")["spec"]
    assert selects(service["selector"], bots) and not selects(service["selector"], migration)
    assert selects(budget["selector"]["matchLabels"], bots)
    assert not selects(budget["selector"]["matchLabels"], migration)
    assert [(p["port"], container_port(bot_container(), p["targetPort"])) for p in service["ports"]] == [
        (served_port(), served_port())
    ]
    replicas = the("Deployment")["spec"]["replicas"]
    if "maxUnavailable" in budget:
        assert 1 <= budget["maxUnavailable"] < replicas
    else:
        assert 1 <= budget["minAvailable"] < replicas, "a drain can still move a pod"


def test_the_schema_is_upgraded_by_a_job_with_the_same_image_and_settings_as_the_bot() -> None:
    job = the("Job")
    containers = pod_spec(job)["containers"]
    assert len(containers) == 1
    migrate = containers[0]
    assert IMAGE.command_for(migrate.get("command"), migrate.get("args")) == ["prepbot", "db", "upgrade"]
    assert IMAGE.command_for(bot_container().get("command"), bot_container().get("args")) == ["prepbot", "run"]
    assert migrate["image"] == bot_container()["image"]
    assert migrate["envFrom"] == bot_container()["envFrom"]
    assert pod_spec(job)["restartPolicy"] in {"Never", "OnFailure"}
    assert job["spec"]["backoffLimit"] >= 1, "a database that is still starting gets another try"


def test_settings_come_from_a_configmap_and_secrets_from_a_secret_with_only_names_prepbot_reads() -> None:
    known = variables_prepbot_reads()
    secret, config = the("Secret"), the("ConfigMap")
    secret_keys, config_keys = set(secret["stringData"]), set(config["data"])
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PREPBOT_DATABASE_URL"} <= secret_keys
    assert set(the("Secret", "prepbot-discord")["stringData"]) == {"DISCORD_TOKEN"}
    assert secret_keys <= known, f"not read by prepbot: {sorted(secret_keys - known)}"
    assert config_keys <= known, f"not read by prepbot: {sorted(config_keys - known)}"
    secret_names = {f.upper() for f in SECRET_FIELDS} | {"PREPBOT_DATABASE_URL"}
    secret_names |= {f"PREPBOT_{name}" for name in secret_names}
    assert not config_keys & secret_names, "secrets belong in the Secret"
    assert all(isinstance(v, str) for v in config["data"].values()), "ConfigMap values are strings"
    settings = load_settings({**config["data"], **secret["stringData"]})
    assert settings.core.database_url.startswith("postgresql+asyncpg://")
    assert not any(re.search(r"xox[bpa]-\d", v) for v in secret["stringData"].values()), "placeholders only"
    references = [(k, ref["name"]) for e in bot_container()["envFrom"] for k, ref in e.items()]
    assert sorted(references) == [("configMapRef", config["metadata"]["name"]),
                                  ("secretRef", secret["metadata"]["name"])]


def test_every_pod_runs_as_a_non_root_user_with_resource_requests_and_limits() -> None:
    for workload in (the("Deployment"), the("Job")):
        spec = pod_spec(workload)
        for container in spec["containers"] + spec.get("initContainers", []):
            context = {**spec.get("securityContext", {}), **container.get("securityContext", {})}
            assert context["runAsNonRoot"] is True
            assert str(context.get("runAsUser", IMAGE.user())) == IMAGE.user() != "0"
            assert context.get("allowPrivilegeEscalation") is False
            resources = container["resources"]
            for resource in ("cpu", "memory"):
                request, limit = resources["requests"][resource], resources["limits"][resource]
                assert quantity(request) <= quantity(limit), f"{container['name']} {resource}"


def environment_sources(container: dict[str, Any]) -> dict[str, str]:
    """Where each variable a container gets comes from, as Kubernetes resolves it (`env` over `envFrom`): "value:X"
    for a literal, "secret:NAME/KEY" for a Secret's key."""
    secrets = {o["metadata"]["name"]: o for o in OBJECTS if o["kind"] == "Secret"}
    found: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "secretRef" in source:
            name = source["secretRef"]["name"]
            found.update({key: f"secret:{name}/{key}" for key in secrets[name]["stringData"]})
    for variable in container.get("env", []):
        if "value" in variable:
            found[variable["name"]] = f"value:{variable['value']}"
        else:
            ref = variable["valueFrom"]["secretKeyRef"]
            found[variable["name"]] = f"secret:{ref['name']}/{ref['key']}"
    return found


def test_a_discord_token_reaches_only_one_pod_which_is_stopped_before_its_replacement_starts() -> None:
    workloads = [o for o in OBJECTS if o["kind"] == "Deployment"]
    with_discord = []
    for workload in workloads:
        containers = pod_spec(workload)["containers"]
        sources = [environment_sources(c).get("DISCORD_TOKEN", "value:") for c in containers]
        if any(source != "value:" for source in sources):
            with_discord.append(workload["metadata"]["name"])
            assert workload["spec"]["replicas"] == 1, "every replica would serve every Discord event"
            assert workload["spec"]["strategy"]["type"] == "Recreate", "a rolling update runs two side by side"
    assert with_discord == ["prepbot-discord"]
    bots = the("Deployment")
    assert bots["spec"]["replicas"] > 1
    assert {"name": "DISCORD_TOKEN", "value": ""} in bot_container()["env"], (
        "the replicated bot blanks DISCORD_TOKEN, so a token added to its Secret by mistake is never used"
    )
    discord_pods = pod_labels(the("Deployment", "prepbot-discord"))
    assert not selects(the("Service")["spec"]["selector"], discord_pods), "Slack's traffic goes to the Slack pods"
    assert not selects(the("PodDisruptionBudget")["spec"]["selector"]["matchLabels"], discord_pods)
    discord_env = environment_sources(pod_spec(the("Deployment", "prepbot-discord"))["containers"][0])
    assert discord_env["PREPBOT_DATABASE_URL"] == "secret:prepbot-secrets/PREPBOT_DATABASE_URL"
    assert not any(name.startswith("SLACK_") for name in discord_env), "the Discord pod serves Discord only"


def test_the_manifests_say_the_port_opens_first_and_readiness_follows_start_up() -> None:
    for path in MANIFESTS:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"port opens (once|after)", text, re.I), f"{path.name}: the port opens at once"
    comments = (K8S / "40-deployment.yaml").read_text(encoding="utf-8")
    assert re.search(r"port opens at once", comments) and "/readyz" in comments
