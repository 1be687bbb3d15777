"""A daily round's reminder before its deadline, and the private nudges.

The reminder is planned when its question is posted, and posted once in the question's thread with the answers so
far; a private nudge goes to each member who asked for one and has not answered."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.cards import NudgeCard, ReminderCard
from bot.domain.model import Channel, Round, Task
from bot.domain.reminders import NoReminder, decide_reminder, reminder_offset
from bot.logs import add_log_context
from bot.ports import ChatError, ChatPort, ThreadGone
from bot.questions import QuestionBank
from bot.services.claims import ClaimGuard
from bot.services.outcomes import TaskResult, settle
from bot.services.posting import missing_question
from bot.store.repositories.reminders import ReminderProgress
from bot.store.unit_of_work import Store

log = logging.getLogger("prepbot.rounds")


async def remind(
    task: Task, *, store: Store, chat: ChatPort, bank: QuestionBank, now: datetime, claim: ClaimGuard | None = None,
) -> TaskResult:
    """Posts the round's reminder in its question's thread with the answers so far, then nudges the members who
    asked for it and have not answered. Nothing is posted for a practice round, once the deadline passed or the
    round closed, or when the channel turned reminders off since the question was posted.

    The reminder is posted once: it is recorded, under the task's claim, when an attempt is about to post it, so a
    later attempt asks the platform for it before posting (see `ChatPort.find_posted`). The nudges go out at most
    once: they are recorded before they are sent. When the platform refuses, the task ends as `settle` says."""
    assert task.round_id is not None
    async with store.unit_of_work() as uow:
        round_ = await uow.rounds.get(task.round_id)
        channel = await uow.channels.get(round_.channel_id)
        offset = reminder_offset(await uow.reminders.minutes(channel.id))
        progress = await uow.reminders.progress(round_.id)
        answers = await uow.reminders.answer_count(round_.id)
    add_log_context(channel.address, round_id=round_.id)
    decision = decide_reminder(round_, now, offset)
    if isinstance(decision, NoReminder):
        return TaskResult(f"skipped ({decision.reason})")
    assert round_.deadline_at is not None and round_.message_ref is not None
    card = ReminderCard(round_.id, round_.deadline_at, channel.schedule.tz, decision.left, answers, round_.private)
    try:
        if progress.message_ref is None:
            await _post_reminder(round_, card, channel, progress, store=store, chat=chat, now=now, claim=claim,
                                 task=task)
    except ThreadGone as error:  # the question's thread is gone: no reminder, the nudges still go
        log.warning("the question's thread is gone (%s): no reminder posted", error)
    except ChatError as error:
        return await settle(error, channel, store=store, chat=chat, now=now)
    nudged = await _nudge(round_, channel, bank, decision.left, store=store, chat=chat, now=now, claim=claim,
                          task=task)
    return TaskResult(f"reminded round {round_.id} ({answers} answers, {nudged} nudged)")


async def _post_reminder(
    round_: Round, card: ReminderCard, channel: Channel, progress: ReminderProgress, *, store: Store,
    chat: ChatPort, now: datetime, claim: ClaimGuard | None, task: Task,
) -> None:
    """Posts the reminder in the question's thread and records it. When an earlier attempt was about to post it
    (it may have, then died before recording it), asks the platform first and records a reminder found there
    instead of posting it again. Raises ChatError when the platform refuses."""
    assert round_.message_ref is not None
    fence = task if claim is not None else None
    found = None
    if progress.started_at is not None:
        found = await chat.find_posted(channel.address, card, since=progress.started_at,
                                       thread_ref=round_.message_ref)
    if found is None:
        async with store.unit_of_work() as uow:
            if claim is not None:
                await claim.fence(uow)
            await uow.reminders.mark_started(round_.id, now, fence=fence)
            await uow.commit()
        if claim is not None:
            await claim.before_posting()
        reminder_ref = await chat.reply_in_thread(channel.address, round_.message_ref, card)
    else:
        reminder_ref = found
    async with store.unit_of_work() as uow:
        if claim is not None:
            await claim.fence(uow)
        await uow.reminders.mark_posted(round_.id, reminder_ref, fence=fence)
        await uow.commit()
    if found is not None:
        log.warning("the reminder was already posted (the attempt that posted it did not record it): recorded, "
                    "not posted again", extra={"reminder_ref": reminder_ref})
    else:
        log.info("reminder posted with %d answers so far", card.answers, extra={"reminder_ref": reminder_ref})


async def _nudge(
    round_: Round, channel: Channel, bank: QuestionBank, left: timedelta, *, store: Store, chat: ChatPort,
    now: datetime, claim: ClaimGuard | None, task: Task,
) -> int:
    """Sends a private nudge to each member who asked for one in the channel and has no answer standing; returns
    how many were sent. The nudges are recorded as sent first (under the claim), so no member gets one twice."""
    async with store.unit_of_work() as uow:
        members = await uow.reminders.to_nudge(channel.id, round_.id)
        if not members:
            return 0
        if claim is not None:
            await claim.fence(uow)
        if not await uow.reminders.mark_nudged(round_.id, now, fence=task if claim is not None else None):
            return 0  # an earlier attempt sent them
        await uow.commit()
    assert round_.deadline_at is not None
    question = bank.get(round_.question_id) or missing_question(round_.question_id)
    card = NudgeCard(round_.id, question.question, round_.deadline_at, channel.schedule.tz, left, channel.name)
    sent = 0
    for member in members:
        try:
            await chat.message_member(channel.address, member.ref, card)
            sent += 1
        except ChatError as error:
            log.warning("could not nudge member %s: %s", member.id, error)
    return sent
