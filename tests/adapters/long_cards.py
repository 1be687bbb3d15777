"""Cards built to any size, for the tests of what the platforms' renderers make of long content.

Key points, one member's feedback, and a reveal of round 7."""

from __future__ import annotations

from bot.cards import AnswerFeedback, AwardLine, RevealCard, Tally
from bot.domain.matching import PointCoverage


def points(count: int, length: int) -> tuple[str, ...]:
    return tuple(f"Point {i:02d}: " + ("explains the trade-off with numbers " * length)[: length].strip()
                 for i in range(1, count + 1))


def feedback_for(name: str, key_points: tuple[str, ...], *, on_time: bool = True, note: str = "") -> AnswerFeedback:
    covered = tuple(PointCoverage(p, i % 2 == 0, "trade-off" if i % 2 == 0 else None) for i, p in enumerate(key_points))
    awards = (AwardLine("participation", 10, "answered on time"),
              AwardLine("coverage", 15, f"covered {sum(c.covered for c in covered)} of {len(covered)} key points"))
    return AnswerFeedback(name, on_time, covered, awards if on_time else (), note=note)


def reveal(feedback: tuple[AnswerFeedback, ...], key_points: tuple[str, ...], hint: str = "Think aloud.") -> RevealCard:
    on_time = sum(1 for f in feedback if f.on_time)
    return RevealCard(round_id=7, question_id="q-7", question="How would you serve it?", hint=hint,
                      key_points=key_points, feedback=feedback,
                      tally=Tally(len(feedback), on_time, len(feedback) - on_time, 0.5))
