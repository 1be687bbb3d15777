"""The rings, read from the source.

No module of the core (bot/) imports an adapter, the outer ring, a platform's SDK, the HTTP client, Pillow or the
OpenAI client, and no adapter imports the outer ring (entrypoints/). Every import counts, wherever it is written: at
the top, inside a function, or only for the type checker."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUTSIDE_THE_CORE = ("adapters", "entrypoints", "slack_sdk", "slack_bolt", "discord", "aiohttp", "PIL", "openai")
OUTSIDE_THE_ADAPTERS = ("entrypoints",)


def imported_names(source: str) -> Iterator[tuple[int, str]]:
    """Each module `source` imports, with its line: `a.b` for `import a.b` and for `from a.b import c`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            yield node.lineno, node.module


def forbidden_imports(package: str, forbidden: tuple[str, ...]) -> list[str]:
    """`path:line imports name` for every import in the modules under `package` of a module in `forbidden` (or in
    a package of theirs)."""
    found = []
    for path in sorted((REPO / package).rglob("*.py")):
        for line, name in imported_names(path.read_text(encoding="utf-8")):
            if name.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(REPO)}:{line} imports {name}")
    return found


def test_no_module_of_the_core_imports_an_adapter_the_outer_ring_or_platform_code() -> None:
    assert forbidden_imports("bot", OUTSIDE_THE_CORE) == []


def test_no_adapter_imports_the_outer_ring() -> None:
    assert forbidden_imports("adapters", OUTSIDE_THE_ADAPTERS) == []


def test_every_way_of_writing_an_import_is_seen() -> None:
    source = (
        "import discord\n"
        "import PIL.Image as image\n"
        "from slack_sdk.errors import SlackApiError\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from adapters.chart import CardImage\n"
        "def later():\n"
        "    from entrypoints import cli\n"
        "from . import sibling\n"
    )
    names = [name for _, name in imported_names(source)]
    assert names == ["discord", "PIL.Image", "slack_sdk.errors", "typing", "adapters.chart", "entrypoints"]


def test_the_check_reads_the_whole_core_and_every_adapter() -> None:
    core = {path.relative_to(REPO).as_posix() for path in (REPO / "bot").rglob("*.py")}
    adapters = {path.relative_to(REPO).as_posix() for path in (REPO / "adapters").rglob("*.py")}
    assert {"bot/bootstrap.py", "bot/services/boards.py", "bot/services/due.py", "bot/store/engine.py"} <= core
    assert {"adapters/chart.py", "adapters/slack/app.py", "adapters/discord/connect.py"} <= adapters
