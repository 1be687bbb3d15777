"""deploy/prometheus/ (one file for compose, one for Kubernetes) and deploy/grafana/prepbot-dashboard.json against what prepbot really exposes."""

from __future__ import annotations

import inspect
import itertools
import json
import re
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from adapters.metrics import PrometheusMetrics
from tests.deploy import COMPOSE_FILE, DASHBOARD, K8S, PROMETHEUS_COMPOSE, PROMETHEUS_KUBERNETES, yaml_documents, \
    yaml_file

PROMETHEUS_UNDER_COMPOSE = yaml_file(PROMETHEUS_COMPOSE)
PROMETHEUS_ON_KUBERNETES = yaml_file(PROMETHEUS_KUBERNETES)
BOARD: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
TARGET_LABELS = frozenset({"job", "instance", "namespace", "pod"})  # added by Prometheus and relabelling
SELECTOR = re.compile(r"\b([a-zA-Z_:][\w:]*)\s*(?:\{([^}]*)\})?")
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
PROMQL_WORDS = frozenset({"sum", "rate", "increase", "histogram_quantile", "count", "by", "without", "avg", "max",
                          "min", "irate", "topk", "on", "ignoring", "bool", "and", "or", "unless"})

SAMPLE_ARGUMENTS: dict[Any, list[Any]] = {str: ["slack"], bool: [True, False], float: [0.2], int: [1]}


def exposed_families() -> dict[str, dict[str, set[str]]]:
    """prepbot's metric families, each with its sample names and their labels, after each of PrometheusMetrics'
    counting methods ran once, both ways for a flag (a method added later is counted too, without changing this test). The *_created
    timestamps are left out: nobody graphs them, and the image switches them off."""
    metrics = PrometheusMetrics()
    for name, method in inspect.getmembers(metrics, inspect.ismethod):
        if name.startswith("_") or name == "exposition":
            continue
        hints = inspect.get_annotations(method, eval_str=True)
        choices = [SAMPLE_ARGUMENTS[hints[p]] for p in inspect.signature(method).parameters]
        for arguments in itertools.product(*choices):  # a flag can pick the metric: both ways
            method(*arguments)
    found: dict[str, dict[str, set[str]]] = {}
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        if family.name.endswith("_created"):
            continue
        samples = found.setdefault(family.name, {})
        for sample in family.samples:
            samples.setdefault(sample.name, set()).update(sample.labels)
    return found


def exposed_samples() -> dict[str, set[str]]:
    """Every sample name prepbot exposes, with its labels."""
    return {name: labels for samples in exposed_families().values() for name, labels in samples.items()}


def panels() -> list[dict[str, Any]]:
    flat: list[dict[str, Any]] = []
    for panel in BOARD["panels"]:
        flat.append(panel)
        flat.extend(panel.get("panels", []))
    return flat


def expressions() -> list[str]:
    return [t["expr"] for p in panels() for t in p.get("targets", [])]


def metric_names(expr: str) -> set[str]:
    without_ranges = re.sub(r"\[[^\]]*\]", "", expr)
    without_strings = re.sub(r'"[^"]*"', '""', without_ranges)
    names = {m.group(1) for m in SELECTOR.finditer(without_strings)}
    return {n for n in names if n not in PROMQL_WORDS and not n.startswith("__") and not re.fullmatch(r"[\d.e]+", n)
            and n not in {label for g in GROUPING.findall(without_strings) for label in re.split(r"\s*,\s*", g)}}


def test_under_compose_prometheus_scrapes_the_prepbot_service_and_looks_for_no_kubernetes_pods() -> None:
    jobs = PROMETHEUS_UNDER_COMPOSE["scrape_configs"]
    assert jobs and all(set(job) <= {"job_name", "metrics_path", "static_configs", "scrape_interval"} for job in jobs)
    compose = yaml_file(COMPOSE_FILE)["services"]
    targets = [t for job in jobs for group in job["static_configs"] for t in group["targets"]]
    assert targets
    for job in jobs:
        assert job.get("metrics_path", "/metrics") == "/metrics"
    for target in targets:
        host, port = target.split(":")
        assert host in compose, f"{target}: not a compose service"
        assert port == compose[host]["environment"]["PREPBOT_HTTP_PORT"]
    mounted = [v.split(":")[0] for v in compose["prometheus"]["volumes"] if v.endswith("/etc/prometheus/prometheus.yml:ro")]
    assert mounted == ["./prometheus/" + PROMETHEUS_COMPOSE.name], "compose mounts the compose file"


def test_on_kubernetes_prometheus_scrapes_every_annotated_pod_and_never_one_through_a_service() -> None:
    jobs = PROMETHEUS_ON_KUBERNETES["scrape_configs"]
    assert jobs
    assert not [job for job in jobs if "static_configs" in job], (
        "a fixed target in a cluster is the Service: one random pod per scrape, and the dashboard's sums go wrong"
    )
    workloads = [o for path in sorted(K8S.glob("*.yaml")) for o in yaml_documents(path) if o["kind"] == "Deployment"]
    assert workloads
    for job in jobs:
        assert job.get("metrics_path", "/metrics") == "/metrics"
        assert [sd["role"] for sd in job["kubernetes_sd_configs"]] == ["pod"], "every pod, not one behind a Service"
        keep = [r for r in job["relabel_configs"] if r.get("action") == "keep"]
        assert keep and keep[0]["source_labels"] == ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]
        rewritten = {r["target_label"] for r in job["relabel_configs"] if "target_label" in r}
        assert {"__address__", "__metrics_path__"} <= rewritten, "the annotated port and path are used"
        namespaces = {n for sd in job["kubernetes_sd_configs"] for n in sd["namespaces"]["names"]}
        for workload in workloads:
            annotations = workload["spec"]["template"]["metadata"]["annotations"]
            assert re.fullmatch(keep[0]["regex"], annotations["prometheus.io/scrape"]), workload["metadata"]["name"]
            assert workload["metadata"]["namespace"] in namespaces


def test_the_dashboard_is_a_grafana_dashboard_with_a_prometheus_query_in_every_panel() -> None:
    assert isinstance(BOARD["schemaVersion"], int) and BOARD["schemaVersion"] >= 36
    assert BOARD["uid"] and BOARD["title"]
    ids = [p["id"] for p in panels()]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    variables = {v["name"]: v for v in BOARD["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    for panel in panels():
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"]), panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["targets"], panel["title"]
        for source in [panel["datasource"]] + [t["datasource"] for t in panel["targets"]]:
            assert source == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip() and target["refId"]
            used = set(re.findall(r"\$(\w+)", target["expr"])) - {"__rate_interval", "__interval", "__range"}
            assert used <= set(variables), f"{panel['title']}: unknown variables {used - set(variables)}"


def test_every_metric_the_dashboard_queries_is_exposed_by_prepbot() -> None:
    exposed = exposed_samples()
    queried = {name for expr in expressions() for name in metric_names(expr) if name.startswith("prepbot_")}
    assert queried, "the dashboard queries prepbot's metrics"
    assert queried <= set(exposed), f"not exposed by prepbot: {sorted(queried - set(exposed))}"


def test_every_metric_prepbot_exposes_is_on_the_dashboard() -> None:
    queried = {name for expr in expressions() for name in metric_names(expr)}
    found = exposed_families()
    assert {"prepbot_questions_posted", "prepbot_command_seconds", "prepbot_database_errors"} <= set(found)
    for family, samples in found.items():
        assert family.startswith("prepbot_"), "prepbot's registry holds only its own metrics"
        assert samples, f"{family} has no samples after counting one of each"
        assert set(samples) & queried, f"{family} is not on the dashboard"


def test_latencies_are_shown_as_quantiles_over_histogram_buckets() -> None:
    histograms = [name for name, samples in exposed_families().items() if f"{name}_bucket" in samples]
    assert set(histograms) == {"prepbot_command_seconds", "prepbot_scheduler_lag_seconds", "prepbot_judge_seconds"}
    for name in histograms:
        quantiles = [e for e in expressions() if "histogram_quantile" in e and f"{name}_bucket" in e]
        assert quantiles, f"{name} has no quantile panel"
        for expr in quantiles:
            assert re.search(r"\bby\s*\([^)]*\ble\b", expr), f"buckets are summed by le: {expr}"
            assert re.search(rf"rate\(\s*{name}_bucket", expr), f"over a rate of the buckets: {expr}"


def test_the_labels_the_dashboard_filters_and_groups_by_exist_on_its_metrics() -> None:
    exposed = exposed_samples()
    for expr in expressions():
        names = {n for n in metric_names(expr) if n.startswith("prepbot_")}
        available = set(TARGET_LABELS).union(*(exposed.get(n, set()) for n in names))
        for match in SELECTOR.finditer(re.sub(r"\[[^\]]*\]", "", expr)):
            if match.group(1) in names and match.group(2):
                filtered = set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", match.group(2)))
                assert filtered <= exposed[match.group(1)] | TARGET_LABELS, f"{expr}: {filtered}"
        for grouping in GROUPING.findall(expr):
            labels = {label.strip() for label in grouping.split(",") if label.strip()}
            assert labels <= available, f"{expr}: no such labels {labels - available}"


def test_the_processes_panel_counts_the_jobs_prometheus_scrapes() -> None:
    up = [e for e in expressions() if re.search(r"\bup\{", e)]
    assert up
    for expr in up:
        pattern = re.search(r'job=~"([^"]+)"', expr)
        assert pattern
        for job in PROMETHEUS_UNDER_COMPOSE["scrape_configs"] + PROMETHEUS_ON_KUBERNETES["scrape_configs"]:
            assert re.fullmatch(pattern.group(1), job["job_name"]), f"{job['job_name']} is not counted"
