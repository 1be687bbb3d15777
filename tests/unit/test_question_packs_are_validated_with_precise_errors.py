"""Loading YAML question packs: a broken pack is refused with the file, the question id and the field."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.questions import KeyPoint, Level
from bot.questions import PackError, grading_problems, load_bank, load_pack


def entry(qid: str = "serving-01", **changes: Any) -> dict[str, Any]:
    question: dict[str, Any] = {
        "id": qid,
        "level": "beginner",
        "question": "Why version models?",
        "hint": "Discuss rollback and A/B testing.",
        "key_points": [
            {"point": "Enables rollback", "terms": ["rollback", "Roll Back"]},
            {"point": "Supports A/B testing", "terms": ["a b", "split test"]},
            {"point": "Keeps an audit trail", "terms": ["audit trail", "lineage"]},
        ],
    }
    question.update(changes)
    return question


def write_pack(folder: Path, name: str, entries: list[dict[str, Any]], pack: str = "team-pack") -> Path:
    file = folder / name
    file.write_text(yaml.safe_dump({"pack": pack, "title": "Team pack", "questions": entries}), encoding="utf-8")
    return file


def pack_error(file: Path) -> PackError:
    with pytest.raises(PackError) as caught:
        load_pack(file)
    return caught.value


def test_a_valid_pack_loads_its_questions_in_order(tmp_path: Path) -> None:
    file = write_pack(tmp_path, "team.yaml", [entry("serving-01"), entry("serving-02", level="Scenario-Based")])
    questions = load_pack(file)
    assert [q.id for q in questions] == ["serving-01", "serving-02"]
    first = questions[0]
    assert first.level is Level.BEGINNER
    assert questions[1].level is Level.SCENARIO
    assert first.question == "Why version models?"
    assert first.hint == "Discuss rollback and A/B testing."
    assert first.pack == "team-pack"
    assert first.key_points == (
        KeyPoint("Enables rollback", ("rollback", "roll back")),
        KeyPoint("Supports A/B testing", ("a b", "split test")),
        KeyPoint("Keeps an audit trail", ("audit trail", "lineage")),
    )


def test_a_bank_gathers_every_pack_of_a_folder(tmp_path: Path) -> None:
    write_pack(tmp_path, "b.yaml", [entry("b-01", level="advanced")])
    write_pack(tmp_path, "a.yml", [entry("a-01"), entry("a-02", level="advanced")])
    bank = load_bank([tmp_path])
    assert len(bank) == 3
    assert [q.id for q in bank.all()] == ["a-01", "a-02", "b-01"]
    assert [q.id for q in bank.at_levels([Level.ADVANCED])] == ["a-02", "b-01"]
    assert bank.levels() == [Level.BEGINNER, Level.ADVANCED]
    b01 = bank.get("b-01")
    assert b01 is not None and b01.level is Level.ADVANCED
    assert bank.get("missing") is None


def assert_names(error: PackError, file: Path, question_id: str | None, field: str) -> None:
    message = str(error)
    assert str(file) in message
    if question_id is None:
        assert "question '" not in message
    else:
        assert f"question '{question_id}'" in message
    assert f": {field}:" in message
    assert (error.file, error.question_id, error.field) == (str(file), question_id, field)


def test_an_id_used_twice_in_a_pack_is_refused(tmp_path: Path) -> None:
    file = write_pack(tmp_path, "team.yaml", [entry("dup-01"), entry("other-01"), entry("dup-01")])
    error = pack_error(file)
    assert_names(error, file, "dup-01", "id")
    assert "twice" in str(error)


def test_a_question_without_a_hint_is_refused(tmp_path: Path) -> None:
    broken = entry("no-hint-01")
    del broken["hint"]
    file = write_pack(tmp_path, "team.yaml", [entry("fine-01"), broken])
    error = pack_error(file)
    assert_names(error, file, "no-hint-01", "hint")
    assert "missing" in str(error)


def test_a_blank_hint_is_refused(tmp_path: Path) -> None:
    file = write_pack(tmp_path, "team.yaml", [entry("blank-01", hint="   ")])
    assert_names(pack_error(file), file, "blank-01", "hint")


def test_an_unknown_level_is_refused_naming_the_level(tmp_path: Path) -> None:
    file = write_pack(tmp_path, "team.yaml", [entry("lvl-01", level="expert")])
    error = pack_error(file)
    assert_names(error, file, "lvl-01", "level")
    assert "'expert'" in str(error)


def test_an_empty_key_points_list_is_refused(tmp_path: Path) -> None:
    file = write_pack(tmp_path, "team.yaml", [entry("kp-01", key_points=[])])
    assert_names(pack_error(file), file, "kp-01", "key_points")


def test_a_key_point_without_terms_is_refused_naming_which_key_point(tmp_path: Path) -> None:
    points = [{"point": "Fine", "terms": ["fine"]}, {"point": "No terms"}]
    file = write_pack(tmp_path, "team.yaml", [entry("terms-01", key_points=points)])
    assert_names(pack_error(file), file, "terms-01", "key_points[2].terms")


def test_a_key_point_with_an_empty_terms_list_is_refused(tmp_path: Path) -> None:
    file = write_pack(tmp_path, "team.yaml", [entry("terms-02", key_points=[{"point": "Empty", "terms": []}])])
    assert_names(pack_error(file), file, "terms-02", "key_points[1].terms")


def test_a_key_point_without_its_text_is_refused(tmp_path: Path) -> None:
    file = write_pack(tmp_path, "team.yaml", [entry("point-01", key_points=[{"terms": ["x"]}])])
    assert_names(pack_error(file), file, "point-01", "key_points[1].point")


def test_an_id_with_capitals_or_spaces_is_refused(tmp_path: Path) -> None:
    file = write_pack(tmp_path, "team.yaml", [entry("Bad Id")])
    assert_names(pack_error(file), file, "Bad Id", "id")


def test_a_question_without_an_id_is_named_by_its_position(tmp_path: Path) -> None:
    anonymous = entry()
    del anonymous["id"]
    file = write_pack(tmp_path, "team.yaml", [entry("first-01"), anonymous])
    assert_names(pack_error(file), file, "#2", "id")


def test_a_file_that_is_not_yaml_is_refused_naming_the_file(tmp_path: Path) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text("pack: broken\nquestions: [\n  - id: x\n    level: beginner\n", encoding="utf-8")
    error = pack_error(file)
    assert_names(error, file, None, "file")
    assert "not valid YAML" in str(error)


def test_a_pack_with_no_questions_is_refused(tmp_path: Path) -> None:
    file = write_pack(tmp_path, "empty.yaml", [])
    assert_names(pack_error(file), file, None, "questions")


def test_an_id_used_in_two_packs_is_refused_naming_both_files(tmp_path: Path) -> None:
    first = write_pack(tmp_path, "a.yaml", [entry("shared-01")], pack="a")
    second = write_pack(tmp_path, "b.yaml", [entry("own-01"), entry("shared-01")], pack="b")
    with pytest.raises(PackError) as caught:
        load_bank([tmp_path])
    assert_names(caught.value, second, "shared-01", "id")
    assert str(first) in str(caught.value)


def test_an_id_used_in_packs_of_two_folders_is_refused(tmp_path: Path) -> None:
    (tmp_path / "shipped").mkdir()
    (tmp_path / "team").mkdir()
    write_pack(tmp_path / "shipped", "a.yaml", [entry("same-01")])
    second = write_pack(tmp_path / "team", "a.yaml", [entry("same-01")])
    with pytest.raises(PackError) as caught:
        load_bank([tmp_path / "shipped", tmp_path / "team"])
    assert_names(caught.value, second, "same-01", "id")


def test_a_folder_without_packs_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        load_bank([tmp_path])
    assert str(tmp_path) in str(caught.value)
    assert caught.value.field == "questions"


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        load_bank([tmp_path / "nowhere"])
    assert str(tmp_path / "nowhere") in str(caught.value)


def test_a_model_answer_and_a_why_per_key_point_are_read_when_a_pack_has_them(tmp_path: Path) -> None:
    points = entry()["key_points"]
    points[0]["why"] = "Without versions there is nothing to roll back to."
    file = write_pack(tmp_path, "team.yaml", [entry(model_answer="Keep every version.\nRoll back in one step.",
                                                     key_points=points)])
    [question] = load_pack(file)
    assert question.model_answer == "Keep every version. Roll back in one step."
    assert [k.why for k in question.key_points] == ["Without versions there is nothing to roll back to.", "", ""]


def test_a_pack_without_model_answers_or_why_lines_still_loads(tmp_path: Path) -> None:
    [question] = load_pack(write_pack(tmp_path, "team.yaml", [entry()]))
    assert question.model_answer == "" and all(k.why == "" for k in question.key_points)


def test_an_empty_model_answer_or_a_why_of_several_lines_is_refused(tmp_path: Path) -> None:
    file = write_pack(tmp_path, "team.yaml", [entry(model_answer="  ")])
    assert_names(pack_error(file), file, "serving-01", "model_answer")
    points = entry()["key_points"]
    points[1]["why"] = "one\ntwo"
    file = write_pack(tmp_path, "team.yaml", [entry(key_points=points)])
    assert_names(pack_error(file), file, "serving-01", "key_points[2].why")


@pytest.mark.parametrize("count", [2, 7])
def test_a_question_needs_three_to_six_key_points(tmp_path: Path, count: int) -> None:
    points = [{"point": f"Point {n}", "terms": [f"term{n}"]} for n in range(count)]
    file = write_pack(tmp_path, "team.yaml", [entry(key_points=points)])
    error = pack_error(file)
    assert_names(error, file, "serving-01", "key_points")
    assert f"has {count}; a question needs 3 to 6 key points" in str(error)


def test_a_pack_without_its_name_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "team.yaml"
    file.write_text(yaml.safe_dump({"title": "Team pack", "questions": [entry()]}), encoding="utf-8")
    assert_names(pack_error(file), file, None, "pack")


def test_validation_finds_a_point_only_the_questions_words_would_earn_and_a_hint_that_misses_it(tmp_path: Path) -> None:
    points = entry()["key_points"]
    points[2]["terms"] = ["audit trail", "monitor"]
    file = write_pack(tmp_path, "team.yaml", [entry(
        question="Why version models and keep an audit trail?",
        hint="Discuss rollback and A/B testing.",
        key_points=points,
    )])
    questions = load_pack(file)
    problems = [str(p) for p in grading_problems(file, questions)]
    assert problems == [
        f"{file}: question 'serving-01': key_points[3].terms: no term of 'Keeps an audit trail' says more than the "
        "question's own words or words too common in the field: no answer can earn it",
        f"{file}: question 'serving-01': key_points[3].terms: no term is named by the hint, so the hint does not "
        "cover 'Keeps an audit trail'",
    ]
    assert grading_problems(file, load_pack(write_pack(tmp_path, "fine.yaml", [entry(
        hint="Discuss rollback, A/B testing and the audit trail.")]))) == []
