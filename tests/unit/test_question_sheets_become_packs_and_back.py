"""Question sheets: a CSV or Markdown sheet becomes a YAML pack the bot loads, and a pack becomes a sheet again.

The commands run in-process (`entrypoints.cli.main`), as an operator would type them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from bot.domain.questions import KeyPoint, Level
from bot.questions import load_pack
from entrypoints.cli import main
from questions import SHIPPED_PACKS

SHIPPED = SHIPPED_PACKS / "ai-model-serving.yaml"


@pytest.fixture(autouse=True)
def plain_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No configuration file or PREPBOT_* variable of the machine running the tests."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PREPBOT_CONFIG", "")
    monkeypatch.delenv("PREPBOT_QUESTIONS_DIR", raising=False)


def prepbot(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["csv", "md"])
def test_the_shipped_pack_goes_to_a_sheet_and_comes_back_equal(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    sheet = tmp_path / f"ai-model-serving.{fmt}"
    pack = tmp_path / "out" / "ai-model-serving.yaml"

    assert prepbot(capsys, "questions", "export-sheet", str(SHIPPED), "--format", fmt, "--output", str(sheet))[0] == 0
    code, out, err = prepbot(capsys, "questions", "import", str(sheet), "--output", str(pack))

    assert (code, out) == (0, "")
    assert err == f"prepbot: wrote 50 questions (pack ai-model-serving) to {pack}\n"
    assert load_pack(pack) == load_pack(SHIPPED)
    assert prepbot(capsys, "questions", "validate", str(pack))[0] == 0


def test_a_markdown_sheet_keeps_the_packs_title_and_a_csv_sheet_takes_it_as_an_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("md", "csv"):
        prepbot(capsys, "questions", "export-sheet", str(SHIPPED), "--output", str(tmp_path / f"serving.{fmt}"))
    prepbot(capsys, "questions", "import", str(tmp_path / "serving.md"), "--pack", "ai-model-serving",
            "--output", str(tmp_path / "from-md.yaml"))
    prepbot(capsys, "questions", "import", str(tmp_path / "serving.csv"), "--pack", "ai-model-serving",
            "--title", "AI model serving engineer", "--output", str(tmp_path / "from-csv.yaml"))

    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    for made in ("from-md.yaml", "from-csv.yaml"):
        assert yaml.safe_load((tmp_path / made).read_text(encoding="utf-8")) == shipped


def test_an_exported_csv_sheet_has_one_row_per_question_with_key_points_and_terms(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = prepbot(capsys, "questions", "export-sheet", str(SHIPPED), "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 50
    assert list(rows[0]) == ["id", "level", "question", "hint", "model_answer", "key_points", "why"]
    first = load_pack(SHIPPED)[0]
    assert rows[0]["id"] == first.id and rows[0]["level"] == first.level.value
    assert rows[0]["model_answer"] == first.model_answer and first.model_answer
    assert rows[0]["why"].split("; ")[0] == first.key_points[0].why
    assert rows[0]["key_points"].split("; ")[0] == f"{first.key_points[0].point}: {'|'.join(first.key_points[0].terms)}"


def test_a_csv_sheet_written_by_hand_becomes_a_pack_with_generated_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "Team Questions.csv"
    sheet.write_text(
        "Question,Level,Hint,Key points\n"
        "How do you roll back a bad model?,,Mention versions and traffic.,"
        "Keeps versions: version|registry; Shifts traffic back: traffic|route; Watches errors: error rate\n"
        "How do you roll back a bad model?,advanced,Now at scale.,\"Many replicas: replica\nFast: minutes\nSafe: canary\"\n"
        "What does a 12:30 deadline mean for p99?,Scenario-based,Think in budgets.,"
        "Budget at 12\\:30: 12\\:30|budget; Splits it A|B: a\\|b|split; Alerts: pager\n",
        encoding="utf-8",
    )

    code, out, err = prepbot(capsys, "questions", "import", str(sheet), "--level", "beginner")

    assert (code, err) == (0, "")
    pack = tmp_path / "pack.yaml"
    pack.write_text(out, encoding="utf-8")
    questions = load_pack(pack)
    assert [q.id for q in questions] == [
        "how-do-you-roll-back-a-bad-model", "how-do-you-roll-back-a-bad-model-2",
        "what-does-a-12-30-deadline-mean-for-p99",
    ]
    assert [q.level for q in questions] == [Level.BEGINNER, Level.ADVANCED, Level.SCENARIO]
    assert {q.pack for q in questions} == {"team-questions"}
    assert questions[0].key_points == (
        KeyPoint("Keeps versions", ("version", "registry")), KeyPoint("Shifts traffic back", ("traffic", "route")),
        KeyPoint("Watches errors", ("error rate",)))
    assert questions[1].key_points == (KeyPoint("Many replicas", ("replica",)), KeyPoint("Fast", ("minutes",)),
                                       KeyPoint("Safe", ("canary",)))
    assert questions[2].key_points == (
        KeyPoint("Budget at 12:30", ("12:30", "budget")), KeyPoint("Splits it A|B", ("a|b", "split")),
        KeyPoint("Alerts", ("pager",)))


def test_a_markdown_sheet_reads_levels_questions_hints_and_key_points(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "team.md"
    sheet.write_text(
        "# Platform team\n\nSome words about this sheet, before the first level.\n\n"
        "## Beginner\n\n"
        "### Why pin dependency versions?\n\n"
        "Hint: Builds must be repeatable.\nThe same lock file gives the same image.\n\n"
        "- Repeatable builds: repeatab | reproduc\n"
        "* Fewer surprises in production: surpris | breakage\n"
        "- Same image everywhere: lock file\n\n"
        "## AI workflow and tools\n\n"
        "### Which tools do you use to track experiments?\n"
        "Name one, and say why.\n\n"
        "id: tools-01\n\n"
        "Hint:\nCover tracking, comparison and sharing.\n\n"
        "- Tracks runs: mlflow | weights and biases | track\n"
        "- Compares runs: compar\n"
        "- Shares results: shar | report\n",
        encoding="utf-8",
    )
    pack = tmp_path / "team.yaml"

    assert prepbot(capsys, "questions", "import", str(sheet), "--output", str(pack))[0] == 0

    first, second = load_pack(pack)
    assert yaml.safe_load(pack.read_text(encoding="utf-8"))["title"] == "Platform team"
    assert (first.id, first.level, first.question) == (
        "why-pin-dependency-versions", Level.BEGINNER, "Why pin dependency versions?")
    assert first.hint == "Builds must be repeatable.\nThe same lock file gives the same image."
    assert first.key_points == (
        KeyPoint("Repeatable builds", ("repeatab", "reproduc")),
        KeyPoint("Fewer surprises in production", ("surpris", "breakage")),
        KeyPoint("Same image everywhere", ("lock file",)),
    )
    assert (second.id, second.level) == ("tools-01", Level.WORKFLOW)
    assert second.question == "Which tools do you use to track experiments?\nName one, and say why."
    assert second.hint == "Cover tracking, comparison and sharing."
    assert second.key_points == (KeyPoint("Tracks runs", ("mlflow", "weights and biases", "track")),
                                 KeyPoint("Compares runs", ("compar",)), KeyPoint("Shares results", ("shar", "report")))


def test_a_markdown_sheet_carries_a_model_answer_and_a_why_under_each_key_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "team.md"
    sheet.write_text(
        "## Beginner\n\n"
        "### Why pin dependency versions?\n\n"
        "Hint: Builds must be repeatable.\n\n"
        "Model answer: Pinning every version makes the build repeatable:\nthe same lock file gives the same image.\n\n"
        "- Repeatable builds: repeatable build | reproducible\n"
        "  Why: a rebuild months later must give the image you tested.\n"
        "- Fewer surprises in production: surprise | breakage\n"
        "- Same image everywhere: lock file\n"
        "  why: staging and production then run the same bytes.\n",
        encoding="utf-8",
    )
    pack = tmp_path / "team.yaml"

    assert prepbot(capsys, "questions", "import", str(sheet), "--output", str(pack))[0] == 0

    (question,) = load_pack(pack)
    assert question.model_answer == ("Pinning every version makes the build repeatable: "
                                     "the same lock file gives the same image.")
    assert [k.why for k in question.key_points] == [
        "a rebuild months later must give the image you tested.", "",
        "staging and production then run the same bytes.",
    ]


def test_a_csv_sheet_gives_each_key_point_its_why_in_order_and_refuses_more_whys_than_points(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "level,question,hint,model_answer,key_points,why\n"
        'beginner,Why pin versions?,Builds must be repeatable.,"Pin them, so builds repeat.",'
        '"Repeatable builds: reproducible; Fewer surprises: breakage; Same image: lock file",'
        '"a rebuild must match; ; same bytes everywhere"\n',
        encoding="utf-8",
    )
    assert prepbot(capsys, "questions", "import", str(good), "--output", str(tmp_path / "good.yaml"))[0] == 0
    (question,) = load_pack(tmp_path / "good.yaml")
    assert question.model_answer == "Pin them, so builds repeat."
    assert [k.why for k in question.key_points] == ["a rebuild must match", "", "same bytes everywhere"]

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "level,question,hint,key_points,why\n"
        'beginner,Why pin versions?,Builds must be repeatable.,"A: reproducible; B: breakage; C: lock file",'
        '"one; two; three; four"\n',
        encoding="utf-8",
    )
    code, _, err = prepbot(capsys, "questions", "import", str(bad), "--output", str(tmp_path / "bad.yaml"))
    assert code == 1 and "bad.csv: row 2: why: has 4 lines for 3 key points" in err
    assert not (tmp_path / "bad.yaml").exists()
