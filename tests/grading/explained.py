"""Answers for tests that need a strong answer to any question of a level: a sentence explaining each key point."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.matching import mentioned
from bot.domain.questions import Question


def accepted_term(question: Question, index: int) -> str:
    """The first term of a key point that the grader accepts on its own, in a sentence, for that point alone."""
    return next(t for t in question.key_points[index].terms
                if all(mentioned(f"We made sure {t} was there, which changed the outcome.", question)[k] == (k == index)
                       for k in range(len(question.key_points))))


def explained_answer(questions: Iterable[Question]) -> str:
    """One answer that explains every key point of every question given, each in its own sentence."""
    return " ".join(f"In that situation {accepted_term(q, i)} mattered a lot, because it changed what the team did "
                    "next and how quickly we got back on track."
                    for q in questions for i in range(len(q.key_points)))
