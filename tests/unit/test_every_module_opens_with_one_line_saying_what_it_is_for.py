"""Every module opens with one line saying what it is for.

Read from the source: each module of the code, the tests, the benchmarks and the migrations (an empty package's
__init__.py too) starts with a docstring whose first line stands alone, followed by nothing or by a blank line and
the rest.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("bot", "adapters", "entrypoints", "tests", "bench", "migrations")

# Their one-line summaries come with the change that is rewriting these modules.
NOT_YET: set[str] = set()


def modules() -> list[Path]:
    return sorted(path for folder in FOLDERS for path in (REPO / folder).rglob("*.py")
                  if "__pycache__" not in path.parts)


def problem(path: Path) -> str | None:
    """What is wrong with the module's opening, or None when it opens with one line saying what it is for."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree, clean=False)
    if docstring is None:
        return "no docstring"
    first, _, rest = docstring.partition("\n")
    if not first.strip():
        return "the docstring's first line is empty"
    if rest and not rest.startswith("\n"):
        return "the first line runs on: it needs a blank line after it"
    return None


def test_every_module_opens_with_one_line_saying_what_it_is_for() -> None:
    found = modules()
    problems = [f"{path.relative_to(REPO).as_posix()}: {why}" for path in found
                if path.relative_to(REPO).as_posix() not in NOT_YET and (why := problem(path)) is not None]
    assert len(found) > 100 and not problems, "\n".join(problems)
