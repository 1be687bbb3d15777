"""Questions, levels and key points."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Level(str, Enum):
    """The six levels of the bank, in the order a newcomer meets them."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    SCENARIO = "scenario"
    WORKFLOW = "workflow"
    BEHAVIORAL = "behavioral"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> "Level | None":
        """The level named by `text` (its value or a common alias), or None."""
        key = text.strip().lower()
        for level in cls:
            if key == level.value:
                return level
        return _ALIASES.get(key)


_LABELS = {
    Level.BEGINNER: "Beginner",
    Level.INTERMEDIATE: "Intermediate",
    Level.ADVANCED: "Advanced",
    Level.SCENARIO: "Scenario-based",
    Level.WORKFLOW: "AI workflow and tools",
    Level.BEHAVIORAL: "Behavioral",
}

_ALIASES = {
    "scenario-based": Level.SCENARIO,
    "scenarios": Level.SCENARIO,
    "tools": Level.WORKFLOW,
    "behavioural": Level.BEHAVIORAL,
}

ALL_LEVELS: tuple[Level, ...] = tuple(Level)


@dataclass(frozen=True)
class KeyPoint:
    """One line of the reveal's checklist and the terms that show an answer covered it."""

    point: str
    terms: tuple[str, ...]
    why: str = ""  # one line: why the point matters, shown to members who missed it


@dataclass(frozen=True)
class Question:
    id: str
    level: Level
    question: str
    hint: str
    key_points: tuple[KeyPoint, ...]
    pack: str = ""
    model_answer: str = ""  # a strong answer in plain prose, shown at the reveal after the hint
