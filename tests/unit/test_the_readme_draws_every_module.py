"""The README's Architecture tree names every module of the three rings, and nothing that is gone.

Read from the source and the README alone: every module under bot/, adapters/ and entrypoints/ is an entry of the
tree by its path (a package's __init__.py by its folder), every entry of the tree exists, and every public method
of PrepBot, the core's doors, is named in the section.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RINGS = ("bot", "adapters", "entrypoints")


def architecture() -> str:
    """The README's Architecture section, up to the next section."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Architecture\n")
    end = readme.find("\n## ", start + 1)
    return readme[start:end if end != -1 else len(readme)]


def tree_entries() -> list[str]:
    """The paths the tree names, folders ending in a slash. An entry's depth is its indent (two spaces a level);
    lines indented as far as the descriptions continue the entry above."""
    section = architecture()
    block = section[section.index("```text\n") + len("```text\n"):]
    lines = block[:block.index("```")].splitlines()
    first = re.match(r"\S+\s+", lines[0])
    assert first is not None, "the tree's first line names an entry and says what it is"
    column = first.end()
    entries: list[str] = []
    parents: list[str] = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        if not line.strip() or indent >= column:
            continue
        assert indent % 2 == 0 and indent // 2 <= len(parents), f"misindented tree line: {line!r}"
        name = line.split()[0]
        parents = parents[:indent // 2]
        entries.append("".join(parents) + name)
        if name.endswith("/"):
            parents.append(name)
    return entries


def modules() -> list[str]:
    """Every module of the three rings, as a path from the repository's root."""
    return sorted(path.relative_to(REPO).as_posix() for ring in RINGS for path in (REPO / ring).rglob("*.py")
                  if "__pycache__" not in path.parts)


def test_the_tree_names_every_module_of_the_three_rings() -> None:
    named = set(tree_entries())
    missing = [module for module in modules()
               if (module.removesuffix("__init__.py") if module.endswith("/__init__.py") else module) not in named]
    assert not missing, f"README.md's Architecture tree leaves out: {', '.join(missing)}"


def test_every_entry_of_the_tree_exists() -> None:
    gone = [entry for entry in tree_entries()
            if not ((REPO / entry).is_dir() if entry.endswith("/") else (REPO / entry).is_file())]
    assert not gone, f"README.md's Architecture tree names what is not there: {', '.join(gone)}"


def test_the_tree_names_each_module_once() -> None:
    entries = tree_entries()
    assert sorted(set(entries)) == sorted(entries), "an entry of the tree is named twice"


def test_every_door_of_the_core_is_named() -> None:
    app = ast.parse((REPO / "bot" / "app.py").read_text(encoding="utf-8"))
    [prepbot] = [node for node in app.body if isinstance(node, ast.ClassDef) and node.name == "PrepBot"]
    doors = [node.name for node in prepbot.body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_")]
    section = architecture()
    unnamed = [door for door in doors if f"`{door}`" not in section]
    assert doors and not unnamed, f"README.md's Architecture section does not name these doors: {', '.join(unnamed)}"
