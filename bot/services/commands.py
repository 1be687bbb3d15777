"""Running `/prep` commands: parse, check rights, act, and say what happened."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.cards import HelpCard, Notice, NoticeKind
from bot.commands import UsageError, parse_prep
from bot.config import Settings
from bot.domain.model import Channel, Member, TaskKind
from bot.domain.schedule import Schedule, check_country
from bot.domain.timeparse import ParseError
from bot.messages import (
    ADMIN_COMMANDS,
    CommandReply,
    PrepCommand,
    RunCommand,
    SetAnswerMode,
    SetConfig,
    SetGrader,
    SetHolidays,
    SetOptOut,
    SetPaused,
    ShowConfig,
    ShowHelp,
    ShowLeaderboard,
    ShowStats,
    SkipNext,
    StartPractice,
    Subscribe,
    Unsubscribe,
)
from bot.judging import Judge
from bot.ports import ChatError, ChatPort
from bot.questions import QuestionBank
from bot.services.answer_mode import answer_mode_text, set_answer_mode
from bot.services.boards import leaderboard, stats
from bot.services.directory import Directory, Learned
from bot.services.planning import replan
from bot.services.posting import start_practice
from bot.store.unit_of_work import Store



def _private(text: str, kind: NoticeKind = NoticeKind.INFO) -> CommandReply:
    return CommandReply((Notice(text, kind),))


def _apply(schedule: Schedule, changes: Subscribe) -> Schedule:
    updated = schedule
    if changes.post_time is not None:
        updated = replace(updated, post_time=changes.post_time)
    if changes.tz is not None:
        updated = replace(updated, tz=changes.tz)
    if changes.weekdays is not None:
        updated = replace(updated, weekdays=changes.weekdays)
    if changes.deadline is not None:
        updated = replace(updated, deadline=changes.deadline)
    if changes.levels is not None:
        updated = replace(updated, levels=changes.levels)
    return updated


async def _next_post_text(store: Store, channel: Channel) -> str:
    async with store.unit_of_work() as uow:
        pending = await uow.tasks.pending(channel.id, TaskKind.POST_DAILY)
    if not pending:
        return "no question is scheduled"
    local = pending[0].astimezone(channel.schedule.zone)
    return f"next question {local:%a %d %b %H:%M} {channel.schedule.tz}"


async def run_command(
    command: RunCommand, *, store: Store, chat: ChatPort, bank: QuestionBank, settings: Settings, now: datetime,
    directory: Directory, judge: Judge | None = None,
) -> CommandReply:
    """Runs one `/prep` command. Returns what only the caller should see; public posts go through `chat`.
    `judge` is the AI judge configured in this process, if any (`/prep config grader ai` needs one)."""
    try:
        parsed = parse_prep(command.text)
    except UsageError as error:
        return _private(str(error), NoticeKind.ERROR)
    if isinstance(parsed, ShowHelp):
        return CommandReply((HelpCard(tuple(level.value for level in bank.levels())),))
    if isinstance(parsed, ADMIN_COMMANDS) and not await chat.is_admin(command.channel, command.speaker.ref):
        return _private("Only this channel's admins can change its schedule; nothing was changed.", NoticeKind.ERROR)
    learned = Learned()
    async with store.unit_of_work() as uow:
        channel = await directory.channel(uow, command.channel, command.channel_name, settings.default_schedule(),
                                          now, learned)
        member = await directory.member(uow, command.channel, command.speaker, learned)
        if learned.wrote:
            await uow.commit()
    directory.remember(learned)
    try:
        if isinstance(parsed, SetGrader):
            return await _set_grader(parsed, channel, member, store=store, chat=chat, judge=judge)
        if isinstance(parsed, SetAnswerMode):
            return await set_answer_mode(parsed, channel, member, store=store, chat=chat)
        return await _dispatch(parsed, channel, member, command, store=store, chat=chat, bank=bank,
                               settings=settings, now=now)
    except ParseError as error:
        return _private(str(error), NoticeKind.ERROR)


async def _dispatch(
    parsed: PrepCommand, channel: Channel, member: Member, command: RunCommand, *, store: Store, chat: ChatPort,
    bank: QuestionBank, settings: Settings, now: datetime,
) -> CommandReply:
    if isinstance(parsed, StartPractice):
        if parsed.level is not None and not bank.at_levels([parsed.level]):
            return _private(f"There are no {parsed.level.value} questions in the bank.", NoticeKind.ERROR)
        try:
            await start_practice(channel, member, parsed.level, store=store, chat=chat, bank=bank,
                                 settings=settings, now=now)
        except ChatError as error:
            return _private(f"I could not post the practice question: {error}", NoticeKind.ERROR)
        return CommandReply()
    if isinstance(parsed, ShowLeaderboard):
        card = await leaderboard(channel, parsed.period, parsed.level, store=store, now=now)
        await chat.post_message(channel.address, card)
        return CommandReply()
    if isinstance(parsed, ShowStats):
        return CommandReply((await stats(channel, member, store=store, now=now),))
    if isinstance(parsed, SetOptOut):
        async with store.unit_of_work() as uow:
            await uow.members.set_opted_out(member.id, parsed.opted_out)
            await uow.commit()
        if parsed.opted_out:
            return _private("Done: boards and reveals show you as 'anonymous'. `/prep optin` undoes it.")
        return _private("Done: boards and reveals show your name again.")
    return await _admin(parsed, channel, member, store=store, chat=chat, settings=settings, now=now)


async def _admin(
    parsed: PrepCommand, channel: Channel, member: Member, *, store: Store, chat: ChatPort, settings: Settings,
    now: datetime,
) -> CommandReply:
    schedule = channel.schedule
    subscribed = channel.subscribed
    if isinstance(parsed, ShowConfig):
        state = "subscribed" if subscribed else "not subscribed"
        return _private(f"This channel is {state}: {schedule.describe()}; {await _next_post_text(store, channel)}. "
                        f"{_grader_text(channel.grader)} {answer_mode_text(channel.answer_mode)}")
    if isinstance(parsed, Subscribe):
        schedule, subscribed = replace(_apply(schedule, parsed), paused=False), True
    elif isinstance(parsed, SetConfig):
        schedule = _apply(schedule, parsed.changes)
    elif isinstance(parsed, Unsubscribe):
        subscribed = False
    elif isinstance(parsed, SetPaused):
        schedule = replace(schedule, paused=parsed.paused)
    elif isinstance(parsed, SkipNext):
        if not subscribed or schedule.paused:
            return _private("There is no upcoming question to skip.", NoticeKind.ERROR)
        schedule, slot = schedule.skipping_next(now)
        if slot is None:
            return _private("There is no upcoming question to skip.", NoticeKind.ERROR)
    elif isinstance(parsed, SetHolidays):
        if parsed.country is not None:
            country = None if parsed.country.lower() == "none" else check_country(parsed.country)
            schedule = replace(schedule, holiday_country=country)
        schedule = replace(schedule, holiday_dates=(schedule.holiday_dates | set(parsed.add)) - set(parsed.remove))
    schedule.validate()
    async with store.unit_of_work() as uow:
        await uow.channels.save(
            channel.id, schedule, subscribed, subscribed_by=member.ref if isinstance(parsed, Subscribe) else None
        )
        updated = await uow.channels.get(channel.id)
        await replan(uow, updated, now)
        await uow.commit()
    announcement = _announcement(parsed, updated, member.display_name)
    summary = await _next_post_text(store, updated) if updated.subscribed else "no more daily questions here"
    try:
        await chat.post_message(channel.address, Notice(f"{announcement} ({summary})."))
    except ChatError as error:
        if not (isinstance(parsed, Subscribe) and error.gone):
            raise
        # The bot cannot post here (not invited, say): a subscription would post nothing and tell nobody.
        async with store.unit_of_work() as uow:
            await uow.channels.save(channel.id, channel.schedule, channel.subscribed)
            await replan(uow, await uow.channels.get(channel.id), now)
            await uow.commit()
        return _private("I cannot post in this channel, so I did not subscribe it: invite me to the channel first, "
                        "then subscribe again. Nothing was changed.", NoticeKind.ERROR)
    return CommandReply()


def _grader_text(grader: str) -> str:
    if grader == "ai":
        return "Grader: the AI judge (answers are sent to its endpoint; the offline grader grades what it cannot)."
    return "Grader: offline."


async def _set_grader(
    parsed: SetGrader, channel: Channel, member: Member, *, store: Store, chat: ChatPort, judge: Judge | None,
) -> CommandReply:
    if parsed.grader == "ai" and judge is None:
        return _private("No AI judge is configured for this bot (PREPBOT_JUDGE_BASE_URL and PREPBOT_JUDGE_MODEL), so "
                        "answers here stay graded offline. Nothing was changed.", NoticeKind.ERROR)
    if parsed.grader == channel.grader:
        return _private(f"Nothing to change. {_grader_text(channel.grader)}")
    async with store.unit_of_work() as uow:
        await uow.channels.set_grader(channel.id, parsed.grader)
        await uow.commit()
    if parsed.grader == "ai":
        assert judge is not None
        text = (f"{member.display_name} switched grading to the AI judge (model {judge.model}): at each reveal from "
                "now on, the answers in this channel are sent to its endpoint to be graded. The offline grader grades any "
                "answer the judge cannot.")
    else:
        text = f"{member.display_name} switched grading to the offline grader: answers stay on this bot's server."
    await chat.post_message(channel.address, Notice(text))
    return CommandReply()


def _announcement(parsed: PrepCommand, channel: Channel, by: str) -> str:
    schedule = channel.schedule
    if isinstance(parsed, Subscribe):
        return f"{by} subscribed this channel to a daily question: {schedule.describe()}"
    if isinstance(parsed, Unsubscribe):
        return f"{by} unsubscribed this channel"
    if isinstance(parsed, SetPaused):
        return f"{by} {'paused' if parsed.paused else 'resumed'} the daily question"
    if isinstance(parsed, SkipNext):
        skipped = max(schedule.skip_dates) if schedule.skip_dates else None
        return f"{by} skipped the question of {skipped:%a %d %b}" if skipped else f"{by} skipped the next question"
    if isinstance(parsed, SetHolidays):
        return f"{by} changed the holidays: {schedule.describe()}"
    return f"{by} changed the schedule: {schedule.describe()}"

