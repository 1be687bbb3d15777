"""The console's reveal shows everything that teaches.

The console's reveal: the hint, then the model answer, the checklist, each answer's points with the member's own
words, what it did well, what to study next, and which grader scored the round."""

from __future__ import annotations

from adapters.console.render import render_reveal
from bot.cards import AnswerFeedback, AwardLine, RevealCard, Tally
from bot.domain.matching import PointCoverage, PointStatus


def test_the_console_reveal_teaches_in_the_members_own_words() -> None:
    covered = (PointCoverage("Profiles first", True, "profiling", PointStatus.EXPLAINED),
               PointCoverage("Quantizes", False, "INT8", PointStatus.NAMED),
               PointCoverage("Fuses kernels", False, "fusion", PointStatus.NEGATED),
               PointCoverage("Adjusts the batch size", False, None, PointStatus.MISSED))
    feedback = AnswerFeedback("alice", True, covered, (AwardLine("participation", 10, "answered on time"),),
                              did_well='Did well: you explained Profiles first ("profiling").',
                              study_next='Study next: Quantizes: you named "INT8"; say what it does and why.')
    card = RevealCard(3, "q", "How?", "Profile, quantize, fuse, batch.", tuple(p.point for p in covered),
                      (feedback,), Tally(1, 1, 0, 0.3), model_answer="Profile first, then quantize.",
                      graded_by="Scored offline by the explanation grader (explanations-1).")

    lines = render_reveal(card).split("\n")

    assert lines[:4] == ["Hint and feedback (round 3)", "  Hint: Profile, quantize, fuse, batch.",
                         "  A model answer: Profile first, then quantize.", "  A strong answer covers:"]
    assert lines[8:15] == [
        "  alice (on time): covered 1 of 4 · 10 pts",
        '      [x] Profiles first (said "profiling")',
        '      [ ] Quantizes (named "INT8" without explaining it)',
        '      [ ] Fuses kernels (ruled out "fusion")',
        "      [ ] Adjusts the batch size",
        '      Did well: you explained Profiles first ("profiling").',
        '      Study next: Quantizes: you named "INT8"; say what it does and why.',
    ]
    assert lines[15] == "      +10 participation (answered on time)"
    assert lines[-2:] == ["  Scored offline by the explanation grader (explanations-1).",
                          "  1 answer: 1 on time, 0 late · average coverage 30%"]
