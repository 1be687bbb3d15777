"""deploy/Dockerfile and .dockerignore: how the image is built, what it holds and how it starts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from bot.config import Settings
from tests.deploy import REPO, Dockerfile, expand

IMAGE = Dockerfile.read()


def dockerignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as (excludes, pattern) pairs: paths from the context root, `*` within one folder, `**` across
    folders, `!` to take an exclusion back; the last pattern that matches decides."""
    patterns = []
    for raw in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        excludes = not line.startswith("!")
        line = os.path.normpath(line.lstrip("!").strip().strip("/"))
        regex, i = "", 0
        while i < len(line):
            if line.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif line.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif line[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif line[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(line[i]), i + 1
        patterns.append((excludes, re.compile(regex)))
    return patterns


def left_out_of_the_build_context(relative: str) -> bool:
    """Whether the builder leaves this path (or a folder above it) out of the context."""
    parts = relative.strip("/").split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for excludes, pattern in dockerignore_patterns():
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            excluded = excludes
    return excluded


def test_the_image_is_built_in_stages_on_a_slim_python_3_11_base() -> None:
    froms = IMAGE.of("FROM")
    assert len(froms) >= 2, "a build stage and a runtime stage"
    for instruction in froms:
        base = expand(instruction.arguments.split()[0], IMAGE.build_args())
        assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", base), base
    final = IMAGE.final_stage
    assert any("from" in c.flags for c in IMAGE.copies() if c.stage == final), (
        "the runtime stage takes the install from a build stage"
    )
    assert not any("pip install" in i.arguments for i in IMAGE.of("RUN", IMAGE.final_stage)), (
        "nothing is installed in the runtime stage; it copies what the build stage installed"
    )


def test_the_image_runs_as_a_non_root_user_and_checks_its_health_on_the_configured_port() -> None:
    user = IMAGE.user()
    assert user.isdigit() and int(user) != 0, f"USER {user}: numeric, so Kubernetes can verify it is not root"
    options, command = IMAGE.healthcheck()
    assert command[0] == "python", "the slim base has no curl: the check uses Python's urllib"
    script = " ".join(command)
    assert "urllib" in script and "/healthz" in script and "PREPBOT_HTTP_PORT" in script
    assert not re.search(r"\b(curl|wget)\b", script)
    assert {"interval", "timeout", "retries"} <= set(options)
    port = IMAGE.env()["PREPBOT_HTTP_PORT"]
    assert port == str(Settings().http_port) == "3000"
    assert port in IMAGE.last("EXPOSE").arguments.split()


def test_dependencies_are_installed_with_the_pinned_constraints_and_the_postgres_extra() -> None:
    installs = [i for i in IMAGE.of("RUN") if "pip install" in i.arguments]
    assert len(installs) == 1, "one pip install of prepbot with its dependencies"
    words = installs[0].arguments.replace("'", " ").replace('"', " ").split()
    assert "-c" in words and words[words.index("-c") + 1] == "constraints.txt"
    assert ".[postgres]" in words
    position = IMAGE.instructions.index(installs[0])
    copied_before = [s for c in IMAGE.copies() if c.position < position and "from" not in c.flags for s in c.sources]
    assert "constraints.txt" in copied_before and "pyproject.toml" in copied_before
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.startswith("asyncpg") for d in project["project"]["optional-dependencies"]["postgres"])
    pins = (REPO / "constraints.txt").read_text(encoding="utf-8").lower().splitlines()
    assert any(pin.startswith("asyncpg==") for pin in pins), "asyncpg is pinned like everything else"


def test_the_question_bank_is_inside_the_image_and_the_database_is_not() -> None:
    copied = IMAGE.context_sources()
    assert "questions" in copied
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.yaml" in project["tool"]["setuptools"]["package-data"]["questions"], (
        "the packs are installed with the package, so the installed prepbot finds them"
    )
    assert "PREPBOT_DATABASE_URL" not in IMAGE.env()
    assert not any(re.search(r"\.db\b|sqlite", source) for source in copied)
    assert not any("sqlite" in value for value in IMAGE.env().values())
    for secret_or_data in (".env", "deploy/.env", "prepbot.db", "data/prepbot.db", "prepbot.db-wal"):
        assert left_out_of_the_build_context(secret_or_data), f"{secret_or_data} would be sent to the builder"


def test_everything_the_image_copies_is_in_the_build_context() -> None:
    for source in IMAGE.context_sources():
        path = REPO / source
        assert path.exists(), f"COPY {source}: not in the repository"
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            relative = file.relative_to(REPO).as_posix()
            if "__pycache__" in relative:
                continue
            assert not left_out_of_the_build_context(relative), f"{relative} is copied but .dockerignore drops it"
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    readme = project["project"]["readme"]
    assert readme in IMAGE.context_sources(), f"the package build reads {readme}"


def test_the_image_starts_prepbot_run_in_exec_form_so_sigterm_reaches_prepbot() -> None:
    assert IMAGE.last("ENTRYPOINT").arguments.startswith("["), "exec form: prepbot is PID 1 and gets SIGTERM"
    assert IMAGE.command_for() == ["prepbot", "run"]
    assert IMAGE.env()["PATH"].startswith("/opt/prepbot/bin"), "prepbot is found on the image's PATH"
    assert any(c.destination.rstrip("/") == "/opt/prepbot" for c in IMAGE.copies() if "from" in c.flags)


def test_tests_and_caches_stay_out_of_the_build_context_while_sources_go_in() -> None:
    assert left_out_of_the_build_context("tests/deploy/test_the_image.py")
    assert left_out_of_the_build_context("bot/__pycache__/cli.cpython-311.pyc")
    assert not left_out_of_the_build_context("entrypoints/cli.py")
    assert not left_out_of_the_build_context("questions/ai-model-serving.yaml")
    assert not left_out_of_the_build_context("README.md")


def test_the_built_package_carries_the_fonts_the_question_packs_and_the_migrations(tmp_path: Path) -> None:
    """What the image installs is the built package: names in any script are drawn only if its fonts are inside."""
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "build", "*.egg-info", ".mypy_cache", ".pytest_cache", "*.db*"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"),
                            str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("prepbot-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    wanted = {f"adapters/fonts/{f.name}" for f in (REPO / "adapters" / "fonts").iterdir() if f.is_file()}
    wanted |= {f"questions/{f.name}" for f in (REPO / "questions").glob("*.yaml")}
    wanted |= {f"migrations/versions/{f.name}" for f in (REPO / "migrations" / "versions").glob("*.py")}
    assert any(name.endswith(".ttf") for name in wanted) and wanted <= inside, sorted(wanted - inside)
