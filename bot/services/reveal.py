"""The reveal of a round at its deadline.

The round is scored, its hint, checklist and feedback posted in the question's thread, and the question marked
closed."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from textwrap import shorten

from bot.cards import AnswerFeedback, AwardLine, RevealCard, Tally, grader_words, judge_says, judged_words, teaching
from bot.config import Settings
from bot.domain.matching import GRADER, Coverage, PointCoverage, from_json
from bot.domain.model import Channel, Member, MemberAnswer, Round, RoundKind, RoundStatus, Task, \
    assemble_answers, is_private_ref
from bot.domain.questions import Question
from bot.judging import Judge
from bot.logs import add_log_context
from bot.ports import ChatError, ChatPort, Metrics, ThreadGone
from bot.questions import QuestionBank
from bot.services.claims import ClaimGuard
from bot.services.judging import AI, Fallback, JudgingOutcome, judge_answers, stored_judge_notes
from bot.services.outcomes import TaskResult, settle
from bot.services.posting import missing_question, question_card
from bot.services.scoring import score_round
from bot.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("prepbot.rounds")
PRIVATE_REVEAL = "private"  # the reveal_ref of a reveal shown to one member: it has no message of its own
THREAD_GONE_NOTE = 'The thread of the question "{question}" was deleted, so its hint and feedback are posted here.'


async def reveal(
    task: Task, *, store: Store, chat: ChatPort, bank: QuestionBank, settings: Settings, now: datetime,
    claim: ClaimGuard | None = None, judge: Judge | None = None, metrics: Metrics | None = None,
) -> TaskResult:
    """Scores the round, posts the reveal into its thread, and marks the question closed. When the platform
    refuses, the task ends as `settle` says.

    In a channel graded by the AI judge, the on-time answers are judged first (outside any transaction; stored
    judgements are reused), then scored under the claim. The attempt that scores the round posts the reveal at
    once; a later one may find the reveal posted but not recorded (see `_post_reveal`)."""
    assert task.round_id is not None
    judging: JudgingOutcome | None = None
    async with store.unit_of_work() as uow:
        round_ = await uow.rounds.get(task.round_id)
        channel = await uow.channels.get(round_.channel_id)
    add_log_context(channel.address, round_id=round_.id)
    question = bank.get(round_.question_id) or missing_question(round_.question_id)
    if round_.status is not RoundStatus.CLOSED and channel.grader == AI:
        judging = await _judge_round(round_, question, store=store, judge=judge, settings=settings, now=now,
                                     claim=claim)
        if metrics is not None:
            for fallback in judging.fallback.values():
                if fallback in (Fallback.LATE, Fallback.BUDGET):  # a failed request is counted where it failed
                    metrics.judge_failed(fallback.value)
    async with store.unit_of_work() as uow:
        round_ = await uow.rounds.get(task.round_id)
        scored = round_.status is not RoundStatus.CLOSED
        if scored:
            if claim is not None:
                await claim.fence(uow)  # scored only under the claim (held until the commit)
            await score_round(uow, round_, question, settings, now, judging)
            await uow.rounds.mark_closed(round_.id, now)
            await uow.commit()
            round_ = await uow.rounds.get(round_.id)
        card = await reveal_card(uow, round_, question, settings)
        requester = (await uow.members.get_many([round_.requested_by])).get(round_.requested_by) \
            if round_.requested_by else None
    if round_.personal:
        return await _reveal_privately(round_, card, channel, requester, store=store, chat=chat, now=now,
                                       claim=claim, task=task)
    assert round_.message_ref is not None
    try:
        if round_.reveal_ref is None:
            await _post_reveal(round_, card, question, channel, look_first=not scored, store=store, chat=chat,
                               now=now, claim=claim, task=task)
        await chat.update_question(
            channel.address, round_.message_ref, question_card(round_, question, channel, requester, closed=True)
        )
    except ChatError as error:
        return await settle(error, channel, store=store, chat=chat, now=now)
    return TaskResult(f"revealed round {round_.id}")


async def _reveal_privately(
    round_: Round, card: RevealCard, channel: Channel, requester: Member | None, *, store: Store, chat: ChatPort,
    now: datetime, claim: ClaimGuard | None, task: Task,
) -> TaskResult:
    """Shows the reveal of a private practice question to the member who asked, once, and records it. It has no
    thread and no card in the channel to close."""
    if round_.reveal_ref is None and requester is not None:
        if claim is not None:
            await claim.before_posting()
        try:
            await chat.tell_member(channel.address, requester.ref, card)
        except ChatError as error:
            return await settle(error, channel, store=store, chat=chat, now=now)
        async with store.unit_of_work() as uow:
            if claim is not None:
                await claim.fence(uow)
            await uow.rounds.mark_reveal_posted(round_.id, PRIVATE_REVEAL, fence=task if claim is not None else None)
            await uow.commit()
    return TaskResult(f"revealed round {round_.id} to the member who asked")


async def _post_reveal(
    round_: Round, card: RevealCard, question: Question, channel: Channel, *, look_first: bool, store: Store,
    chat: ChatPort, now: datetime, claim: ClaimGuard | None, task: Task,
) -> None:
    """Posts the reveal in the question's thread (in the channel, with a note saying why, when that thread is gone)
    and records it. With `look_first` (an earlier attempt scored the round, so it may have posted the reveal, then
    died or lost the answer before recording it), asks the platform first and records a reveal found there instead
    of posting it again. Raises ChatError when the platform refuses."""
    assert round_.message_ref is not None
    thread_ref = round_.message_ref
    since = round_.revealed_at or now

    async def find_or_post(card: RevealCard, in_thread: bool) -> tuple[str, bool]:
        found = None
        if look_first:
            found = await chat.find_posted(channel.address, card, thread_ref=thread_ref if in_thread else None,
                                           since=since)
        if found is not None:
            return found, True
        if claim is not None:
            await claim.before_posting()
        if in_thread:
            return await chat.reply_in_thread(channel.address, thread_ref, card), False
        return await chat.post_message(channel.address, card), False

    try:
        reveal_ref, found = await find_or_post(card, in_thread=True)
    except ThreadGone as error:  # one thread deleted: the channel is fine, the reveal goes there
        log.warning("the question's thread is gone (%s): the reveal goes to the channel", error)
        card = replace(card, note=THREAD_GONE_NOTE.format(question=shorten(question.question, 200)))
        reveal_ref, found = await find_or_post(card, in_thread=False)
    async with store.unit_of_work() as uow:
        if claim is not None:
            await claim.fence(uow)
        await uow.rounds.mark_reveal_posted(round_.id, reveal_ref, fence=task if claim is not None else None)
        await uow.commit()
    if found:
        log.warning("the reveal was already posted (the attempt that posted it did not record it): "
                    "recorded, not posted again", extra={"reveal_ref": reveal_ref})
    else:
        log.info("reveal posted with feedback on %d answers", len(card.feedback))


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
                                                                    coverage.explanations, coverage.approach)
            feedback.append(AnswerFeedback(
                member.shown_name, True, coverage.points,
                tuple(AwardLine(a.reason, a.amount, a.detail) for a in awards),
                late_text=answer.late_text, note=note, did_well=did_well, study_next=study_next,
                judge_says=judge_says(said), answer_text=_unseen_text(round_, answer),
            ))
        else:
            did_well, study_next = ("", "") if legacy else teaching(coverage.points)
            feedback.append(AnswerFeedback(
                member.shown_name, False, coverage.points, (), late_text=answer.late_text,
                note="answered after the deadline: kept, scores nothing", study_next=study_next,
                answer_text=_unseen_text(round_, answer),
            ))
    on_time = sum(1 for f in feedback if f.on_time)
    tally = Tally(len(feedback), on_time, len(feedback) - on_time, sum(ratios) / len(ratios) if ratios else 0.0)
    grader = next(iter(graders)) if len(graders) == 1 else GRADER
    graded_by = judged_words(models, fallbacks) if models or fallbacks else grader_words(grader)
    return RevealCard(
        round_id=round_.id, question_id=question.id, question=question.question, hint=question.hint,
        key_points=tuple(k.point for k in question.key_points), feedback=tuple(feedback), tally=tally,
        model_answer=question.model_answer, graded_by=graded_by, personal=round_.personal,
    )


def _unseen_text(round_: Round, answer: MemberAnswer) -> str:
    """The answer as the reveal shows it where the thread never did (a round answered privately, or an answer
    given privately): the text that was scored when on time, else the late text; empty where the thread shows it."""
    if not round_.private and not any(is_private_ref(part.message_ref) for part in answer.live_parts):
        return ""
    return answer.on_time_text if answer.on_time else answer.late_text


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
