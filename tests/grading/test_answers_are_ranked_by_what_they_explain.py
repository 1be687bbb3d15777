"""The evaluation set: answers are ranked by what they explain.

The evaluation set: for every question with written answers, a strong answer outscores a weak one, which outscores
one off the topic; a strong answer in other words outscores a weak one; a strong answer outscores a bare keyword
list and an answer that denies the key points."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from bot.bootstrap import question_folders
from bot.config import Settings
from bot.domain.matching import grade
from bot.domain.scoring import Weights, answer_awards
from bot.questions import QuestionBank, load_bank

ANSWERS = Path(__file__).parent / "answers"
ORDER = [("strong", "weak"), ("weak", "off_topic"), ("strong_other_words", "weak"), ("strong", "keyword_list"),
         ("strong", "negated")]


@cache
def shipped() -> QuestionBank:
    return load_bank(question_folders(Settings()))


def score(text: str, question_id: str) -> int:
    """Participation plus coverage, as the reveal awards them (no streak, no votes)."""
    question = shipped().get(question_id)
    assert question is not None, f"{question_id} is not in the shipped bank"
    return sum(a.amount for a in answer_awards(grade(text, question), 0, Weights()))


@pytest.mark.parametrize("file", sorted(ANSWERS.glob("*.yaml")), ids=lambda f: f.stem)
def test_answers_of_each_kind_are_ranked_in_the_agreed_order(file: Path) -> None:
    answers = yaml.safe_load(file.read_text(encoding="utf-8"))
    scores = {kind: score(text, answers["question"]) for kind, text in answers.items() if kind != "question"}
    wrong = [f"{better} {scores[better]} <= {worse} {scores[worse]}" for better, worse in ORDER
             if scores[better] <= scores[worse]]
    assert wrong == []


def test_the_evaluation_set_has_every_kind_for_each_question() -> None:
    kinds = {"question", "strong", "strong_other_words", "weak", "off_topic", "keyword_list", "negated"}
    files = sorted(ANSWERS.glob("*.yaml"))
    assert files
    assert [f.stem for f in files if set(yaml.safe_load(f.read_text(encoding="utf-8"))) != kinds] == []
