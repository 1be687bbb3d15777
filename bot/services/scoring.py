"""Scoring a round at its reveal: each member's grade, points and streak, and the votes cast until then."""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.domain.matching import GRADER, grade, to_json
from bot.domain.model import Round, RoundKind, assemble_answers
from bot.domain.questions import Question
from bot.domain.scoring import answer_awards, streak_length, vote_award
from bot.services.judging import Fallback, JudgingOutcome, findings_json, offline_or_judged
from bot.store.unit_of_work import UnitOfWork

STREAK_LOOKBACK = 60


async def _streak(uow: UnitOfWork, round_: Round, member_id: int) -> int:
    """How many daily rounds in a row, this one included, the member answered on time."""
    recent = await uow.rounds.recent_daily(round_.channel_id, round_.local_date, STREAK_LOOKBACK)
    earlier = [r.id for r in recent if r.id != round_.id]
    answered = await uow.results.answered_on_time(member_id, earlier)
    return streak_length([True] + [r in answered for r in earlier])


async def score_round(uow: UnitOfWork, round_: Round, question: Question, settings: Settings, now: datetime,
                      judging: JudgingOutcome | None = None) -> None:
    """Grades every answer once and stores each member's result (with the grader's name and findings) and points
    for the round; idempotent. With `judging` (a channel graded by the AI judge), an on-time answer the judge
    judged is graded by its grounded verdict, the others offline with the reason stored."""
    answers = assemble_answers(await uow.answers.for_round(round_.id))
    voters = await uow.votes.voters_by_author(round_.id)
    for answer in answers:
        if answer.withdrawn:
            continue
        if not answer.on_time:
            late = grade(answer.late_text, question)
            await uow.results.record(round_, answer.member_id, False, 0, len(question.key_points), GRADER,
                                     to_json(late))
            continue
        if judging is None:
            coverage = grade(answer.on_time_text, question)
            findings = to_json(coverage)
        else:
            coverage, judged = offline_or_judged(answer.on_time_text, question,
                                                 judging.judged.get(answer.member_id))
            fallback = None if judged else judging.fallback.get(answer.member_id, Fallback.LATE)
            findings = findings_json(coverage, judged.verdict if judged else None, fallback)
        await uow.results.record(round_, answer.member_id, True, coverage.covered, coverage.total, coverage.grader,
                                 findings)
        if round_.kind is RoundKind.PRACTICE:
            already = await uow.points.scored_practice_count(round_.channel_id, answer.member_id, round_.local_date)
            if already >= settings.practice_daily_cap:
                continue
        streak = await _streak(uow, round_, answer.member_id) if round_.kind is RoundKind.DAILY else 0
        awards = answer_awards(coverage, streak, settings.weights)
        if voters.get(answer.member_id):
            awards.append(vote_award(voters[answer.member_id], settings.weights))
        await uow.points.award(round_, answer.member_id, awards, now)

