"""A member's own page (Slack's App Home): their stats where they play, and each subscribed channel's schedule."""

from __future__ import annotations

from datetime import datetime

from bot.cards import ChannelLabel, ChannelSchedule, ChannelStats, HomeCard
from bot.domain.model import Channel, Member, Speaker, TaskKind
from bot.domain.timeparse import format_weekdays
from bot.services.boards import stats
from bot.store.unit_of_work import Store

HOME_CHANNELS = 10  # channels the page shows in each list; the rest are counted


def label(channel: Channel) -> ChannelLabel:
    return ChannelLabel(channel.address.channel, channel.name)


async def home_for(platform: str, workspace: str, speaker: Speaker, *, store: Store, now: datetime) -> HomeCard:
    """The page of `speaker` in `workspace`: their `/prep stats` in each channel they have points in (the one they
    last scored in first), and the schedule of each subscribed channel there with its next question, as of `now`."""
    async with store.unit_of_work() as uow:
        member = await uow.members.find(platform, workspace, speaker.ref)
        played_ids = await uow.points.channels_of(member.id) if member is not None else []
        played = [await uow.channels.get(channel_id) for channel_id in played_ids]
        subscribed = [c for c in await uow.channels.in_workspace(platform, workspace) if c.subscribed]
        next_posts = {c.id: await uow.tasks.pending(c.id, TaskKind.POST_DAILY) for c in subscribed[:HOME_CHANNELS]}
    shown: list[ChannelStats] = []
    if member is not None:
        shown = [ChannelStats(label(channel), await stats(channel, member, store=store, now=now))
                 for channel in played[:HOME_CHANNELS]]
    schedules = tuple(_schedule(channel, next_posts[channel.id]) for channel in subscribed[:HOME_CHANNELS])
    return HomeCard(_name(member, speaker), tuple(shown), schedules,
                    more_played=max(len(played) - HOME_CHANNELS, 0),
                    more_schedules=max(len(subscribed) - HOME_CHANNELS, 0))


def _name(member: Member | None, speaker: Speaker) -> str:
    return member.display_name if member is not None and member.display_name else speaker.name or speaker.ref


def _schedule(channel: Channel, pending: list[datetime]) -> ChannelSchedule:
    schedule = channel.schedule
    deadline = f"{'at' if schedule.deadline.at is not None else 'after'} {schedule.deadline.render()}"
    return ChannelSchedule(label(channel), format_weekdays(schedule.weekdays), f"{schedule.post_time:%H:%M}",
                           schedule.tz, deadline, schedule.paused, pending[0] if pending else None)
