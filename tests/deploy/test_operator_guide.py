"""deploy/README.md: following the operator guide word for word gives a working deployment."""

from __future__ import annotations

import re

from tests.deploy import COMPOSE_FILE, K8S, OPERATOR_GUIDE, variables_prepbot_reads, yaml_documents

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
    commands = "\n".join(code_blocks("sh", section("Kubernetes"))[:1])
    applied = re.findall(r"deploy/k8s/([\w.-]+\.yaml)", commands)
    assert applied == sorted(path.name for path in K8S.glob("*.yaml")), "every manifest, in file order"
    jobs = {o["metadata"]["name"]: path.name for path in K8S.glob("*.yaml") for o in yaml_documents(path)
            if o["kind"] == "Job"}
    deployment = next(path.name for path in K8S.glob("*.yaml") for o in yaml_documents(path)
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
