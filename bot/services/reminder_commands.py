"""The reminder's commands: `/prep config reminder`, `/prep nudge`, and how reminders stand.

An admin sets a channel's reminder (`/prep config reminder 2h|off`), a member asks for a private nudge (`/prep nudge
on|off`), and `/prep config` says how reminders stand."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cards import Notice
from bot.domain.model import Channel, Member
from bot.messages import CommandReply, SetNudge, SetReminder
from bot.ports import ChatPort
from bot.store.unit_of_work import Store
from bot.wording import time_left


def _private(text: str) -> CommandReply:
    return CommandReply((Notice(text),))


def _reminder_words(minutes: int) -> str:
    if minutes <= 0:
        return "Reminder: off."
    return f"Reminder: {time_left(timedelta(minutes=minutes))} before the deadline, in the question's thread."


async def reminder_text(store: Store, channel: Channel) -> str:
    """How the channel's reminder stands, as `/prep config` says it."""
    async with store.unit_of_work() as uow:
        return _reminder_words(await uow.reminders.minutes(channel.id))


def _too_late_warning(channel: Channel, minutes: int, now: datetime) -> str:
    """A warning when the channel's questions are open for no longer than the reminder's offset (so none would be
    posted); empty otherwise."""
    slot = channel.schedule.next_slot(now) if channel.subscribed else None
    if slot is None or minutes <= 0:
        return ""
    window = channel.schedule.deadline_for(slot, slot.due_at) - slot.due_at
    if window > timedelta(minutes=minutes):
        return ""
    return (f" Answers here are open for {time_left(window)}, so no reminder is posted until the reminder is "
            "shorter than that or the deadline later.")


async def set_reminder(parsed: SetReminder, channel: Channel, member: Member, *, store: Store, chat: ChatPort,
                       now: datetime) -> CommandReply:
    """Sets how long before the deadline the channel's reminder is posted (0: none), and says so in the channel.
    Turning it off holds back reminders still to come; a new offset applies from the next question."""
    async with store.unit_of_work() as uow:
        current = await uow.reminders.minutes(channel.id)
        if current == parsed.minutes:
            return _private(f"Nothing to change. {_reminder_words(current)}")
        await uow.reminders.set_minutes(channel.id, parsed.minutes)
        await uow.commit()
    if parsed.minutes <= 0:
        text = f"{member.display_name} turned off the reminder before the deadline."
    else:
        text = (f"{member.display_name} set the reminder: {time_left(timedelta(minutes=parsed.minutes))} before "
                "the deadline, in the question's thread, with the answers so far (from the next question on)."
                f"{_too_late_warning(channel, parsed.minutes, now)}")
    await chat.post_message(channel.address, Notice(text))
    return CommandReply()


async def set_nudge(parsed: SetNudge, channel: Channel, member: Member, *, store: Store,
                    now: datetime) -> CommandReply:
    """Records whether the member wants a private nudge at this channel's reminder when they have not answered, or
    says whether they do; the answer is the member's alone."""
    async with store.unit_of_work() as uow:
        minutes = await uow.reminders.minutes(channel.id)
        if parsed.wanted is None:
            wanted = await uow.reminders.wants_nudge(channel.id, member.id)
            changed = False
        else:
            wanted = parsed.wanted
            changed = await uow.reminders.set_nudge(channel.id, member.id, wanted, now)
            await uow.commit()
    if parsed.wanted is not None and not changed:
        state = "already get" if wanted else "get no"
        return _private(f"Nothing to change: you {state} a private nudge here. {_nudge_how(wanted)}")
    if not wanted:
        prefix = "Done: " if changed else ""
        return _private(f"{prefix}you get no private nudge in this channel. /prep nudge on asks for one.")
    prefix = "Done: " if changed else "You asked for this: "
    text = (f"{prefix}when you have not answered the question of the day by its reminder here, I send you a "
            "private nudge. /prep nudge off stops it.")
    if minutes <= 0:
        text += " Reminders are off in this channel for now, so no nudge comes until an admin turns them on."
    return _private(text)


def _nudge_how(wanted: bool) -> str:
    return "/prep nudge off stops it." if wanted else "/prep nudge on asks for one."
