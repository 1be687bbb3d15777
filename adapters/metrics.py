"""The core's counts in Prometheus format, in a registry of this process's own (no global registry)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class PrometheusMetrics:
    """Metrics for `/metrics`: questions, answers, reveals, command latency, scheduler lag, errors, the AI judge."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._questions = Counter("prepbot_questions_posted", "Questions posted", ["platform", "kind"],
                                  registry=self.registry)
        self._answers = Counter("prepbot_answers_accepted", "Answers stored and acknowledged",
                                ["platform", "on_time"], registry=self.registry)
        self._reveals = Counter("prepbot_reveals_posted", "Reveals posted", ["platform"], registry=self.registry)
        self._commands = Histogram("prepbot_command_seconds", "Time to run a /prep command", ["platform"],
                                   buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
                                   registry=self.registry)
        self._lag = Histogram("prepbot_scheduler_lag_seconds", "How late due work ran", ["kind"],
                              buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600), registry=self.registry)
        self._database_errors = Counter("prepbot_database_errors", "Units of work that failed",
                                        registry=self.registry)
        self._platform_errors = Counter("prepbot_platform_errors", "Platform API calls that failed",
                                        ["platform", "method"], registry=self.registry)
        self._judge_seconds = Histogram("prepbot_judge_seconds", "Time for the AI judge's endpoint to answer a request",
                                        buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60), registry=self.registry)
        self._judge_failures = Counter("prepbot_judge_failures", "AI judge requests that failed", ["reason"],
                                       registry=self.registry)
        self._platform_ready = Gauge("prepbot_platform_ready", "1 while the platform answers its auth check and is "
                                     "connected, 0 while it is down", ["platform"], registry=self.registry)
        self._rate_limited = Counter("prepbot_platform_rate_limited", "Platform API calls answered 429",
                                     ["platform", "method"], registry=self.registry)

    def question_posted(self, platform: str, kind: str) -> None:
        self._questions.labels(platform, kind).inc()

    def answer_accepted(self, platform: str, on_time: bool) -> None:
        self._answers.labels(platform, "true" if on_time else "false").inc()

    def reveal_posted(self, platform: str) -> None:
        self._reveals.labels(platform).inc()

    def command_ran(self, platform: str, seconds: float) -> None:
        self._commands.labels(platform).observe(seconds)

    def due_work_ran(self, kind: str, lateness_seconds: float) -> None:
        self._lag.labels(kind).observe(max(lateness_seconds, 0.0))

    def database_error(self) -> None:
        self._database_errors.inc()

    def platform_error(self, platform: str, method: str, rate_limited: bool) -> None:
        (self._rate_limited if rate_limited else self._platform_errors).labels(platform, method).inc()

    def judge_called(self, seconds: float) -> None:
        self._judge_seconds.observe(max(seconds, 0.0))

    def judge_failed(self, reason: str) -> None:
        self._judge_failures.labels(reason).inc()

    def platform_ready(self, platform: str, ready: bool) -> None:
        self._platform_ready.labels(platform).set(1 if ready else 0)

    def exposition(self) -> bytes:
        """Everything counted, in Prometheus' text format."""
        return generate_latest(self.registry)
