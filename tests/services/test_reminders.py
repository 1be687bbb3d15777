"""A daily question's reminder and the private nudges.

A daily question is reminded in its thread before the deadline (2 h by default) with the answers so far, once,
across restarts and replicas; members who asked get a private nudge when they have not answered.

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta

from bot.app import PrepBot
from bot.bootstrap import bootstrap
from bot.cards import Card, Notice, NudgeCard, QuestionCard, ReminderCard
from bot.config import Settings
from bot.messages import CommandReply
from bot.domain.model import ChannelAddress, TaskKind
from bot.ports import ChatError
from bot.services.claims import ProcessIdentity
from tests.fakes.chat import FakeChat, Posted
from tests.services.team import (
    ALICE, BOB, CAROL, DAVE, GENERAL, MONDAY, NOTHING, Team, berlin, day, open_question, shipped_bank,
)


class Killed(Exception):
    """The process died right after the platform took the post."""


def only_notice(reply: CommandReply) -> Notice:
    [card] = reply.cards
    assert isinstance(card, Notice)
    return card


def reminders(team: Team, question: Posted | None = None) -> list[Posted]:
    return [p for p in team.chat.posts if isinstance(p.card, ReminderCard)
            and (question is None or p.thread_ref == question.ref)]


def nudges(chat: FakeChat) -> list[tuple[str, Card]]:
    return [(ref, card) for ref, card in chat.direct if isinstance(card, NudgeCard)]


async def pending(team: Team, kind: TaskKind) -> list:  # type: ignore[type-arg]
    async with team.bot.store.unit_of_work() as uow:
        channel = await uow.channels.find(GENERAL)
        assert channel is not None
        return await uow.tasks.pending(channel.id, kind)


async def test_the_question_is_reminded_in_its_thread_two_hours_before_the_deadline_with_the_answers_so_far(
    team: Team,
) -> None:
    question = await open_question(team)
    await team.answer(question, NOTHING, by=ALICE)
    await team.answer(question, NOTHING, by=ALICE)  # two replies, one answer
    await team.answer(question, NOTHING, by=BOB)
    withdrawn = await team.reply_ref(question, NOTHING, by=CAROL)
    await team.withdraw(withdrawn)

    await team.until(berlin(MONDAY, 14, 59))
    assert reminders(team) == []
    await team.until(berlin(MONDAY, 15, 0))

    [posted] = reminders(team)
    assert posted.thread_ref == question.ref and posted.private_to is None
    assert isinstance(posted.card, ReminderCard) and isinstance(question.card, ReminderCard) is False
    assert (posted.card.answers, posted.card.left) == (2, timedelta(hours=2))
    assert posted.card.deadline_at == berlin(MONDAY, 17, 0)
    assert isinstance(question.card, QuestionCard) and posted.card.private == question.card.private
    async with team.bot.store.unit_of_work() as uow:
        assert (await uow.reminders.progress(posted.card.round_id)).message_ref == posted.ref
    await team.until(berlin(MONDAY, 17, 30))
    assert len(reminders(team)) == 1 and len(team.reveals(question)) == 1


async def test_a_deadline_sooner_than_the_reminder_after_posting_gets_no_reminder(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 2h")
    await team.until(berlin(MONDAY, 12, 0))
    assert len(team.daily_questions()) == 1
    assert reminders(team) == [] and await pending(team, TaskKind.REMIND) == []


async def test_a_practice_round_gets_no_reminder(team: Team) -> None:
    await team.subscribe()
    await team.prep("config reminder 10m")
    await team.prep("beginner", by=ALICE)
    assert [q for q in team.questions() if q.question.practice]
    await team.until(berlin(MONDAY, 9, 0))
    assert reminders(team) == [] and await pending(team, TaskKind.REMIND) == []


async def test_no_reminder_is_posted_after_the_deadline_even_when_the_bot_was_down(team: Team) -> None:
    question = await open_question(team)
    await team.restart(at=berlin(MONDAY, 17, 20))
    await team.until(berlin(MONDAY, 17, 30))
    assert reminders(team) == [] and len(team.reveals(question)) == 1
    assert await pending(team, TaskKind.REMIND) == []


async def test_an_admin_sets_the_reminder_or_turns_it_off_and_config_shows_it(team: Team) -> None:
    await team.subscribe()
    assert "Reminder: 2 h before the deadline" in only_notice(await team.prep("config")).text

    assert (await team.prep("config reminder 1h30m")).cards == ()
    assert "set the reminder: 1 h 30 min before the deadline" in team.channel_notices()[-1].text
    assert "Reminder: 1 h 30 min before the deadline" in only_notice(await team.prep("config")).text
    assert "Nothing to change" in only_notice(await team.prep("config reminder 90m")).text
    assert "Only this channel's admins" in only_notice(await team.prep("config reminder off", by=ALICE)).text

    await team.until(berlin(MONDAY, 15, 30))
    [posted] = reminders(team)
    assert isinstance(posted.card, ReminderCard) and posted.card.left == timedelta(minutes=90)

    await team.prep("config reminder off")
    assert "turned off the reminder" in team.channel_notices()[-1].text
    assert "Reminder: off." in only_notice(await team.prep("config")).text
    await team.until(berlin(MONDAY + timedelta(days=1), 17, 0))
    assert len(reminders(team)) == 1


async def test_a_reminder_planned_before_reminders_were_turned_off_is_not_posted(team: Team) -> None:
    await open_question(team)
    assert len(await pending(team, TaskKind.REMIND)) == 1
    await team.prep("config reminder off")
    await team.until(berlin(MONDAY, 17, 0))
    assert reminders(team) == []


async def test_a_reminder_longer_than_the_answering_window_is_set_with_a_warning(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 1h")
    await team.prep("config reminder 3h")
    assert "open for 1 h, so no reminder is posted" in team.channel_notices()[-1].text


async def test_only_members_who_asked_and_have_not_answered_are_nudged_privately(team: Team) -> None:
    question = await open_question(team)
    for member in (ALICE, BOB, CAROL):
        assert "Done: when you have not answered" in only_notice(await team.prep("nudge on", by=member)).text
    assert "Nothing to change: you already get" in only_notice(await team.prep("nudge on", by=BOB)).text
    assert "Done: you get no private nudge" in only_notice(await team.prep("nudge off", by=CAROL)).text
    assert "You asked for this" in only_notice(await team.prep("nudge", by=BOB)).text
    await team.answer(question, NOTHING, by=ALICE)
    await team.answer(question, NOTHING, by=DAVE)

    await team.until(berlin(MONDAY, 17, 30))

    [(to, card)] = nudges(team.chat)
    assert to == BOB.ref and isinstance(card, NudgeCard)
    assert (card.left, card.channel_name, card.deadline_at) == (timedelta(hours=2), "general", berlin(MONDAY, 17, 0))
    assert card.question == team.question_of(question).question
    [posted] = reminders(team)
    assert isinstance(posted.card, ReminderCard) and posted.card.answers == 2


async def test_a_member_asking_for_a_nudge_where_reminders_are_off_is_told(team: Team) -> None:
    await team.subscribe()
    await team.prep("config reminder off")
    assert "Reminders are off in this channel" in only_notice(await team.prep("nudge on", by=ALICE)).text


async def test_a_reminder_whose_answer_was_lost_is_recorded_not_posted_again(team: Team) -> None:
    question = await open_question(team)
    await team.prep("nudge on", by=BOB)
    team.chat.lose_next_post.append(ChatError("Slack chat.postMessage: TimeoutError"))

    await team.until(berlin(MONDAY, 15, 10))

    [posted] = reminders(team, question)
    [lookup] = team.chat.lookups
    assert (lookup.kind, lookup.thread_ref, lookup.found, lookup.since) == (
        "reminder", question.ref, posted.ref, berlin(MONDAY, 15, 0))
    assert isinstance(posted.card, ReminderCard)
    async with team.bot.store.unit_of_work() as uow:
        assert (await uow.reminders.progress(posted.card.round_id)).message_ref == posted.ref
    assert [to for to, _ in nudges(team.chat)] == [BOB.ref]


async def test_a_reminder_posted_just_before_a_crash_is_recorded_after_the_restart_and_nudges_go_once(
    team: Team,
) -> None:
    question = await open_question(team)
    await team.prep("nudge on", by=BOB)
    team.chat.lose_next_post.append(Killed("SIGKILL"))
    await team.until(berlin(MONDAY, 15, 0))
    assert nudges(team.chat) == []

    await team.restart(at=berlin(MONDAY, 15, 5))
    await team.until(berlin(MONDAY, 17, 30))

    assert len(reminders(team, question)) == 1
    assert [to for to, _ in nudges(team.chat)] == [BOB.ref]
    assert [lookup.kind for lookup in team.chat.lookups] == ["reminder"]


@dataclass
class SlowNudges(FakeChat):
    """A chat whose direct messages wait until `go` is set: a replica stalled while it nudges."""

    go: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: asyncio.Event = field(default_factory=asyncio.Event)

    async def message_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        self.waiting.set()
        await self.go.wait()
        await super().message_member(channel, member_ref, card)


def replica(team: Team, chat: FakeChat, host: str) -> PrepBot:
    """Another process on the team's database and clock, posting through `chat`, on a host of its own."""
    bot = bootstrap(replace(Settings(), database_url=team.database_url), chat, team.clock, shipped_bank(),
                    monotonic=time.monotonic)
    bot.due.identity = ProcessIdentity(1, host, "i1")
    return bot


async def test_two_replicas_racing_for_the_reminder_post_it_once(team: Team) -> None:
    await open_question(team)
    await team.prep("nudge on", by=BOB)
    team.bot.due.identity = ProcessIdentity(1, "host-a", "i0")
    other = replica(team, team.chat, "host-b")
    await other.start()
    try:
        team.clock.set(berlin(MONDAY, 15, 0))
        await asyncio.gather(team.bot.due.drain(), other.due.drain())
    finally:
        await other.close()
    assert len(reminders(team)) == 1 and [to for to, _ in nudges(team.chat)] == [BOB.ref]


async def test_a_replica_stalled_past_its_lease_while_nudging_is_not_repeated_by_the_one_that_takes_over(
    team: Team,
) -> None:
    await open_question(team)
    await team.prep("nudge on", by=BOB)
    await team.bot.close()
    slow = SlowNudges()
    stalled, taker = replica(team, slow, "host-a"), replica(team, team.chat, "host-b")
    await stalled.start()
    await taker.start()
    try:
        team.clock.set(berlin(MONDAY, 15, 0))
        first = asyncio.create_task(stalled.due.drain())
        await asyncio.wait_for(slow.waiting.wait(), 10)
        team.clock.set(berlin(MONDAY, 15, 5))  # far past its lease
        await taker.due.drain()
        slow.go.set()
        await asyncio.wait_for(first, 10)
        await taker.run_until(berlin(MONDAY, 17, 30), team.clock)
    finally:
        await stalled.close()
        await taker.close()
        team.bot = replica(team, team.chat, "host-c")
        await team.bot.start()
    assert len(reminders(team)) + len([p for p in slow.posts if isinstance(p.card, ReminderCard)]) == 1
    assert [to for to, _ in nudges(slow)] + [to for to, _ in nudges(team.chat)] == [BOB.ref]


async def test_a_privately_answered_question_is_reminded_with_its_private_path_and_a_thread_one_with_its_thread(
    team: Team,
) -> None:
    await open_question(team)
    await team.until(berlin(MONDAY, 15, 0))
    await team.prep("config answers thread")
    await team.until(berlin(day(1), 15, 0))

    private, in_thread = (p.card for p in reminders(team))
    assert isinstance(private, ReminderCard) and private.private
    assert isinstance(in_thread, ReminderCard) and not in_thread.private
