"""deploy/README.md: following the operator guide word for word gives a working deployment."""

from __future__ import annotations

import itertools
import re
import tomllib
from pathlib import Path

from tests.deploy import COMPOSE_FILE, K8S, OPERATOR_GUIDE, README, REPO, variables_prepbot_reads, yaml_documents

GUIDE = OPERATOR_GUIDE.read_text(encoding="utf-8")


def code_blocks(language: str, text: str = GUIDE) -> list[str]:
    return [m.group(1) for m in re.finditer(rf"^\s*```{language}\n(.*?)^\s*```", text, re.S | re.M)]


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", GUIDE, re.S | re.M)
    assert match, f"the guide has no section {title}"
    return match.group(1)


def env_file_example() -> dict[str, str]:
    blocks = code_blocks("dotenv")
    assert len(blocks) == 1, "one example of deploy/.env"
    pairs = [line.strip().split("=", 1) for line in blocks[0].splitlines()
             if line.strip() and not line.strip().startswith("#")]
    return {key: value for key, value in pairs}


def test_the_env_file_the_guide_asks_for_defines_every_variable_compose_requires() -> None:
    compose = COMPOSE_FILE.read_text(encoding="utf-8")
    used = set(re.findall(r"(?<!\$)\$\{(\w+)", compose))  # $${...} is the container's own variable
    example = env_file_example()
    assert used and used <= set(example), f"missing from the example: {sorted(used - set(example))}"
    unknown = set(example) - variables_prepbot_reads() - used
    assert not unknown, f"neither read by prepbot nor used by compose: {sorted(unknown)}"
    assert {"SLACK_BOT_TOKEN", "DISCORD_TOKEN"} <= set(example)
    assert not any(re.match(r"xox[abp]-\d|xapp-\d", value) for value in example.values()), "placeholders only"


def test_the_guide_applies_the_kubernetes_manifests_in_file_order_and_waits_for_the_migration() -> None:
    blocks = code_blocks("sh", section("Kubernetes"))
    commands = blocks[0]
    applied = re.findall(r"deploy/k8s/([\w.-]+\.yaml)", commands)
    discord_only = sorted(path.name for path in K8S.glob("*.yaml") for o in yaml_documents(path)
                          if o["kind"] == "Deployment" and o["spec"]["template"]["metadata"]["labels"].get(
                              "app.kubernetes.io/component") == "discord")
    assert discord_only, "Discord has a Deployment of its own"
    everything = sorted(path.name for path in K8S.glob("*.yaml"))
    assert applied == [name for name in everything if name not in discord_only], "every manifest, in file order"
    later = "\n".join(blocks[1:])
    assert re.findall(r"deploy/k8s/([\w.-]+\.yaml)", later)[:len(discord_only)] == discord_only, (
        "Discord's Deployment is applied on its own, after the rest"
    )
    jobs = {o["metadata"]["name"]: path.name for path in K8S.glob("*.yaml") for o in yaml_documents(path)
            if o["kind"] == "Job"}
    deployment = min(path.name for path in K8S.glob("*.yaml") for o in yaml_documents(path)
                     if o["kind"] == "Deployment")
    for job, file in jobs.items():
        wait = re.search(rf"wait --for=condition=complete job/{job}\b", commands)
        assert wait, f"the guide does not wait for job/{job}"
        assert commands.index(file) < wait.start() < commands.index(deployment)


def test_the_guide_explains_every_probe_the_deployment_uses() -> None:
    probes = section("Probes")
    for path in ("/healthz", "/readyz", "/metrics"):
        assert f"`{path}`" in probes
    for probe in ("startupProbe", "livenessProbe", "readinessProbe", "HEALTHCHECK"):
        assert probe in probes
    assert "scale deployment/prepbot" in section("Kubernetes")


def test_the_guide_says_the_port_opens_first_and_readiness_comes_after_start_up() -> None:
    probes = section("Probes")
    assert not re.search(r"port opens (once|after)", GUIDE, re.I), "the port opens before start-up work"
    assert re.search(r"port opens first", probes)
    assert "503" in probes and "SIGTERM" in probes


def test_the_readme_installs_the_postgres_extra_that_brings_the_driver_postgresql_urls_need() -> None:
    readme = README.read_text(encoding="utf-8")
    installs = [line for block in code_blocks("sh", readme) for line in block.splitlines() if "pip install" in line]
    with_postgres = [line for line in installs if re.search(r"""['"]?\.\[[\w,]*\bpostgres\b[\w,]*\]['"]?""", line)]
    assert with_postgres, "the README's install instructions name the .[postgres] extra"
    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(requirement.startswith("asyncpg") for requirement in extras["postgres"])
    assert all("-c constraints.txt" in line for line in with_postgres), "the versions CI tested"


def sentences(text: str) -> list[str]:
    """The sentences of prose or of YAML comments, each on one line (a comment's `#` dropped)."""
    flat = re.sub(r"\s*\n\s*(?:#\s*)?", " ", text)
    return re.split(r"(?<=\.)\s+", flat)


def comment_above(key: str, path: Path) -> str:
    """The comment lines right above the first line that sets `key` in a YAML file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip().startswith(f"{key}:"))
    above = list(itertools.takewhile(lambda line: line.strip().startswith("#"), reversed(lines[:at])))
    return " ".join(line.strip().lstrip("#").strip() for line in reversed(above))


def test_nothing_in_the_kit_says_a_stopped_process_leaves_its_work_until_its_claims_expire() -> None:
    for path in [OPERATOR_GUIDE, README, *sorted(K8S.glob("*.yaml"))]:
        for sentence in sentences(path.read_text(encoding="utf-8")):
            if re.search(r"SIGTERM|\bstop(s|ped)?\b", sentence):
                assert not re.search(r"\bexpir", sentence), (
                    f"{path.name}: a stopping process hands back the work it has not begun: {sentence}")
    assert "hands back" in section("Probes") and "hands back" in section("Kubernetes")
    assert "hands back" in comment_above("terminationGracePeriodSeconds", K8S / "40-deployment.yaml")


def test_running_discord_alone_means_no_slack_pods_rather_than_pods_without_a_platform() -> None:
    said = [sentence for path in [OPERATOR_GUIDE, *sorted(K8S.glob("*.yaml"))]
            for sentence in sentences(path.read_text(encoding="utf-8")) if re.search(r"Discord only", sentence)]
    assert said, "the kit says how to run Discord alone"
    for sentence in said:
        assert "replicas: 0" in sentence, f"with no platform a Slack pod exits 2 and restarts in a loop: {sentence}"
    assert "exits 2" in section("Kubernetes")
