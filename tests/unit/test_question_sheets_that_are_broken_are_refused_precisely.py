"""Broken question sheets are refused precisely.

A broken question sheet is refused with one line naming the file, the row or line, and the field; nothing is
written, and a pack already at the output path is left as it was."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from entrypoints.cli import main

HEADER = "id,level,question,hint,key_points\n"
GOOD_ROW = "q-1,beginner,Why version models?,Rollback and A/B tests.,Rollback: rollback|revert\n"
LEVELS = "beginner, intermediate, advanced, scenario, workflow, behavioral"
OLD_PACK = "# the pack that was here before\n"


@pytest.fixture(autouse=True)
def plain_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PREPBOT_CONFIG", "")
    monkeypatch.delenv("PREPBOT_QUESTIONS_DIR", raising=False)


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, *options: str) -> str:
    """Imports the sheet `text` over an existing pack; asserts it was refused and changed nothing; returns the
    message without the file name."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    sheet = folder / name
    sheet.write_text(text, encoding="utf-8")
    existing = folder / "existing.yaml"
    existing.write_text(OLD_PACK, encoding="utf-8")
    fresh = folder / "fresh" / "pack.yaml"

    first = main(["questions", "import", str(sheet), "--output", str(existing), *options])
    first_out, first_err = capsys.readouterr()
    second = main(["questions", "import", str(sheet), "--output", str(fresh), *options])
    capsys.readouterr()

    assert (first, second, first_out) == (1, 1, "")
    assert existing.read_text(encoding="utf-8") == OLD_PACK
    assert not fresh.exists() and not fresh.parent.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(["existing.yaml", name])
    lines = first_err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"prepbot: {sheet}: ")
    return lines[0].removeprefix(f"prepbot: {sheet}: ")


def test_a_csv_row_without_a_hint_is_refused_naming_its_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = HEADER + GOOD_ROW + "q-2,advanced,How do you shard?,,Shards: shard\n"
    assert refused(tmp_path, capsys, "team.csv", text) == "row 3: hint: is missing"


def test_a_markdown_question_without_a_hint_is_refused_naming_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "## Beginner\n\n### Why version models?\n\n- Rollback: rollback\n"
    assert refused(tmp_path, capsys, "team.md", text) == \
        "line 3: hint: is missing (add a 'Hint:' paragraph to this question)"


def test_an_unknown_level_is_refused_with_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_text = HEADER + GOOD_ROW + "q-2,expert,How do you shard?,Think.,Shards: shard\n"
    md_text = "## Beginner\n\n### Q?\nHint: h\n- P: t\n\n## Expert\n\n### R?\nHint: h\n- P: t\n"

    assert refused(tmp_path, capsys, "team.csv", csv_text) == \
        f"row 3: level: 'expert' is not a known level ({LEVELS})"
    assert refused(tmp_path, capsys, "team.md", md_text) == f"line 7: level: 'Expert' is not a known level ({LEVELS})"


def test_a_question_without_a_level_needs_one_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = HEADER + ",,How do you shard?,Think.,Shards: shard\n"
    assert refused(tmp_path, capsys, "team.csv", text) == f"row 2: level: is missing (name one of {LEVELS}, or " \
                                                          "pass --level)"


def test_an_id_used_twice_is_refused_naming_both_places(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_text = HEADER + GOOD_ROW + GOOD_ROW.replace("Why", "How")
    md_text = "## Beginner\n\n### Q?\nid: same\nHint: h\n- P: t\n\n### R?\nid: same\nHint: h\n- P: t\n"

    assert refused(tmp_path, capsys, "team.csv", csv_text) == "row 3: id: 'q-1' is already used by the question at row 2"
    assert refused(tmp_path, capsys, "team.md", md_text) == \
        "line 8: id: 'same' is already used by the question at line 3"


def test_an_id_the_loader_rejects_is_reported_at_its_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = HEADER + GOOD_ROW.replace("q-1", "Q 1")
    assert refused(tmp_path, capsys, "team.csv", text) == \
        "row 2: id: must be lower-case letters, digits, '.', '_' or '-'"


@pytest.mark.parametrize("name, text, message", [
    ("team.csv", "", "questions: none found: the sheet is empty (it needs a header row and a row per question)"),
    ("team.csv", HEADER, "questions: none found: the sheet is empty (it needs a header row and a row per question)"),
    ("team.md", "# Title only\n", "questions: none found: the sheet is empty (it needs a '### question' block per "
                                  "question)"),
])
def test_an_empty_sheet_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str) -> None:
    assert refused(tmp_path, capsys, name, text) == message


@pytest.mark.parametrize("cell, message", [
    ("Rollback rollback", "row 2: key_points[1]: 'Rollback rollback' needs a ':' between the point and its terms "
                          "(e.g. 'Rolls back fast: rollback | revert')"),
    ("Rollback: rollback; : revert", "row 2: key_points[2].point: is empty (write the point before the ':')"),
    ("Rollback: rollback||revert", "row 2: key_points[1].terms: an empty term in 'Rollback: rollback||revert' "
                                   "(two '|' in a row?)"),
    ("Rollback:", "row 2: key_points[1].terms: none given for 'Rollback' (write them after the ':', separated by "
                  "'|')"),
])
def test_a_malformed_key_point_is_refused_naming_which_one(tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str, message: str) -> None:
    text = HEADER + f"q-1,beginner,Why?,Because.,{cell}\n"
    assert refused(tmp_path, capsys, "team.csv", text) == message


def test_a_misspelt_column_is_refused_with_the_expected_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "id,level,question,hnit,key_points\n" + GOOD_ROW
    assert refused(tmp_path, capsys, "team.csv", text) == \
        "row 1: header: unknown column 'hnit' (the columns are id, level, question, hint, model_answer, key_points, " \
        "why)"


def test_markdown_text_that_belongs_to_no_question_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "## Beginner\n\nWhat is a model server?\nHint: h\n"
    assert refused(tmp_path, capsys, "team.md", text) == \
        "line 3: question: text outside a question: start each question with '### '"


def test_an_unknown_sheet_format_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    message = refused(tmp_path, capsys, "team.txt", HEADER + GOOD_ROW)
    assert message == "format: 'txt' is not a sheet format: use a .csv or .md file, or --format csv|md"
