"""Daily and practice rounds: choosing the question, posting it, and revealing the hint at the deadline."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from textwrap import shorten
from datetime import datetime, timedelta

from bot.cards import (
    AnswerFeedback,
    AwardLine,
    Notice,
    NoticeKind,
    QuestionCard,
    RevealCard,
    Tally,
    grader_words,
    judge_says,
    judged_words,
    teaching,
)
from bot.config import Settings
from bot.domain.matching import GRADER, Coverage, PointCoverage, from_json, grade, to_json
from bot.domain.model import Channel, Member, Round, RoundKind, RoundStatus, Task, TaskKind, assemble_answers
from bot.domain.questions import KeyPoint, Level, Question
from bot.domain.rotation import pick_daily, pick_practice
from bot.domain.schedule import Slot
from bot.domain.scoring import Award, answer_awards, streak_length, vote_award
from bot.judging import Judge
from bot.logs import add_log_context
from bot.ports import ChatError, ChatPort, ThreadGone
from bot.questions import QuestionBank
from bot.services.claims import ClaimGuard
from bot.services.judging import AI, Fallback, JudgingOutcome, findings_json, judge_answers, offline_or_judged, \
    stored_judge_notes
from bot.services.planning import plan_next_post
from bot.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("prepbot.rounds")
STREAK_LOOKBACK = 60
THREAD_GONE_NOTE = 'The thread of the question "{question}" was deleted, so its hint and feedback are posted here.'


@dataclass(frozen=True)
class TaskResult:
    """How a task ended: `done` with an outcome, or handed back to retry at `retry_at`."""

    outcome: str
    done: bool = True
    retry_at: datetime | None = None

    @property
    def skipped(self) -> bool:
        """Nothing was due any more (missed, paused, unsubscribed, an empty week): no work ran."""
        return self.outcome.startswith("skipped")


def missing_question(question_id: str) -> Question:
    """Stands in for a question whose pack was removed, so its round can still close."""
    return Question(question_id, Level.BEGINNER, f"(question {question_id} is no longer in the bank)",
                    "(hint unavailable)", (KeyPoint("(key points unavailable)", ()),))


def question_card(round_: Round, question: Question, channel: Channel, requester: Member | None = None,
                  closed: bool = False) -> QuestionCard:
    assert round_.deadline_at is not None
    return QuestionCard(
        round_id=round_.id,
        question_id=question.id,
        level_label=question.level.label,
        question=question.question,
        deadline_at=round_.deadline_at,
        tz=channel.schedule.tz,
        practice=round_.kind is RoundKind.PRACTICE,
        requested_by=requester.display_name if requester else None,
        closed=closed,
    )


async def _record_posted(
    uow_factory: Store, round_: Round, channel: Channel, message_ref: str, deadline_at: datetime, now: datetime,
    claim: ClaimGuard | None = None, task: Task | None = None,
) -> Round:
    """Records a round's question as posted (`message_ref`, answers until `deadline_at`) and schedules its reveal;
    returns the open round. Under a task's claim, only while the claim holds (else ClaimLost, nothing written)."""
    async with uow_factory.unit_of_work() as uow:
        if claim is not None:
            await claim.fence(uow)
        await uow.rounds.mark_posted(round_.id, message_ref, now, deadline_at, fence=task)
        await uow.tasks.schedule(TaskKind.REVEAL, channel.id, deadline_at, f"reveal:{round_.id}", round_id=round_.id)
        await uow.commit()
        return await uow.rounds.get(round_.id)


async def _publish(
    uow_factory: Store, chat: ChatPort, round_: Round, channel: Channel, question: Question, deadline_at: datetime,
    now: datetime, requester: Member | None = None, claim: ClaimGuard | None = None, task: Task | None = None,
) -> Round:
    """Posts a pending round's question, then records it as open and schedules its reveal; returns the open round.
    Raises ChatError when the platform refuses the post, ClaimLost when the task's claim was lost before it."""
    draft = Round(**{**round_.__dict__, "deadline_at": deadline_at})
    if claim is not None:
        await claim.before_posting()
    message_ref = await chat.post_question(channel.address, question_card(draft, question, channel, requester))
    posted = await _record_posted(uow_factory, round_, channel, message_ref, deadline_at, now, claim, task)
    log.info("%s question %s posted, answers until %s", round_.kind.value, question.id,
             f"{deadline_at:%Y-%m-%d %H:%M} UTC", extra={"round": round_.id, "message_ref": message_ref})
    return posted


async def _recover_question(
    uow_factory: Store, chat: ChatPort, round_: Round, channel: Channel, question: Question, deadline_at: datetime,
    now: datetime, claim: ClaimGuard | None = None, task: Task | None = None,
) -> Round | None:
    """For a pending round that an earlier attempt created (and so may have posted before it could record the
    post: the platform took it, then the process died or the answer was lost): asks the platform whether the bot
    posted its question, and if it did, records that message with the deadline it shows. Returns the open round,
    or None when the question was not posted. Raises ChatError when the platform cannot be asked."""
    draft = Round(**{**round_.__dict__, "deadline_at": deadline_at})
    since = round_.created_at or now
    message_ref = await chat.find_posted(channel.address, question_card(draft, question, channel), since=since)
    if message_ref is None:
        return None
    posted = await _record_posted(uow_factory, round_, channel, message_ref, deadline_at, now, claim, task)
    log.warning("question %s was already posted (the attempt that posted it did not record it): recorded, not "
                "posted again", question.id, extra={"round": round_.id, "message_ref": message_ref})
    return posted


async def post_daily(
    task: Task, *, store: Store, chat: ChatPort, bank: QuestionBank, settings: Settings, now: datetime,
    claim: ClaimGuard | None = None,
) -> TaskResult:
    """Posts the channel's daily question for the task's slot, unless it is no longer due or was missed.

    The attempt that creates the round posts at once. A later attempt finds the round pending: an earlier one may
    have posted its question and died before recording it, so the platform is asked first, and a question found
    there is recorded instead of posted again (even when the slot is off by now: members saw it)."""
    assert task.slot_date is not None
    created = False
    async with store.unit_of_work() as uow:
        channel = await uow.channels.get(task.channel_id)
        add_log_context(channel.address)
        schedule = channel.schedule
        off = None if channel.subscribed else "unsubscribed"
        off = off or ("paused" if schedule.paused else None) or schedule.off_reason(task.slot_date)
        if off is None and now - task.due_at > settings.grace_delta:
            off = f"missed: due {task.due_at:%Y-%m-%d %H:%M} UTC, beyond the {settings.grace} grace window"
            log.warning("daily post for channel %s skipped: %s", channel.id, off)
        round_ = await uow.rounds.daily(channel.id, task.slot_date)
        if off is not None and round_ is None:
            await plan_next_post(uow, channel, max(task.due_at, now - settings.grace_delta))
            await uow.commit()
            return TaskResult(f"skipped ({off})")
        if round_ is None:
            candidates = bank.at_levels(schedule.levels) or bank.all()
            usage = await uow.rounds.daily_usage(channel.id)
            question = pick_daily(candidates, usage, seed=f"{channel.id}:{task.slot_date}")
            round_ = await uow.rounds.create(
                channel.id, question.id, question.level, RoundKind.DAILY, task.slot_date, now,
                deadline_at=schedule.deadline_for(Slot(task.slot_date, task.due_at), now),
            )
            assert round_ is not None
            await uow.commit()
            created = True
    add_log_context(round_id=round_.id)
    if round_.status is RoundStatus.PENDING:
        question = bank.get(round_.question_id) or missing_question(round_.question_id)
        found = None
        if not created:
            planned = round_.deadline_at or schedule.deadline_for(Slot(task.slot_date, task.due_at), now)
            try:
                found = await _recover_question(store, chat, round_, channel, question, planned, now, claim, task)
            except ChatError as error:
                if off is None:
                    return await _post_failed(store, chat, channel, now, error)
                log.warning("could not ask whether the question of round %s was posted: %s", round_.id, error)
        if found is None and off is not None:
            async with store.unit_of_work() as uow:
                await plan_next_post(uow, channel, max(task.due_at, now - settings.grace_delta))
                await uow.commit()
            return TaskResult(f"skipped ({off})")
        if found is None:
            deadline_at = round_.deadline_at if created else None
            try:
                if deadline_at is None:  # a new attempt: a new deadline, recorded before a card shows it
                    deadline_at = schedule.deadline_for(Slot(task.slot_date, task.due_at), now)
                    async with store.unit_of_work() as uow:
                        await uow.rounds.plan_deadline(round_.id, deadline_at)
                        await uow.commit()
                await _publish(store, chat, round_, channel, question, deadline_at, now, claim=claim, task=task)
            except ChatError as error:
                return await _post_failed(store, chat, channel, now, error)
    async with store.unit_of_work() as uow:
        await plan_next_post(uow, channel, task.due_at)
        await uow.commit()
    return TaskResult(f"posted round {round_.id}")


async def _post_failed(store: Store, chat: ChatPort, channel: Channel, now: datetime, error: ChatError) -> TaskResult:
    """How a daily post the platform refused ends: the channel's schedule stopped when the channel is lost to the
    bot, else a retry in a minute."""
    if error.gone:
        await stop_lost_channel(store, chat, channel, now, str(error))
        return TaskResult(f"channel gone: {error}")
    log.warning("posting to channel %s failed, retrying: %s", channel.id, error)
    return TaskResult(f"retry: {error}", done=False, retry_at=now + timedelta(minutes=1))


async def stop_lost_channel(store: Store, chat: ChatPort, channel: Channel, now: datetime, why: str) -> None:
    """The platform says the bot can no longer post here: stop the schedule instead of failing every day,
    and tell whoever subscribed the channel."""
    log.warning("channel %s lost (%s): its schedule is stopped", channel.id, why)
    async with store.unit_of_work() as uow:
        await uow.channels.save(channel.id, channel.schedule, subscribed=False)
        await uow.tasks.cancel_pending(channel.id, [TaskKind.POST_DAILY, TaskKind.WEEKLY_BOARD])
        await uow.commit()
    if channel.subscribed_by:
        name = f"#{channel.name}" if channel.name else "a channel"
        try:
            await chat.message_member(channel.address, channel.subscribed_by, Notice(
                f"I can no longer post in {name} ({why}), so its daily question is stopped. "
                "Give me back my access there and subscribe the channel again to restart it.", NoticeKind.ERROR,
            ))
        except ChatError as error:
            log.warning("could not tell %s that channel %s was lost: %s", channel.subscribed_by, channel.id, error)


async def start_practice(
    channel: Channel, member: Member, level: Level | None, *, store: Store, chat: ChatPort, bank: QuestionBank,
    settings: Settings, now: datetime,
) -> Round:
    """Posts a practice question for `member` (any level when None); returns the open round."""
    async with store.unit_of_work() as uow:
        candidates = bank.at_levels([level]) if level else bank.at_levels(channel.schedule.levels) or bank.all()
        best = await uow.results.best_coverage(member.id)
        question = pick_practice(candidates, best, seed=f"{member.id}:{now.isoformat()}")
        round_ = await uow.rounds.create(
            channel.id, question.id, question.level, RoundKind.PRACTICE, channel.schedule.local_date(now), now,
            requested_by=member.id,
        )
        assert round_ is not None
        await uow.commit()
    return await _publish(store, chat, round_, channel, question, now + settings.practice_window_delta, now, member)


async def _streak(uow: UnitOfWork, round_: Round, member_id: int) -> int:
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


def _stored_coverage(
    stored: tuple[int, int, str | None, str | None] | None, question: Question
) -> tuple[Coverage, tuple[int, int] | None]:
    """An answer's grade as recorded when its round was scored, and, when the findings per key point cannot be
    shown (recorded before graders were, or the question's key points changed since), the stored count instead:
    (covered, total)."""
    unknown = Coverage(tuple(PointCoverage(k.point, False, None, why=k.why) for k in question.key_points))
    if stored is None:
        return unknown, None
    covered, total, grader, feedback = stored
    found = from_json(feedback, question.key_points, grader or GRADER) if feedback else None
    if found is not None:
        return found, None
    return Coverage(unknown.points, True, grader or ""), (covered, total)


async def reveal_card(uow: UnitOfWork, round_: Round, question: Question, settings: Settings) -> RevealCard:
    """The reveal as stored: checklist, per-answer feedback from the grade recorded when the round was scored (never
    graded again), the points awarded, and the tally."""
    answers = [a for a in assemble_answers(await uow.answers.for_round(round_.id)) if not a.withdrawn]
    members = await uow.members.get_many(a.member_id for a in answers)
    awarded = await uow.points.for_round(round_.id)
    stored = await uow.results.for_round(round_.id)
    feedback = []
    ratios = []
    graders = set()
    models: dict[str, int] = {}
    fallbacks: dict[str, int] = {}
    for answer in answers:
        member = members[answer.member_id]
        result = stored.get(answer.member_id)
        coverage, legacy = _stored_coverage(result, question)
        graders.add(result[2] if result else GRADER)
        model, said, fallback = stored_judge_notes(result[3] if result else None)
        if answer.on_time and model is not None:
            models[model] = models.get(model, 0) + 1
        if answer.on_time and fallback is not None:
            fallbacks[fallback.value] = fallbacks.get(fallback.value, 0) + 1
        if answer.on_time:
            ratios.append(legacy[0] / legacy[1] if legacy and legacy[1] else coverage.ratio)
            awards = awarded.get(answer.member_id, [])
            note = ""
            if not awards and round_.kind is RoundKind.PRACTICE:
                note = f"practice cap reached: {settings.practice_daily_cap} scored practice rounds a day"
            if legacy:
                note = f"covered {legacy[0]} of {legacy[1]} key points" + (f"; {note}" if note else "")
            did_well, study_next = ("", "") if legacy else teaching(coverage.points, coverage.attempt,
                                                                    coverage.explanations)
            feedback.append(AnswerFeedback(
                member.shown_name, True, coverage.points,
                tuple(AwardLine(a.reason, a.amount, a.detail) for a in awards),
                late_text=answer.late_text, note=note, did_well=did_well, study_next=study_next,
                judge_says=judge_says(said),
            ))
        else:
            did_well, study_next = ("", "") if legacy else teaching(coverage.points)
            feedback.append(AnswerFeedback(
                member.shown_name, False, coverage.points, (), late_text=answer.late_text,
                note="answered after the deadline: kept, scores nothing", study_next=study_next,
            ))
    on_time = sum(1 for f in feedback if f.on_time)
    tally = Tally(len(feedback), on_time, len(feedback) - on_time, sum(ratios) / len(ratios) if ratios else 0.0)
    grader = next(iter(graders)) if len(graders) == 1 else GRADER
    graded_by = judged_words(models, fallbacks) if models or fallbacks else grader_words(grader)
    return RevealCard(
        round_id=round_.id, question_id=question.id, question=question.question, hint=question.hint,
        key_points=tuple(k.point for k in question.key_points), feedback=tuple(feedback), tally=tally,
        model_answer=question.model_answer, graded_by=graded_by,
    )


async def _judge_round(
    round_: Round, question: Question, *, store: Store, judge: Judge | None, settings: Settings, now: datetime,
    claim: ClaimGuard | None,
) -> JudgingOutcome:
    """The AI judge's verdicts on a round's on-time answers, judged outside any transaction, under the task's
    claim (checked before anything is paid for)."""
    async with store.unit_of_work() as uow:
        answers = assemble_answers(await uow.answers.for_round(round_.id))
    texts = {a.member_id: a.on_time_text for a in answers if not a.withdrawn and a.on_time}
    if claim is not None and texts and judge is not None:
        await claim.before_posting()
    return await judge_answers(texts, question, store=store, judge=judge, settings=settings, now=now)


async def reveal(
    task: Task, *, store: Store, chat: ChatPort, bank: QuestionBank, settings: Settings, now: datetime,
    claim: ClaimGuard | None = None, judge: Judge | None = None,
) -> TaskResult:
    """Scores the round, posts the reveal into its thread, and marks the question closed.

    In a channel graded by the AI judge, the on-time answers are judged first (outside any transaction; stored
    judgements are reused), then scored under the claim. The attempt that scores the round posts the reveal at
    once. A later attempt that finds the round scored but its reveal not recorded asks the platform first whether
    an earlier one posted it (and died, or lost the answer, before recording it), and records that message instead
    of posting the reveal again."""
    assert task.round_id is not None
    scored = False
    judging: JudgingOutcome | None = None
    async with store.unit_of_work() as uow:
        round_ = await uow.rounds.get(task.round_id)
        channel = await uow.channels.get(round_.channel_id)
    add_log_context(channel.address, round_id=round_.id)
    question = bank.get(round_.question_id) or missing_question(round_.question_id)
    if round_.status is not RoundStatus.CLOSED and channel.grader == AI:
        judging = await _judge_round(round_, question, store=store, judge=judge, settings=settings, now=now,
                                     claim=claim)
    async with store.unit_of_work() as uow:
        round_ = await uow.rounds.get(task.round_id)
        if round_.status is not RoundStatus.CLOSED:
            if claim is not None:
                await claim.fence(uow)  # scored only under the claim (held until the commit)
            await score_round(uow, round_, question, settings, now, judging)
            await uow.rounds.mark_closed(round_.id, now)
            await uow.commit()
            round_ = await uow.rounds.get(round_.id)
            scored = True
        card = await reveal_card(uow, round_, question, settings)
        requester = (await uow.members.get_many([round_.requested_by])).get(round_.requested_by) \
            if round_.requested_by else None
    assert round_.message_ref is not None
    try:
        if round_.reveal_ref is None:
            found = None
            since = round_.revealed_at or now
            try:
                if not scored:  # an earlier attempt scored the round: it may have posted the reveal too
                    found = await chat.find_posted(channel.address, card, thread_ref=round_.message_ref, since=since)
                if found is None and claim is not None:
                    await claim.before_posting()
                reveal_ref = found if found is not None else \
                    await chat.reply_in_thread(channel.address, round_.message_ref, card)
            except ThreadGone as error:  # one thread deleted: the channel is fine, the reveal goes there
                log.warning("the question's thread is gone (%s): the reveal goes to the channel", error)
                card = replace(card, note=THREAD_GONE_NOTE.format(question=shorten(question.question, 200)))
                found = None if scored else await chat.find_posted(channel.address, card, since=since)
                if found is None and claim is not None:
                    await claim.before_posting()
                reveal_ref = found if found is not None else await chat.post_message(channel.address, card)
            async with store.unit_of_work() as uow:
                if claim is not None:
                    await claim.fence(uow)
                await uow.rounds.mark_reveal_posted(round_.id, reveal_ref, fence=task if claim is not None else None)
                await uow.commit()
            if found is None:
                log.info("reveal posted with feedback on %d answers", len(card.feedback))
            else:
                log.warning("the reveal was already posted (the attempt that posted it did not record it): "
                            "recorded, not posted again", extra={"reveal_ref": reveal_ref})
        await chat.update_question(
            channel.address, round_.message_ref, question_card(round_, question, channel, requester, closed=True)
        )
    except ChatError as error:
        if error.gone:
            await stop_lost_channel(store, chat, channel, now, str(error))
            return TaskResult(f"channel gone: {error}")
        return TaskResult(f"retry: {error}", done=False, retry_at=now + timedelta(minutes=1))
    return TaskResult(f"revealed round {round_.id}")


async def rescore_votes(uow: UnitOfWork, round_: Round, author_id: int, settings: Settings, now: datetime) -> None:
    """After the reveal, keeps an on-time answer's vote points in step with its votes."""
    if round_.status is not RoundStatus.CLOSED:
        return
    awarded = await uow.points.for_round(round_.id)
    if "participation" not in {a.reason for a in awarded.get(author_id, [])}:
        return
    voters = (await uow.votes.voters_by_author(round_.id)).get(author_id, 0)
    award: Award = vote_award(voters, settings.weights)
    await uow.points.award(round_, author_id, [award], now)


