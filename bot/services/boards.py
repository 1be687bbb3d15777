"""Leaderboards and personal stats."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot.cards import BoardLine, BoardPlace, LeaderboardCard, StatsCard
from bot.domain.leaderboard import Place, top_places
from bot.domain.model import Channel, Member, Task
from bot.domain.questions import Level
from bot.domain.schedule import local_to_utc, month_bounds, week_bounds
from bot.domain.scoring import streak_length
from bot.logs import add_log_context
from bot.ports import ChatError, ChatPort
from bot.services.claims import ClaimGuard
from bot.services.planning import board_key, plan_next_board
from bot.services.outcomes import TaskResult, settle
from bot.services.scoring import STREAK_LOOKBACK
from bot.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("prepbot.boards")

# A board shows its first ten places and says how many more it ranks: a short board in the channel does not bury
# the day's question, and a member placed lower reads their own place privately (stats, the board they asked for).
BOARD_SIZE = 10
REASONS = ("participation", "coverage", "votes", "streak")


def period_bounds(period: str, today: date) -> tuple[date | None, date | None, str]:
    """The dates a period covers (None for all time) and how to name it."""
    if period == "week":
        first, last = week_bounds(today)
        return first, last, f"week of {first:%d %b %Y}"
    if period == "month":
        first, last = month_bounds(today)
        return first, last, f"{first:%B %Y}"
    return None, None, "all time"


async def board_card(
    uow: UnitOfWork, channel: Channel, first: date | None, last: date | None, label: str, level: Level | None,
    title: str = "Leaderboard",
) -> LeaderboardCard:
    card, _ = await _board(uow, channel, first, last, label, level, title)
    return card


async def _board(
    uow: UnitOfWork, channel: Channel, first: date | None, last: date | None, label: str, level: Level | None,
    title: str = "Leaderboard",
) -> tuple[LeaderboardCard, set[int]]:
    """The board's card, with how many it ranks below its lines, and the ids of the members on its lines. The
    members are counted only when the board is full: a shorter board has everyone on it."""
    standings = await uow.points.standings(channel.id, first, last, level, top=BOARD_SIZE)
    placed = top_places(standings, BOARD_SIZE)
    lines = tuple(BoardLine(r.rank, r.standing.name, r.standing.total, r.standing.rounds) for r in placed)
    ranked = (len(standings) if len(standings) < BOARD_SIZE
              else await uow.points.ranked_count(channel.id, first, last, level))
    card = LeaderboardCard(title, label, lines, level.label if level else None, channel_name=channel.name,
                           more=ranked - len(lines))
    return card, {r.standing.member_id for r in placed}


def _board_place(place: Place) -> BoardPlace:
    """A place in the ranking as a card shows it: rank, of how many, points."""
    return BoardPlace(place.rank, place.of, place.standing.total)


async def leaderboard(
    channel: Channel, period: str, level: Level | None, *, store: Store, now: datetime
) -> LeaderboardCard:
    """The channel's board for `period` (week, month or all) and `level` (None: every level), as of `now`."""
    first, last, label = period_bounds(period, channel.schedule.local_date(now))
    async with store.unit_of_work() as uow:
        return await board_card(uow, channel, first, last, label, level)


async def asked_leaderboard(
    channel: Channel, member: Member, period: str, level: Level | None, *, store: Store, now: datetime
) -> tuple[LeaderboardCard, BoardPlace | None]:
    """The board `leaderboard` gives, for `member` who asked for it: with their place on it when its lines leave
    them out (they rank below the first BOARD_SIZE places), else None (they are on it, or have no points on it)."""
    first, last, label = period_bounds(period, channel.schedule.local_date(now))
    async with store.unit_of_work() as uow:
        card, on_board = await _board(uow, channel, first, last, label, level)
        if member.id in on_board or not card.more:
            return card, None
        place = await uow.points.place(channel.id, member.id, first, last, level)
    return card, _board_place(place) if place is not None else None


def weekly_board_key(week_start: date) -> str:
    """The key of the weekly board of the week starting on `week_start` (a Monday): "week:2026-11-30"."""
    return f"week:{week_start.isoformat()}"


async def post_weekly_board(
    task: Task, *, store: Store, chat: ChatPort, now: datetime, claim: ClaimGuard | None = None
) -> TaskResult:
    """Posts the board of the week that ended before the task was due, if the channel had rounds that week; returns
    how the task ended (a retry in a minute when the platform refused, without raising).

    The first attempt plans the next week's board and commits that before it posts, so a later attempt that finds
    the next board already planned knows an earlier one may have posted this board (the platform took it, then the
    process died or the answer was lost before the task was marked done). Only such a retry asks the platform for a
    board with this week's key, and a board found there is not posted again. The first attempt never looks."""
    assert task.slot_date is not None
    first, last = task.slot_date, task.slot_date + timedelta(days=6)
    async with store.unit_of_work() as uow:
        channel = await uow.channels.get(task.channel_id)
        add_log_context(channel.address)
        if not channel.subscribed:
            return TaskResult("skipped (unsubscribed)")
        had_rounds = await uow.rounds.daily_count(channel.id, first, last) > 0
        card = (await board_card(uow, channel, first, last, f"week of {first:%d %b %Y}", None, "Weekly leaderboard")
                if had_rounds else None)
        # this board is due in the week after `first`, so the board planned after it is the next week's
        retry = await uow.tasks.exists(board_key(channel.id, first + timedelta(days=7)))
        if not retry:
            await plan_next_board(uow, channel, task.due_at)
            await uow.commit()
    if card is None:
        return TaskResult("skipped (no rounds that week)")
    card = replace(card, key=weekly_board_key(first))
    try:
        if retry:
            # the board is due in the week after `first`: nothing before that week's start can be this board
            since = local_to_utc(first + timedelta(days=7), time(0), channel.schedule.zone)
            found = await chat.find_posted(channel.address, card, since=since)
            if found is not None:
                log.warning("the weekly board for %s was already posted (the attempt that posted it did not record "
                            "it): not posted again", first, extra={"message_ref": found})
                return TaskResult(f"weekly board for {first} was already posted")
        if claim is not None:
            await claim.before_posting()
        await chat.post_message(channel.address, card)
    except ChatError as error:
        return await settle(error, channel, store=store, chat=chat, now=now)
    return TaskResult(f"posted weekly board for {first}")


async def stats(channel: Channel, member: Member, *, store: Store, now: datetime) -> StatsCard:
    """The member's points in this channel with their breakdown, streak, coverage by level, and their place on this
    week's board."""
    today = channel.schedule.local_date(now)
    week_first, week_last = week_bounds(today)
    async with store.unit_of_work() as uow:
        all_time, week_total = await uow.points.totals(channel.id, member.id, week_first, week_last)
        answered = await uow.rounds.answered_flags(channel.id, member.id, today, STREAK_LOOKBACK)
        by_level = await uow.results.coverage_by_level(channel.id, member.id)
        week_place = await uow.points.place(channel.id, member.id, week_first, week_last, None)
    order = {level.value: i for i, level in enumerate(Level)}
    coverage = tuple(
        (Level(level).label, ratio, count) for level, ratio, count in sorted(by_level, key=lambda r: order[r[0]])
    )
    return StatsCard(
        member_name=member.display_name,
        total=sum(all_time.values()),
        breakdown=tuple((reason, all_time.get(reason, 0)) for reason in REASONS),
        week_total=week_total,
        streak_days=streak_length(answered),
        rounds_answered=sum(count for _, _, count in by_level),
        coverage_by_level=coverage,
        week_place=_board_place(week_place) if week_place is not None else None,
    )
