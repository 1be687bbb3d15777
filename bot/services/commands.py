"""Running `/prep` commands: parse, check rights, act, and say what happened."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

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
    SetNudge,
    SetOptOut,
    SetPaused,
    SetPracticePrivacy,
    SetReminder,
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
from bot.wording import (
    PRIVATE_PRACTICE_WORDS,
    no_practice_question_words,
    practice_allowance_words,
    practice_privacy_announcement,
    practice_privacy_text,
)
from bot.ports import ChatError, ChatPort
from bot.questions import QuestionBank
from bot.services.answer_mode import answer_mode_text, set_answer_mode
from bot.services.boards import asked_leaderboard, stats
from bot.services.directory import Directory, Learned
from bot.services.planning import replan
from bot.services.posting import NoPracticeQuestion, start_practice
from bot.services.reminder_commands import reminder_text, set_nudge, set_reminder
from bot.store.unit_of_work import Store
from bot.wording import own_place


def help_card(bank: QuestionBank) -> HelpCard:
    """What `/prep help` shows: what prepbot can do, with the levels a practice question can be at."""
    return HelpCard(tuple(level.value for level in bank.levels()))


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
        return CommandReply((help_card(bank),))
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
        if isinstance(parsed, SetPracticePrivacy):
            return await _set_practice_privacy(parsed, channel, member, store=store, chat=chat)
        if isinstance(parsed, SetReminder):
            return await set_reminder(parsed, channel, member, store=store, chat=chat, now=now)
        if isinstance(parsed, SetNudge):
            return await set_nudge(parsed, channel, member, store=store, now=now)
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
            started = await start_practice(channel, member, parsed.level, store=store, chat=chat, bank=bank,
                                           settings=settings, now=now)
        except ChatError as error:
            return _private(f"I could not post the practice question: {error}", NoticeKind.ERROR)
        if isinstance(started, NoPracticeQuestion):
            return _private(no_practice_question_words(started.level.value if started.level else None),
                            NoticeKind.ERROR)
        if started.allowance is None:
            return _private(PRIVATE_PRACTICE_WORDS)
        return _private(practice_allowance_words(started.allowance))
    if isinstance(parsed, ShowLeaderboard):
        card, place = await asked_leaderboard(channel, member, parsed.period, parsed.level, store=store, now=now)
        await chat.post_message(channel.address, card)
        return CommandReply((own_place(place),)) if place is not None else CommandReply()
    if isinstance(parsed, ShowStats):
        return CommandReply((await stats(channel, member, store=store, now=now),))
    if isinstance(parsed, SetOptOut):
        async with store.unit_of_work() as uow:
            opted_out = (await uow.members.get_many([member.id]))[member.id].opted_out
            if opted_out != parsed.opted_out:
                await uow.members.set_opted_out(member.id, parsed.opted_out)
                await uow.commit()
        if opted_out == parsed.opted_out:
            if opted_out:
                return _private("You are already shown as 'anonymous' on boards and reveals; /prep optin shows your "
                                "name again.")
            return _private("Boards and reveals already show your name; /prep optout hides it.")
        if parsed.opted_out:
            return _private("Done: boards and reveals show you as 'anonymous'. /prep optin undoes it.")
        return _private("Done: boards and reveals show your name again.")
    return await _admin(parsed, channel, member, store=store, chat=chat, settings=settings, now=now,
                        retried=command.retried)


async def _admin(
    parsed: PrepCommand, channel: Channel, member: Member, *, store: Store, chat: ChatPort, settings: Settings,
    now: datetime, retried: bool,
) -> CommandReply:
    schedule = channel.schedule
    subscribed = channel.subscribed
    if isinstance(parsed, ShowConfig):
        state = "subscribed" if subscribed else "not subscribed"
        return _private(f"This channel is {state}: {schedule.describe()}; {await _next_post_text(store, channel)}. "
                        f"{_grader_text(channel.grader)} {practice_privacy_text(channel.practice_private)} "
                        f"{answer_mode_text(channel.answer_mode)} "
                        f"{await reminder_text(store, channel)}")
    already = None if retried else await _already_so(parsed, channel, member, store=store)
    if already is not None:
        return _private(already)
    note = ""
    if isinstance(parsed, Subscribe):
        schedule, subscribed = replace(_apply(schedule, parsed), paused=False), True
    elif isinstance(parsed, SetConfig):
        schedule = _apply(schedule, parsed.changes)
    elif isinstance(parsed, Unsubscribe):
        subscribed = False
    elif isinstance(parsed, SetPaused):
        schedule = replace(schedule, paused=parsed.paused)
    elif isinstance(parsed, SkipNext):
        schedule, slot = schedule.skipping_next(now)
        if slot is None:
            return _private("No question is scheduled here, so there is nothing to skip.")
    elif isinstance(parsed, SetHolidays):
        schedule, notes = _holidays(schedule, parsed)
        note = "; ".join(notes)
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
    return _private(_sentence(note)) if note else CommandReply()


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _listed(days: list[date]) -> str:
    """Dates as members read them in a sentence: `a`, `a and b`, `a, b and c`."""
    shown = [day.isoformat() for day in sorted(days)]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _holidays(schedule: Schedule, parsed: SetHolidays) -> tuple[Schedule, list[str]]:
    """The schedule with the holidays changed as asked, and what of the request was already so."""
    notes = []
    if parsed.country is not None:
        country = None if parsed.country.lower() == "none" else check_country(parsed.country)
        if country == schedule.holiday_country:
            notes.append(f"this channel already follows {country} public holidays" if country else
                         "this channel follows no country's public holidays, so there are none to turn off")
        schedule = replace(schedule, holiday_country=country)
    present = sorted(set(parsed.add) & schedule.holiday_dates)
    if present:
        notes.append(f"{_listed(present)} {'is already one' if len(present) == 1 else 'are already'} of this "
                     "channel's holidays")
    absent = sorted(set(parsed.remove) - schedule.holiday_dates)
    if absent:
        notes.append(f"{_listed(absent)} {'is not one' if len(absent) == 1 else 'are not any'} of this channel's "
                     "holidays, so there is nothing to remove")
    dates = (schedule.holiday_dates | set(parsed.add)) - set(parsed.remove)
    return replace(schedule, holiday_dates=dates), notes


def _verb(parsed: Unsubscribe | SetPaused | SkipNext) -> str:
    if isinstance(parsed, SetPaused):
        return "pause" if parsed.paused else "resume"
    return "unsubscribe" if isinstance(parsed, Unsubscribe) else "skip"


async def _already_so(parsed: PrepCommand, channel: Channel, member: Member, *, store: Store) -> str | None:
    """What is already so when `parsed` would change nothing in `channel`, as the reply that says it; None when it
    changes something."""
    schedule, subscribed = channel.schedule, channel.subscribed
    if isinstance(parsed, Unsubscribe | SetPaused | SkipNext) and not subscribed:
        return f"This channel is not subscribed, so there is nothing to {_verb(parsed)}."
    if isinstance(parsed, SetPaused) and parsed.paused == schedule.paused:
        if parsed.paused:
            return "The daily question is already paused in this channel."
        return "The daily question is not paused in this channel, so there is nothing to resume."
    if isinstance(parsed, SkipNext) and schedule.paused:
        return "The daily question is paused in this channel, so there is no question to skip."
    if isinstance(parsed, Subscribe) and subscribed and not schedule.paused and channel.subscribed_by == member.ref \
            and _apply(schedule, parsed) == schedule:
        return (f"This channel is already subscribed to this schedule: {schedule.describe()}; "
                f"{await _next_post_text(store, channel)}.")
    if isinstance(parsed, SetConfig) and _apply(schedule, parsed.changes) == schedule:
        return f"Nothing to change: the schedule already reads {schedule.describe()}."
    if isinstance(parsed, SetHolidays):
        changed, notes = _holidays(schedule, parsed)
        if changed == schedule:
            return _sentence("; ".join(notes) or "nothing to change")
    return None


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


async def _set_practice_privacy(
    parsed: SetPracticePrivacy, channel: Channel, member: Member, *, store: Store, chat: ChatPort,
) -> CommandReply:
    if parsed.private == channel.practice_private:
        return _private(f"Nothing to change. {practice_privacy_text(channel.practice_private)}")
    async with store.unit_of_work() as uow:
        await uow.channels.set_practice_private(channel.id, parsed.private)
        await uow.commit()
    await chat.post_message(channel.address, Notice(practice_privacy_announcement(member.display_name,
                                                                                  parsed.private)))
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

