"""The AI judge port: what the core asks an AI judge about one answer, what it gets back, and how that can fail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

RequestBudget = Callable[[], Awaitable[bool]]
"""Takes one request from the day's budget before the judge makes it: False when the budget is spent."""


@dataclass(frozen=True)
class JudgeRequest:
    """One answer to judge: the question, its hint and key points (the rubric), and the member's answer text.

    `model_answer` is the question's model answer when it has one (more rubric for the judge)."""

    question_id: str
    question: str
    hint: str
    key_points: tuple[str, ...]
    answer: str
    model_answer: str | None = None


@dataclass(frozen=True)
class JudgedPoint:
    """What the judge says about one key point: covered or not, and the words of the answer that show it."""

    covered: bool
    quote: str


@dataclass(frozen=True)
class Judgement:
    """The judge's verdict as it came back (structurally checked, not yet grounded): one point per key point, in the
    request's order, feedback for the member, and the model that judged."""

    points: tuple[JudgedPoint, ...]
    feedback: str
    model: str


class JudgeError(Exception):
    """The judge gave no usable judgement; the answer is graded offline."""


class JudgeUnavailable(JudgeError):
    """The endpoint failed, timed out or kept rate-limiting after the retries the deadline allowed (or refused the
    call outright). `retry_after` is how many seconds the endpoint asked to wait before trying again, when it said."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason if retry_after is None else f"{reason} (retry after {retry_after:g} s)")
        self.reason = reason
        self.retry_after = retry_after


class JudgeBudgetSpent(JudgeError):
    """The day's request budget was spent before the judge could make (another) request."""


class JudgeReplyInvalid(JudgeError):
    """The judge answered, but its reply did not validate (not JSON, wrong shape, wrong number of points), twice."""


class Judge(Protocol):
    """An AI judge. Implementations never trust what the model says: the reply is validated, and the core grounds
    it (bot.domain.judging.grounded) before a point counts."""

    @property
    def model(self) -> str:
        """The name of the model that judges (stored with every result, and part of its fingerprint)."""

    @property
    def revision(self) -> str:
        """What else shapes a judgement (the instructions the model is given), as a short fingerprint: part of a
        stored judgement's key, so judgements made under other instructions are not reused."""

    async def judge(self, request: JudgeRequest, *, spend: RequestBudget | None = None) -> Judgement:
        """Judges `request.answer` against the rubric. Returns a Judgement with exactly one point per key point.

        `spend` is called before every request the judge makes, retries included; when it returns False no request
        is made and JudgeBudgetSpent is raised. Raises JudgeUnavailable when the endpoint cannot give an answer
        within the call's deadline, and JudgeReplyInvalid when its reply did not validate after one retry. Never
        raises anything else for a failure of the endpoint."""
