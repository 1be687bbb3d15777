"""Posting a question: the channel's daily question when its slot falls due, and a member's practice question."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from bot.cards import QuestionCard
from bot.config import Settings
from bot.domain.model import Channel, Member, Round, RoundKind, Task, TaskKind
from bot.domain.posting import AlreadyPosted, Decision, Post, Recover, Skip, decide
from bot.domain.questions import KeyPoint, Level, Question
from bot.domain.practice import PracticeAllowance, PracticeHistory, choose_practice, practice_allowance
from bot.domain.rotation import pick_daily
from bot.domain.schedule import Slot
from bot.logs import add_log_context
from bot.ports import ChatError, ChatPort
from bot.questions import QuestionBank
from bot.services.claims import ClaimGuard
from bot.services.outcomes import TaskResult, settle
from bot.services.planning import plan_next_post, plan_reminder
from bot.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("prepbot.rounds")


def missing_question(question_id: str) -> Question:
    """Stands in for a question whose pack was removed, so its round can still close."""
    return Question(question_id, Level.BEGINNER, f"(question {question_id} is no longer in the bank)",
                    "(hint unavailable)", (KeyPoint("(key points unavailable)", ()),))


def question_card(round_: Round, question: Question, channel: Channel, requester: Member | None = None,
                  closed: bool = False) -> QuestionCard:
    """The card of a round's question, as posted (open) or as updated at the reveal (`closed`)."""
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
        private=round_.private,
        personal=round_.personal,
    )


async def post_daily(
    task: Task, *, store: Store, chat: ChatPort, bank: QuestionBank, settings: Settings, now: datetime,
    claim: ClaimGuard | None = None,
) -> TaskResult:
    """Posts the channel's daily question for the task's slot, recovers it when an earlier attempt posted it without
    recording it, or skips the slot, as the domain decides (see `bot.domain.posting.decide`); then plans the next
    post. When the platform refuses, the task ends as `settle` says and nothing more is planned."""
    assert task.slot_date is not None
    slot = Slot(task.slot_date, task.due_at)
    async with store.unit_of_work() as uow:
        channel = await uow.channels.get(task.channel_id)
        add_log_context(channel.address)
        round_ = await uow.rounds.daily(channel.id, slot.local_date)
        decision = decide(slot, channel, round_, now, settings.grace_delta)
        if isinstance(decision, Post) and round_ is None:
            round_ = await _new_daily_round(uow, channel, slot, bank, decision.deadline, now)
            await uow.commit()
    if round_ is not None:
        add_log_context(round_id=round_.id)
    try:
        done = await _carry_out(decision, round_, channel, store=store, chat=chat, bank=bank, now=now, claim=claim,
                                task=task)
    except ChatError as error:
        return await settle(error, channel, store=store, chat=chat, now=now)
    async with store.unit_of_work() as uow:
        await plan_next_post(uow, channel, done.resume_after if isinstance(done, Skip) else slot.due_at)
        await uow.commit()
    if isinstance(done, Skip):
        if done.missed:
            log.warning("daily post for channel %s skipped: %s", channel.id, done.reason)
        return TaskResult(f"skipped ({done.reason})")
    return TaskResult(f"posted round {done.id}")


async def _new_daily_round(
    uow: UnitOfWork, channel: Channel, slot: Slot, bank: QuestionBank, deadline_at: datetime, now: datetime
) -> Round:
    """The slot's round, pending, with its question chosen in rotation and the deadline it is to be posted with."""
    candidates = bank.at_levels(channel.schedule.levels) or bank.all()
    usage = await uow.rounds.daily_usage(channel.id)
    question = pick_daily(candidates, usage, seed=f"{channel.id}:{slot.local_date}")
    round_ = await uow.rounds.create(channel.id, question.id, question.level, RoundKind.DAILY, slot.local_date, now,
                                     deadline_at=deadline_at)
    assert round_ is not None
    return round_


async def _carry_out(
    decision: Decision, round_: Round | None, channel: Channel, *, store: Store,
    chat: ChatPort, bank: QuestionBank, now: datetime, claim: ClaimGuard | None, task: Task,
) -> Round | Skip:
    """Does what the domain decided for the slot of `round_`: the open round when its question is posted (or was
    already), the Skip when nothing is. Raises ChatError when the platform refuses what has to be done."""
    if isinstance(decision, Skip):
        return decision
    assert round_ is not None
    if isinstance(decision, AlreadyPosted):
        return round_
    question = bank.get(round_.question_id) or missing_question(round_.question_id)
    if isinstance(decision, Recover):
        try:
            found = await _recover(store, chat, round_, channel, question, decision.deadline, now, claim, task)
        except ChatError as error:
            if isinstance(decision.otherwise, Post):
                raise
            log.warning("could not ask whether the question of round %s was posted: %s", round_.id, error)
            found = None
        if found is not None:
            return found
        if isinstance(decision.otherwise, Skip):
            return decision.otherwise
        deadline_at = decision.otherwise.deadline
        async with store.unit_of_work() as uow:  # a new attempt, a new deadline: recorded before a card shows it
            await uow.rounds.plan_deadline(round_.id, deadline_at)
            await uow.commit()
    else:
        deadline_at = decision.deadline
    return await _publish(store, chat, round_, channel, question, deadline_at, now, claim=claim, task=task)


@dataclass(frozen=True)
class PracticeStarted:
    """A practice question given to a member: its open round, and where the request stands against the daily cap
    on scored practice (None for a private one, which is not answered in a thread and so earns no points)."""

    round: Round
    allowance: PracticeAllowance | None


@dataclass(frozen=True)
class NoPracticeQuestion:
    """Every question of the member's choice of levels is the channel's daily question in play."""

    level: Level | None


async def start_practice(
    channel: Channel, member: Member, level: Level | None, *, store: Store, chat: ChatPort, bank: QuestionBank,
    settings: Settings, now: datetime,
) -> PracticeStarted | NoPracticeQuestion:
    """Gives `member` a practice question (any of the channel's levels when `level` is None), chosen by
    `bot.domain.practice.choose_practice` and never the channel's open or today's daily question: posted in the
    channel with its own thread, or, when the channel keeps practice private, shown to the member alone."""
    today = channel.schedule.local_date(now)
    async with store.unit_of_work() as uow:
        candidates = bank.at_levels([level]) if level else bank.at_levels(channel.schedule.levels) or bank.all()
        history = PracticeHistory(await uow.rounds.practised_by(member.id), await uow.results.best_coverage(member.id))
        withheld = await uow.rounds.daily_questions_in_play(channel.id, today)
        question = choose_practice(candidates, history, withheld=withheld, member_id=member.id, now=now)
        if question is None:
            return NoPracticeQuestion(level)
        allowance = None
        if not channel.practice_private:
            allowance = practice_allowance(
                await uow.points.scored_practice_count(channel.id, member.id, today),
                await uow.rounds.open_practice_count(channel.id, member.id, today),
                settings.practice_daily_cap,
            )
        round_ = await uow.rounds.create(
            channel.id, question.id, question.level, RoundKind.PRACTICE, today, now, requested_by=member.id,
            personal=channel.practice_private,
        )
        assert round_ is not None
        await uow.commit()
    deadline_at = now + settings.practice_window_delta
    if round_.personal:
        card = question_card(replace(round_, deadline_at=deadline_at), question, channel, member)
        await chat.tell_member(channel.address, member.ref, card)
        posted = await _record_posted(store, round_, channel, None, deadline_at, now)
    else:
        posted = await _publish(store, chat, round_, channel, question, deadline_at, now, member)
    return PracticeStarted(posted, allowance)


async def _publish(
    store: Store, chat: ChatPort, round_: Round, channel: Channel, question: Question, deadline_at: datetime,
    now: datetime, requester: Member | None = None, claim: ClaimGuard | None = None, task: Task | None = None,
) -> Round:
    """Posts a pending round's question, then records it as open and schedules its reveal; returns the open round.
    Raises ChatError when the platform refuses the post, ClaimLost when the task's claim was lost before it."""
    draft = replace(round_, deadline_at=deadline_at)
    if claim is not None:
        await claim.before_posting()
    message_ref = await chat.post_question(channel.address, question_card(draft, question, channel, requester))
    posted = await _record_posted(store, round_, channel, message_ref, deadline_at, now, claim, task)
    log.info("%s question %s posted, answers until %s", round_.kind.value, question.id,
             f"{deadline_at:%Y-%m-%d %H:%M} UTC", extra={"round": round_.id, "message_ref": message_ref})
    return posted


async def _recover(
    store: Store, chat: ChatPort, round_: Round, channel: Channel, question: Question, deadline_at: datetime,
    now: datetime, claim: ClaimGuard | None = None, task: Task | None = None,
) -> Round | None:
    """Asks the platform whether the bot posted the question of a pending round (with `deadline_at` on its card),
    and if it did, records that message; returns the open round, or None when the question was not posted. Raises
    ChatError when the platform cannot be asked."""
    draft = replace(round_, deadline_at=deadline_at)
    since = round_.created_at or now
    message_ref = await chat.find_posted(channel.address, question_card(draft, question, channel), since=since)
    if message_ref is None:
        return None
    posted = await _record_posted(store, round_, channel, message_ref, deadline_at, now, claim, task)
    log.warning("question %s was already posted (the attempt that posted it did not record it): recorded, not "
                "posted again", question.id, extra={"round": round_.id, "message_ref": message_ref})
    return posted


async def _record_posted(
    store: Store, round_: Round, channel: Channel, message_ref: str | None, deadline_at: datetime, now: datetime,
    claim: ClaimGuard | None = None, task: Task | None = None,
) -> Round:
    """Records a round's question as posted (`message_ref`, answers until `deadline_at`) and schedules its reveal;
    returns the open round. Under a task's claim, only while the claim holds (else ClaimLost, nothing written)."""
    async with store.unit_of_work() as uow:
        if claim is not None:
            await claim.fence(uow)
        await uow.rounds.mark_posted(round_.id, message_ref, now, deadline_at, fence=task)
        await uow.tasks.schedule(TaskKind.REVEAL, channel.id, deadline_at, f"reveal:{round_.id}", round_id=round_.id)
        await plan_reminder(uow, round_, channel, now, deadline_at)  # a daily round's reminder, when it has one
        await uow.commit()
        return await uow.rounds.get(round_.id)
