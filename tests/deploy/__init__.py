"""Tests of the deployment kit in deploy/, and what they share.

The deployment kit in deploy/: what its tests share (paths, the Dockerfile read as the builder reads it, the
variables prepbot reads)."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import shlex
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from entrypoints.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
K8S = DEPLOY / "k8s"
PROMETHEUS_COMPOSE = DEPLOY / "prometheus" / "prometheus-compose.yml"
PROMETHEUS_KUBERNETES = DEPLOY / "prometheus" / "prometheus-kubernetes.yml"
SYSTEMD_UNIT = DEPLOY / "prepbot.service"
README = REPO / "README.md"
DASHBOARD = DEPLOY / "grafana" / "prepbot-dashboard.json"
OPERATOR_GUIDE = DEPLOY / "README.md"


# The Dockerfile ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY, ...
    arguments: str  # the rest of the instruction, continuation lines joined
    stage: int  # 0 for the first FROM's stage, 1 for the second, ...


@dataclass(frozen=True)
class Dockerfile:
    instructions: list[Instruction]

    @classmethod
    def read(cls, path: Path = DOCKERFILE) -> "Dockerfile":
        instructions: list[Instruction] = []
        stage = -1
        pending = ""
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not pending and (not line or line.startswith("#")):
                continue
            if pending and line.startswith("#"):
                continue  # comments inside a continued instruction are dropped by the builder too
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            full = (pending + line).strip()
            pending = ""
            if not full:
                continue
            keyword, _, arguments = full.partition(" ")
            keyword = keyword.upper()
            if keyword == "FROM":
                stage += 1
            instructions.append(Instruction(keyword, arguments.strip(), stage))
        assert not pending, "the Dockerfile ends inside a continued line"
        return cls(instructions)

    @property
    def final_stage(self) -> int:
        return max(i.stage for i in self.instructions)

    def of(self, keyword: str, stage: int | None = None) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword and (stage is None or i.stage == stage)]

    def last(self, keyword: str) -> Instruction:
        """The last instruction of this kind in the final stage (the one that counts for the image)."""
        found = self.of(keyword, self.final_stage)
        assert found, f"the final stage of the Dockerfile has no {keyword}"
        return found[-1]

    def build_args(self) -> dict[str, str]:
        """ARG defaults declared before the first FROM (the ones FROM lines may use)."""
        args: dict[str, str] = {}
        for instruction in self.of("ARG", -1):
            name, _, default = instruction.arguments.partition("=")
            args[name.strip()] = default.strip()
        return args

    def env(self) -> dict[str, str]:
        """The final stage's ENV, with $VAR and ${VAR} expanded the way the builder expands them."""
        env: dict[str, str] = {}
        for instruction in self.of("ENV", self.final_stage):
            words = shlex.split(instruction.arguments)
            if words and "=" not in words[0]:  # the legacy form: ENV NAME value with spaces
                env[words[0]] = expand(" ".join(words[1:]), env)
                continue
            before = dict(env)  # one ENV's pairs all see the variables as they were before it
            for word in words:
                name, _, value = word.partition("=")
                env[name] = expand(value, before)
        return env

    def entrypoint(self) -> list[str]:
        return exec_form(self.last("ENTRYPOINT").arguments) if self.of("ENTRYPOINT", self.final_stage) else []

    def cmd(self) -> list[str]:
        return exec_form(self.last("CMD").arguments) if self.of("CMD", self.final_stage) else []

    def command_for(self, entrypoint: list[str] | None = None, args: list[str] | None = None) -> list[str]:
        """What a container of this image runs, given an override of the entrypoint (Kubernetes `command`, compose
        `entrypoint`) and of the arguments (Kubernetes `args`, compose `command`). A new entrypoint drops CMD."""
        if entrypoint is not None:
            return [*entrypoint, *(args or [])]
        return [*self.entrypoint(), *(self.cmd() if args is None else args)]

    def healthcheck(self) -> tuple[dict[str, str], list[str]]:
        """The HEALTHCHECK's options (--interval=...) and its command."""
        match = re.fullmatch(r"((?:--[\w-]+=\S+\s+)*)CMD\s+(.+)", self.last("HEALTHCHECK").arguments, re.S)
        assert match, "the HEALTHCHECK has no CMD"
        options = dict(option[2:].split("=", 1) for option in match.group(1).split())
        return options, exec_form(match.group(2))

    def user(self) -> str:
        return self.last("USER").arguments.split(":")[0]

    def copies(self) -> list["Copy"]:
        """Every COPY or ADD, in order."""
        found = []
        for position, instruction in enumerate(self.instructions):
            if instruction.keyword not in {"COPY", "ADD"}:
                continue
            match = re.fullmatch(r"((?:--[\w-]+=\S+\s+)*)(.+)", instruction.arguments, re.S)
            assert match, instruction.arguments
            flags = dict(flag[2:].split("=", 1) for flag in match.group(1).split())
            rest = exec_form(match.group(2)) if match.group(2).startswith("[") else shlex.split(match.group(2))
            found.append(Copy(rest[:-1], rest[-1], flags, instruction.stage, position))
        return found

    def context_sources(self) -> list[str]:
        """What the image takes from the build context (not from another stage), without trailing slashes."""
        return [s.rstrip("/") for c in self.copies() if "from" not in c.flags for s in c.sources]


@dataclass(frozen=True)
class Copy:
    sources: list[str]
    destination: str
    flags: dict[str, str]  # --from=build, --chown=...
    stage: int
    position: int  # its index among the Dockerfile's instructions


def exec_form(arguments: str) -> list[str]:
    """An instruction's command: a JSON array stays as it is, anything else runs under /bin/sh -c."""
    if arguments.lstrip().startswith("["):
        value = json.loads(arguments)
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), arguments
        return value
    return ["/bin/sh", "-c", arguments]


def expand(value: str, env: Mapping[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m.group(1) or m.group(2), ""), value)


# The variables prepbot reads -----------------------------------------------------------------------------------------


class _RecordingEnviron(dict[str, str]):
    """An empty environment that remembers every name it was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)


@functools.cache
def variables_prepbot_reads() -> frozenset[str]:
    """Every environment variable entrypoints.settings.load_settings looks at (PREPBOT_*, and the SLACK_* and
    DISCORD_* aliases), found by handing it an environment that records what it is asked for."""
    environ = _RecordingEnviron()
    with tempfile.TemporaryDirectory() as empty, contextlib.chdir(empty):  # no ./prepbot.toml gets in the way
        load_settings(environ)
    return frozenset(environ.asked)


# YAML ----------------------------------------------------------------------------------------------------------------


def yaml_documents(path: Path) -> Iterator[dict[str, Any]]:
    for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if document is not None:
            assert isinstance(document, dict), f"{path.name}: a document that is not a mapping"
            yield document


def yaml_file(path: Path) -> dict[str, Any]:
    documents = list(yaml_documents(path))
    assert len(documents) == 1, f"{path.name}: expected one YAML document, found {len(documents)}"
    return documents[0]
