"""What an operator reads on the command line: a channel's board, and the most recent rounds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.admin.channels import AdminError, channel_label
from bot.admin.export import round_state
from bot.cards import LeaderboardCard
from bot.domain.model import Channel, Round
from bot.domain.questions import Level
from bot.services.boards import leaderboard
from bot.store.unit_of_work import Store

PERIODS = ("week", "month", "all")


def board_period(period: str, level: str | None = None) -> tuple[str, Level | None]:
    """The board's period and level from `--period` (`week`, `month`, `all`, or a level, which means this week's
    board of that level, as `/prep leaderboard LEVEL` does) and `--level`. Raises AdminError on anything else."""
    known = ", ".join(lv.value for lv in Level)
    chosen: Level | None = None
    if level is not None:
        chosen = Level.parse(level)
        if chosen is None:
            raise AdminError(f"--level '{level}' is not a level ({known})")
    key = period.strip().lower()
    if key in PERIODS:
        return key, chosen
    as_level = Level.parse(key)
    if as_level is None:
        raise AdminError(f"--period '{period}' is not week, month, all or a level ({known})")
    if chosen is not None and chosen is not as_level:
        raise AdminError(f"--period {as_level.value} and --level {chosen.value} name two levels; give one")
    return "week", as_level


async def channel_board(store: Store, channel: Channel, period: str, level: Level | None, *,
                        now: datetime) -> LeaderboardCard:
    """The channel's board for `period` (week, month or all, around `now` in the channel's time zone) and `level`,
    exactly as `/prep leaderboard` computes it."""
    return await leaderboard(channel, period, level, store=store, now=now)


def board_text(card: LeaderboardCard, channel: Channel) -> str:
    """The board as lines of text: a heading, then `rank. name  points  rounds` per member, and how many more members
    the board ranks, ending with a newline."""
    level = f", {card.level_label}" if card.level_label else ""
    lines = [f"{card.title} of {channel_label(channel)}: {card.period}{level}"]
    if not card.lines:
        lines.append("  no points yet")
    width = max((len(line.name) for line in card.lines), default=0)
    for line in card.lines:
        rounds = "round" if line.rounds == 1 else "rounds"
        lines.append(f"{line.rank:>3}. {line.name:<{width}}  {line.total:>5} points  {line.rounds:>3} {rounds}")
    if card.more:
        lines.append(f"     and {card.more} more")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RoundLine:
    """A round as `prepbot rounds list` shows it: its channel, its state (see `round_state`) and how many members
    have an answer in it that was not withdrawn."""

    round: Round
    channel: Channel
    state: str
    answers: int


async def recent_rounds(store: Store, channel: Channel | None, limit: int, *, now: datetime) -> list[RoundLine]:
    """The `limit` most recent rounds (of `channel`, or of every channel), newest first. Raises AdminError when
    `limit` is not positive."""
    if limit < 1:
        raise AdminError(f"--limit {limit}: give a number of rounds, 1 or more")
    async with store.unit_of_work() as uow:
        rounds = await uow.rounds.recent(channel.id if channel is not None else None, limit)
        counts = await uow.answers.answer_counts([r.id for r in rounds])
        channels = {c.id: c for c in await uow.channels.all()}
    return [RoundLine(r, channels[r.channel_id], round_state(r, now), counts.get(r.id, 0)) for r in rounds]


ROUND_COLUMNS = ("ROUND", "CHANNEL", "DATE", "KIND", "QUESTION", "STATE", "POSTED", "DEADLINE", "REVEALED", "ANSWERS")


def _local(instant: datetime | None, channel: Channel) -> str:
    return instant.astimezone(channel.schedule.zone).strftime("%Y-%m-%d %H:%M") if instant else "-"


def rounds_text(lines: Sequence[RoundLine]) -> str:
    """The rounds as a table with a header row; times are in each channel's time zone. Ends with a newline."""
    if not lines:
        return "no rounds yet\n"
    rows = [ROUND_COLUMNS] + [
        (
            str(line.round.id), channel_label(line.channel), line.round.local_date.isoformat(), line.round.kind.value,
            line.round.question_id, line.state, _local(line.round.posted_at, line.channel),
            _local(line.round.deadline_at, line.channel), _local(line.round.revealed_at, line.channel),
            str(line.answers),
        )
        for line in lines
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(ROUND_COLUMNS))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
                   for row in rows)
