"""Channels and their schedules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Row

from bot.domain.model import NEW_CHANNEL_ANSWER_MODE, AnswerMode, Channel, ChannelAddress
from bot.domain.questions import ALL_LEVELS, Level
from bot.domain.schedule import Deadline, Schedule
from bot.store.repositories._base import Repository
from bot.store.tables import channels


def _csv_dates(text: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in text.split(",") if d)


def _dates_csv(dates: Iterable[date]) -> str:
    return ",".join(sorted(d.isoformat() for d in dates))


def _schedule_from(row: Row[Any]) -> Schedule:
    levels = tuple(Level(v) for v in row.levels.split(",") if v) or ALL_LEVELS
    return Schedule(
        tz=row.tz,
        post_time=time.fromisoformat(row.post_time),
        weekdays=frozenset(int(d) for d in row.weekdays.split(",") if d),
        deadline=Deadline.parse(row.deadline),
        levels=levels,
        paused=bool(row.paused),
        skip_dates=_csv_dates(row.skip_dates),
        holiday_country=row.holiday_country,
        holiday_dates=_csv_dates(row.holiday_dates),
        board_weekday=row.board_weekday,
        board_time=time.fromisoformat(row.board_time),
    )


def _schedule_values(schedule: Schedule) -> dict[str, Any]:
    return {
        "tz": schedule.tz,
        "post_time": schedule.post_time.strftime("%H:%M"),
        "weekdays": ",".join(str(d) for d in sorted(schedule.weekdays)),
        "deadline": schedule.deadline.render(),
        "levels": ",".join(level.value for level in schedule.levels),
        "paused": schedule.paused,
        "skip_dates": _dates_csv(schedule.skip_dates),
        "holiday_country": schedule.holiday_country,
        "holiday_dates": _dates_csv(schedule.holiday_dates),
        "board_weekday": schedule.board_weekday,
        "board_time": schedule.board_time.strftime("%H:%M"),
    }


def _channel_from(row: Row[Any]) -> Channel:
    return Channel(
        id=row.id,
        address=ChannelAddress(row.platform, row.workspace, row.channel_ref),
        name=row.name,
        subscribed=bool(row.subscribed),
        schedule=_schedule_from(row),
        subscribed_by=row.subscribed_by,
        grader=row.grader,
        practice_private=bool(row.practice_private),
        answer_mode=AnswerMode(row.answer_mode),
    )


class ChannelRepository(Repository):
    async def find(self, address: ChannelAddress) -> Channel | None:
        row = (
            await self._c.execute(
                select(channels).where(
                    channels.c.platform == address.platform,
                    channels.c.workspace == address.workspace,
                    channels.c.channel_ref == address.channel,
                )
            )
        ).first()
        return _channel_from(row) if row else None

    async def get(self, channel_id: int) -> Channel:
        row = (await self._c.execute(select(channels).where(channels.c.id == channel_id))).one()
        return _channel_from(row)

    async def get_or_create(self, address: ChannelAddress, name: str, default: Schedule, now: datetime) -> Channel:
        """The channel at `address`, created unsubscribed with the `default` schedule on first sight (answering
        privately: see NEW_CHANNEL_ANSWER_MODE)."""
        await self._c.execute(
            self._insert(channels)
            .values(
                platform=address.platform,
                workspace=address.workspace,
                channel_ref=address.channel,
                name=name,
                subscribed=False,
                created_at=now,
                answer_mode=NEW_CHANNEL_ANSWER_MODE.value,
                **_schedule_values(default),
            )
            .on_conflict_do_nothing()
        )
        channel = await self.find(address)
        assert channel is not None
        return channel

    async def save(
        self, channel_id: int, schedule: Schedule, subscribed: bool, subscribed_by: str | None = None
    ) -> None:
        """Stores the schedule; `subscribed_by` (when given) records who subscribed the channel."""
        values: dict[str, Any] = {"subscribed": subscribed, **_schedule_values(schedule)}
        if subscribed_by is not None:
            values["subscribed_by"] = subscribed_by
        await self._c.execute(update(channels).where(channels.c.id == channel_id).values(**values))

    async def set_grader(self, channel_id: int, grader: str) -> None:
        """Stores who grades the channel's answers at the reveal: offline or ai."""
        await self._c.execute(update(channels).where(channels.c.id == channel_id).values(grader=grader))

    async def set_practice_private(self, channel_id: int, private: bool) -> None:
        """Stores whether practice questions in the channel are shown only to the member who asked."""
        await self._c.execute(
            update(channels).where(channels.c.id == channel_id).values(practice_private=private)
        )

    async def set_answer_mode(self, channel_id: int, mode: AnswerMode) -> None:
        """Stores how the channel's next questions are answered."""
        await self._c.execute(update(channels).where(channels.c.id == channel_id).values(answer_mode=mode.value))

    async def in_workspace(self, platform: str, workspace: str) -> list[Channel]:
        rows = await self._c.execute(
            select(channels)
            .where(channels.c.platform == platform, channels.c.workspace == workspace)
            .order_by(channels.c.id)
        )
        return [_channel_from(r) for r in rows]

    async def all(self) -> list[Channel]:
        return [_channel_from(r) for r in await self._c.execute(select(channels).order_by(channels.c.id))]
