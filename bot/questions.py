"""Loading and validating question packs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from bot.domain.matching import earnable, mentioned
from bot.domain.questions import KeyPoint, Level, Question

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
MIN_KEY_POINTS = 3
MAX_KEY_POINTS = 6


class PackError(ValueError):
    """A pack cannot be used. The message names the file, the question id (when known) and the field."""

    def __init__(self, file: Path | str, question_id: str | None, field: str, problem: str) -> None:
        where = f"{file}" + (f": question '{question_id}'" if question_id else "")
        super().__init__(f"{where}: {field}: {problem}")
        self.file = str(file)
        self.question_id = question_id
        self.field = field


def _text(entry: dict[str, Any], name: str, file: Path, qid: str | None) -> str:
    value = entry.get(name)
    if value is None:
        raise PackError(file, qid, name, "is missing")
    if not isinstance(value, str) or not value.strip():
        raise PackError(file, qid, name, "must be non-empty text")
    return value.strip()


def _optional_text(entry: dict[str, Any], name: str, file: Path, qid: str | None, field: str = "") -> str:
    value = entry.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise PackError(file, qid, field or name, "must be non-empty text when given")
    return " ".join(value.split())


def load_pack(file: Path) -> list[Question]:
    """The questions in one YAML pack; raises PackError on the first problem found."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(file, None, "file", f"cannot be read ({error})") from None
    except yaml.YAMLError as error:
        raise PackError(file, None, "file", f"is not valid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise PackError(file, None, "file", "must be a mapping with 'pack' and 'questions'")
    pack = data.get("pack")
    if pack is None:
        raise PackError(file, None, "pack", "is missing (the pack's name, e.g. 'pack: my-team')")
    if not isinstance(pack, str) or not pack.strip():
        raise PackError(file, None, "pack", "must be non-empty text")
    entries = data.get("questions")
    if not isinstance(entries, list) or not entries:
        raise PackError(file, None, "questions", "must be a non-empty list")
    questions: list[Question] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise PackError(file, f"#{index}", "entry", "must be a mapping")
        raw_id = entry.get("id")
        if raw_id is None:
            raise PackError(file, f"#{index}", "id", "is missing")
        qid = str(raw_id)
        if not _ID.match(qid):
            raise PackError(file, qid, "id", "must be lower-case letters, digits, '.', '_' or '-'")
        if qid in seen:
            raise PackError(file, qid, "id", "is used twice in this pack")
        seen.add(qid)
        level_text = entry.get("level")
        level = Level.parse(str(level_text)) if level_text is not None else None
        if level is None:
            known = ", ".join(level.value for level in Level)
            raise PackError(file, qid, "level", f"'{level_text}' is not a known level ({known})")
        question = _text(entry, "question", file, qid)
        hint = _text(entry, "hint", file, qid)
        model_answer = _optional_text(entry, "model_answer", file, qid)
        raw_points = entry.get("key_points")
        if not isinstance(raw_points, list) or not raw_points:
            raise PackError(file, qid, "key_points", "must be a non-empty list")
        key_points = []
        for number, raw in enumerate(raw_points, start=1):
            field = f"key_points[{number}]"
            if not isinstance(raw, dict):
                raise PackError(file, qid, field, "must be a mapping with 'point' and 'terms'")
            point = raw.get("point")
            if not isinstance(point, str) or not point.strip():
                raise PackError(file, qid, f"{field}.point", "must be non-empty text")
            terms = raw.get("terms")
            if not isinstance(terms, list) or not terms or not all(isinstance(t, str) and t.strip() for t in terms):
                raise PackError(file, qid, f"{field}.terms", "must be a non-empty list of words or phrases")
            if "\n" in str(raw.get("why") or "").strip():
                raise PackError(file, qid, f"{field}.why", "must be one line")
            why = _optional_text(raw, "why", file, qid, f"{field}.why")
            key_points.append(KeyPoint(point.strip(), tuple(t.strip().lower() for t in terms), why))
        if not MIN_KEY_POINTS <= len(key_points) <= MAX_KEY_POINTS:
            raise PackError(file, qid, "key_points",
                            f"has {len(key_points)}; a question needs {MIN_KEY_POINTS} to {MAX_KEY_POINTS} key points")
        questions.append(Question(qid, level, question, hint, tuple(key_points), pack=pack.strip(),
                                  model_answer=model_answer))
    return questions


def grading_problems(file: Path, questions: Sequence[Question]) -> list[PackError]:
    """What keeps the grader from scoring a pack's questions fairly: a key point no term of which can count, a hint
    that, read as an answer, does not name each of its own key points, or a question whose own text names one
    (restating the question would earn it)."""
    problems = []
    for question in questions:
        for number, (point, can) in enumerate(zip(question.key_points, earnable(question)), 1):
            if not can:
                problems.append(PackError(file, question.id, f"key_points[{number}].terms",
                                          f"no term of '{point.point}' says more than the question's own words or "
                                          "words too common in the field: no answer can earn it"))
        for number, (point, named) in enumerate(zip(question.key_points, mentioned(question.hint, question)), 1):
            if not named:
                problems.append(PackError(file, question.id, f"key_points[{number}].terms",
                                          f"no term is named by the hint, so the hint does not cover '{point.point}'"))
        for number, (point, named) in enumerate(zip(question.key_points, mentioned(question.question, question)), 1):
            if named:
                problems.append(PackError(file, question.id, f"key_points[{number}].terms",
                                          f"the question's own text names '{point.point}': restating the question "
                                          "would earn it"))
    return problems


def pack_files(path: Path) -> list[Path]:
    """The pack files at `path`: the file itself, or the *.yaml / *.yml files of a folder, sorted."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
    raise PackError(path, None, "path", "does not exist")


class QuestionBank:
    """Every loaded question, by id and by level, in pack order."""

    def __init__(self, questions: Sequence[Question]) -> None:
        self._questions = list(questions)
        self._by_id = {q.id: q for q in self._questions}

    def __len__(self) -> int:
        return len(self._questions)

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def all(self) -> list[Question]:
        return list(self._questions)

    def at_levels(self, levels: Iterable[Level]) -> list[Question]:
        wanted = set(levels)
        return [q for q in self._questions if q.level in wanted]

    def levels(self) -> list[Level]:
        present = {q.level for q in self._questions}
        return [level for level in Level if level in present]


def load_bank(folders: Sequence[Path]) -> QuestionBank:
    """All packs in `folders`; raises PackError on a broken pack or an id used in two packs."""
    questions: list[Question] = []
    origin: dict[str, Path] = {}
    for folder in folders:
        files = pack_files(folder)
        for file in files:
            for question in load_pack(file):
                if question.id in origin:
                    raise PackError(file, question.id, "id", f"is already used in {origin[question.id]}")
                origin[question.id] = file
                questions.append(question)
    if not questions:
        raise PackError(", ".join(str(f) for f in folders), None, "questions", "no question packs found")
    return QuestionBank(questions)
