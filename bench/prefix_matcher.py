"""The word-prefix matcher that scored rounds before the explanation grader, kept only for the grading bench.

A term matches consecutive words of the answer; a term word of four or more characters matches any answer word that
starts with it, a shorter one must equal the word or the word without a plural `s`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.domain.questions import KeyPoint

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
PREFIX_MIN = 4


def words(text: str) -> list[str]:
    """The answer's words: lower-cased, without accents or zero-width characters."""
    text = unicodedata.normalize("NFKD", text.translate(_ZERO_WIDTH))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _WORD.findall(text)


@lru_cache(maxsize=4096)
def term_words(term: str) -> tuple[str, ...]:
    return tuple(words(term))


def _word_matches(term_word: str, word: str) -> bool:
    if len(term_word) >= PREFIX_MIN:
        return word.startswith(term_word)
    return word == term_word or word == term_word + "s"


def find_term(term: str, answer_words: list[str]) -> bool:
    """True when every word of `term` matches consecutive words of the answer."""
    wanted = term_words(term)
    if not wanted:
        return False
    span = len(wanted)
    for start in range(len(answer_words) - span + 1):
        if all(_word_matches(wanted[i], answer_words[start + i]) for i in range(span)):
            return True
    return False


@dataclass(frozen=True)
class PointCoverage:
    point: str
    covered: bool
    matched_term: str | None


@dataclass(frozen=True)
class Coverage:
    points: tuple[PointCoverage, ...]

    @property
    def covered(self) -> int:
        return sum(1 for p in self.points if p.covered)

    @property
    def total(self) -> int:
        return len(self.points)

    @property
    def ratio(self) -> float:
        return self.covered / self.total if self.total else 0.0


def assess(text: str, key_points: tuple[KeyPoint, ...]) -> Coverage:
    """Which key points `text` covers, naming the first term that matched each."""
    answer_words = words(text)
    results = []
    for key_point in key_points:
        matched = next((t for t in key_point.terms if find_term(t, answer_words)), None)
        results.append(PointCoverage(key_point.point, matched is not None, matched))
    return Coverage(tuple(results))
