"""The shipped AI model serving bank: 50 questions by level, each hint as in the seed, each with fitting terms."""

import re
from collections import Counter
from pathlib import Path

from bot.domain.questions import Level
from bot.questions import grading_problems, load_bank, load_pack
from questions import SHIPPED_PACKS

PACK = SHIPPED_PACKS / "ai-model-serving.yaml"
SEED = Path(__file__).resolve().parents[1] / "seeds" / "ai-model-serving-interview-questions.txt"
EXPECTED_COUNTS = [
    (Level.BEGINNER, 5),
    (Level.INTERMEDIATE, 10),
    (Level.ADVANCED, 10),
    (Level.SCENARIO, 10),
    (Level.WORKFLOW, 10),
    (Level.BEHAVIORAL, 5),
]
SEED_HEADINGS = {
    "Beginner": Level.BEGINNER,
    "Intermediate": Level.INTERMEDIATE,
    "Advanced": Level.ADVANCED,
    "Scenario-Based": Level.SCENARIO,
    "AI Workflow & Tools": Level.WORKFLOW,
    "Behavioral": Level.BEHAVIORAL,
}


def test_every_shipped_pack_loads_into_one_bank() -> None:
    files = sorted(SHIPPED_PACKS.glob("*.y*ml"))
    bank = load_bank([SHIPPED_PACKS])
    assert PACK in files
    assert len(bank) == sum(len(load_pack(f)) for f in files)


def test_the_model_serving_pack_has_fifty_questions_by_level_in_order() -> None:
    questions = load_pack(PACK)
    assert len(questions) == 50
    levels_in_order = list(dict.fromkeys(q.level for q in questions))
    counts = Counter(q.level for q in questions)
    assert [(level, counts[level]) for level in levels_in_order] == EXPECTED_COUNTS


def test_question_ids_are_the_level_and_a_two_digit_number_counting_from_one() -> None:
    questions = load_pack(PACK)
    expected = [f"{level.value}-{n:02d}" for level, count in EXPECTED_COUNTS for n in range(1, count + 1)]
    assert [q.id for q in questions] == expected


def test_every_question_has_three_to_six_key_points_each_with_terms() -> None:
    questions = load_pack(PACK)
    wrong = [(q.id, len(q.key_points)) for q in questions if not 3 <= len(q.key_points) <= 6]
    assert wrong == []
    assert all(kp.terms and kp.point for q in questions for kp in q.key_points)


def seed_hints() -> dict[Level, list[str]]:
    hints: dict[Level, list[str]] = {}
    level: Level | None = None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line in SEED_HEADINGS:
            level = SEED_HEADINGS[line]
            hints[level] = []
            continue
        if level is None or not line:
            continue
        first = re.match(r"^(\d+) questions(.*)$", line)
        hints[level].append(first.group(2).strip() if first else line)
    return hints


def test_every_hint_is_the_seed_documents_hint_for_that_question() -> None:
    assert SEED.is_file(), f"the copy of the seed document is missing: {SEED}"
    hints = seed_hints()
    assert [(level, len(hints.get(level, []))) for level, _ in EXPECTED_COUNTS] == EXPECTED_COUNTS
    questions = load_pack(PACK)
    by_level: dict[Level, list[str]] = {}
    for q in questions:
        by_level.setdefault(q.level, []).append(q.hint)
    mismatched = [
        (f"{level.value}-{n:02d}", ours, seed)
        for level, _ in EXPECTED_COUNTS
        for n, (ours, seed) in enumerate(zip(by_level[level], hints[level]), start=1)
        if ours != seed
    ]
    assert mismatched == []


def test_each_questions_own_hint_names_every_one_of_its_key_points_and_its_question_names_none() -> None:
    questions = load_pack(PACK)
    assert [str(problem) for problem in grading_problems(PACK, questions)] == []
