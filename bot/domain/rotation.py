"""Which question a daily round asks: the least used, so none repeats until every one was asked."""

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

