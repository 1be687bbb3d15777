"""Grading a round's on-time answers with the AI judge, before the round is scored.

A judgement is looked up by its fingerprint first (bot.domain.judging.judgement_key): one stored by an earlier
attempt, a restart or another replica is never paid for again. An answer that gives the grader instructions is not
sent at all: the offline grader grades it. The rest are judged concurrently, every request the judge makes (retries
included) counted against the day's budget first, and each judgement stored as soon as it arrives, all outside any
transaction.
Grading waits at most `judge_reveal_wait_seconds` from when it began; what was not judged by then, or whose judgement
failed, is graded offline, and the reveal says why.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum

from bot.config import Settings
from bot.domain.judging import GroundedJudgement, addresses_the_grader, grounded, judgement_key
from bot.domain.matching import Coverage, PointCoverage, PointStatus, grade, to_json
from bot.domain.questions import Question
from bot.judging import Judge, JudgeBudgetSpent, JudgedPoint, Judgement, JudgeError, JudgeRequest, JudgeUnavailable
from bot.store.repositories.judgements import StoredJudgement
from bot.store.unit_of_work import Store

log = logging.getLogger("prepbot.judging")
AI = "ai"
OFFLINE = "offline"
GRADERS = (AI, OFFLINE)
AI_PREFIX = "ai:"  # results graded by the judge name their grader `ai:<model>`


class Fallback(str, Enum):
    """Why an on-time answer of a channel graded by the AI judge was graded offline."""

    LATE = "late"  # the judge did not answer within the reveal's wait
    FAILED = "failed"  # the endpoint failed, or its reply did not validate twice
    BUDGET = "budget"  # the day's request budget was spent
    INSTRUCTED = "instructed"  # the answer gave the grader instructions, so it was not sent to the judge
    OFF = "off"  # no AI judge is configured in the process that revealed the round


@dataclass(frozen=True)
class Judged:
    """One answer's grounded judgement, for the text it judged."""

    text: str
    verdict: GroundedJudgement


@dataclass
class JudgingOutcome:
    """Per member: the judge's grounded verdict, or why the answer falls back to the offline grader."""

    judged: dict[int, Judged] = field(default_factory=dict)
    fallback: dict[int, Fallback] = field(default_factory=dict)


def judge_request(question: Question, answer: str) -> JudgeRequest:
    """What the judge is asked about one answer: the question, hint, key points and model answer, and the text."""
    return JudgeRequest(question.id, question.question, question.hint, tuple(k.point for k in question.key_points),
                        answer, question.model_answer or None)


def ai_grader(model: str) -> str:
    """The grader name stored with a result the judge graded (fits the results' 40 characters)."""
    return (AI_PREFIX + model)[:40]


def ai_coverage(verdict: GroundedJudgement, offline: Coverage) -> Coverage:
    """The grade the judge's grounded verdict gives: a key point counts only where its quote stands. Whether the
    answer is an attempt (participation) is the offline grader's rule, as everywhere."""
    points = tuple(
        PointCoverage(point.point, judged.covered, judged.quote if judged.covered else None,
                      PointStatus.EXPLAINED if judged.covered else PointStatus.MISSED, point.why)
        for point, judged in zip(offline.points, verdict.points)
    )
    return Coverage(points, offline.attempt, ai_grader(verdict.model), offline.explanations, offline.approach)


def findings_json(coverage: Coverage, verdict: GroundedJudgement | None = None,
                  fallback: Fallback | None = None) -> str:
    """The findings stored with a result: the grade (bot.domain.matching.to_json), and the judge's model and
    feedback, or why the answer fell back to the offline grader."""
    data = json.loads(to_json(coverage))
    if verdict is not None:
        data["judge"] = {"model": verdict.model, "feedback": verdict.feedback}
    if fallback is not None:
        data["fallback"] = fallback.value
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def stored_judge_notes(findings: str | None) -> tuple[str | None, str, Fallback | None]:
    """From stored findings: the judge's model (None when it did not grade the answer), its feedback, and the
    fallback reason when the answer was graded offline on a channel graded by the judge."""
    if not findings:
        return None, "", None
    try:
        data = json.loads(findings)
        judge = data.get("judge") or {}
        fallback = Fallback(data["fallback"]) if data.get("fallback") else None
        return judge.get("model"), str(judge.get("feedback", "")), fallback
    except (ValueError, TypeError, AttributeError):
        return None, "", None


def _points_json(points: tuple[JudgedPoint, ...]) -> str:
    return json.dumps([{"covered": p.covered, "quote": p.quote} for p in points], ensure_ascii=False)


def _from_stored(stored: StoredJudgement) -> Judgement | None:
    try:
        points = tuple(JudgedPoint(bool(p["covered"]), str(p["quote"])) for p in json.loads(stored.points))
    except (ValueError, TypeError, KeyError):
        return None
    return Judgement(points, stored.feedback, stored.model)


def _ground(judgement: Judgement, request: JudgeRequest) -> GroundedJudgement | None:
    try:
        return grounded(judgement, request)
    except ValueError:
        return None


async def judge_answers(
    answers: Mapping[int, str], question: Question, *, store: Store, judge: Judge | None, settings: Settings,
    now: datetime,
) -> JudgingOutcome:
    """Judges each member's on-time answer text (`answers`), stored judgements first; see the module."""
    outcome = JudgingOutcome()
    if judge is None:
        outcome.fallback.update(dict.fromkeys(answers, Fallback.OFF))
        return outcome
    instructing = {member for member, text in answers.items() if addresses_the_grader(text)}
    if instructing:
        log.info("%d answers to %s give the grader instructions: graded offline", len(instructing), question.id)
        outcome.fallback.update(dict.fromkeys(instructing, Fallback.INSTRUCTED))
    requests = {member: judge_request(question, text) for member, text in answers.items() if member not in instructing}
    keys = {member: judgement_key(judge.model, request, judge.revision) for member, request in requests.items()}
    async with store.unit_of_work() as uow:
        stored = await uow.judgements.find_many(sorted(set(keys.values())))
    verdicts: dict[str, GroundedJudgement] = {}
    for member, key in keys.items():
        found = stored.get(key)
        judgement = _from_stored(found) if found is not None else None
        verdict = _ground(judgement, requests[member]) if judgement is not None else None
        if verdict is not None:
            verdicts[key] = verdict
    failed: dict[str, Fallback] = {}
    wanted = {key: requests[member] for member, key in keys.items() if key not in verdicts}
    if wanted:
        log.info("the AI judge grades %d answers (%d judged before)", len(wanted),
                 len(set(keys.values())) - len(wanted))
        await _judge_missing(wanted, store=store, judge=judge, settings=settings, now=now, verdicts=verdicts,
                             failed=failed)
    for member, key in keys.items():
        if key in verdicts:
            outcome.judged[member] = Judged(requests[member].answer, verdicts[key])
        else:
            outcome.fallback[member] = failed.get(key, Fallback.LATE)
    return outcome


async def _judge_missing(
    wanted: dict[str, JudgeRequest], *, store: Store, judge: Judge, settings: Settings, now: datetime,
    verdicts: dict[str, GroundedJudgement], failed: dict[str, Fallback],
) -> None:
    slots = asyncio.Semaphore(settings.judge_concurrency)
    day = now.astimezone(timezone.utc).date()

    async def save(key: str, judgement: Judgement) -> None:
        async with store.unit_of_work() as uow:
            await uow.judgements.save(key, judge.model, _points_json(judgement.points), judgement.feedback, now)
            await uow.commit()

    async def spend() -> bool:
        async with store.unit_of_work() as uow:
            allowed = await uow.judgements.take_call(day, settings.judge_daily_budget)
            await uow.commit()
        return allowed

    async def one(key: str, request: JudgeRequest) -> None:
        async with slots:
            try:
                judgement = await judge.judge(request, spend=spend)
            except JudgeBudgetSpent:
                failed[key] = Fallback.BUDGET
                return
            except JudgeError as error:
                why = error.reason if isinstance(error, JudgeUnavailable) else "its reply did not validate twice"
                log.warning("the AI judge gave no judgement for an answer to %s (%s): graded offline",
                            request.question_id, why)
                failed[key] = Fallback.FAILED
                return
            verdict = _ground(judgement, request)
            if verdict is None:
                failed[key] = Fallback.FAILED
                return
            await asyncio.shield(save(key, judgement))  # paid for: kept even when the wait ends meanwhile
            verdicts[key] = verdict

    jobs = [asyncio.ensure_future(one(key, request)) for key, request in wanted.items()]
    done, pending = await asyncio.wait(jobs, timeout=settings.judge_reveal_wait_seconds)
    for job in pending:
        job.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if pending:
        log.warning("the AI judge did not answer %d of %d answers within %g s: graded offline", len(pending),
                    len(jobs), settings.judge_reveal_wait_seconds)
    for job in done:
        error = job.exception()
        if error is not None:
            raise error


def offline_or_judged(text: str, question: Question, judged: Judged | None) -> tuple[Coverage, Judged | None]:
    """An on-time answer's grade: the judge's when it judged this very text, else the offline grader's."""
    offline = grade(text, question)
    if judged is None or judged.text != text:
        return offline, None
    return ai_coverage(judged.verdict, offline), judged
