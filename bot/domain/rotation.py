"""Which question a round asks."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from bot.domain.questions import Question


def pick_daily(candidates: Sequence[Question], times_used: Mapping[str, int], seed: str) -> Question:
    """A least-used question, so none repeats until every candidate has been asked; ties broken by `seed`."""
    if not candidates:
        raise ValueError("no questions for this channel's levels")
    fewest = min(times_used.get(q.id, 0) for q in candidates)
    pool = [q for q in candidates if times_used.get(q.id, 0) == fewest]
    return random.Random(seed).choice(pool)


def pick_practice(candidates: Sequence[Question], best_coverage: Mapping[str, float], seed: str) -> Question:
    """A question the member has not answered; otherwise one they covered worst. Ties broken by `seed`."""
    if not candidates:
        raise ValueError("no questions at that level")
    unanswered = [q for q in candidates if q.id not in best_coverage]
    if unanswered:
        pool = unanswered
    else:
        worst = min(best_coverage[q.id] for q in candidates)
        pool = [q for q in candidates if best_coverage[q.id] == worst]
    return random.Random(seed).choice(pool)
