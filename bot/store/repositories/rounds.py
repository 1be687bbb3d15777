"""Rounds: a question posted to a channel, its deadline and its reveal."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.engine import Row

from bot.domain.model import AnswerMode, ChannelAddress, Round, RoundKind, RoundStatus, Task
from bot.domain.practice import Practised
from bot.domain.questions import Level
from bot.store.repositories._base import Repository, fenced
from bot.store.tables import channels, results, rounds


def round_from_row(row: Row[Any]) -> Round:
    return Round(
        id=row.id,
        channel_id=row.channel_id,
        question_id=row.question_id,
        level=Level(row.level),
        kind=RoundKind(row.kind),
        local_date=row.local_date,
        status=RoundStatus(row.status),
        message_ref=row.message_ref,
        requested_by=row.requested_by,
        posted_at=row.posted_at,
        deadline_at=row.deadline_at,
        revealed_at=row.revealed_at,
        reveal_ref=row.reveal_ref,
        created_at=row.created_at,
        personal=bool(row.personal),
        answer_mode=AnswerMode(row.answer_mode),
    )


def _utc(value: Any) -> datetime:
    """A timestamp an aggregate returned (bare of the column's type on some backends), aware in UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class RoundRepository(Repository):
    async def create(
        self,
        channel_id: int,
        question_id: str,
        level: Level,
        kind: RoundKind,
        local_date: date,
        now: datetime,
        requested_by: int | None = None,
        deadline_at: datetime | None = None,
        personal: bool = False,
    ) -> Round | None:
        """A new pending round, whose question is to be posted with `deadline_at` when that is given, answered as
        its channel answers now; None when the channel already has its daily round for `local_date`."""
        result = await self._c.execute(
            self._insert(rounds)
            .values(
                channel_id=channel_id,
                question_id=question_id,
                level=level.value,
                kind=kind.value,
                local_date=local_date,
                daily_date=local_date if kind is RoundKind.DAILY else None,
                requested_by=requested_by,
                status=RoundStatus.PENDING.value,
                created_at=now,
                deadline_at=deadline_at,
                personal=personal,
                answer_mode=select(channels.c.answer_mode).where(channels.c.id == channel_id).scalar_subquery(),
            )
            .on_conflict_do_nothing()
            .returning(rounds.c.id)
        )
        new_id = result.scalar()
        return await self.get(new_id) if new_id is not None else None

    async def get(self, round_id: int) -> Round:
        return round_from_row((await self._c.execute(select(rounds).where(rounds.c.id == round_id))).one())

    async def find(self, round_id: int) -> Round | None:
        row = (await self._c.execute(select(rounds).where(rounds.c.id == round_id))).first()
        return round_from_row(row) if row else None

    async def daily(self, channel_id: int, local_date: date) -> Round | None:
        row = (
            await self._c.execute(
                select(rounds).where(rounds.c.channel_id == channel_id, rounds.c.daily_date == local_date)
            )
        ).first()
        return round_from_row(row) if row else None

    async def by_message(self, channel_id: int, message_ref: str) -> Round | None:
        row = (
            await self._c.execute(
                select(rounds).where(rounds.c.channel_id == channel_id, rounds.c.message_ref == message_ref)
            )
        ).first()
        return round_from_row(row) if row else None

    async def latest_posted(self, channel_id: int) -> Round | None:
        row = (
            await self._c.execute(
                select(rounds)
                .where(rounds.c.channel_id == channel_id, rounds.c.posted_at.is_not(None),
                       rounds.c.message_ref.is_not(None))  # a private practice round has no thread
                .order_by(rounds.c.posted_at.desc(), rounds.c.id.desc())
                .limit(1)
            )
        ).first()
        return round_from_row(row) if row else None

    async def mark_posted(
        self, round_id: int, message_ref: str | None, posted_at: datetime, deadline_at: datetime, fence: Task | None = None
    ) -> bool:
        """Records the round's question as posted; with `fence`, only while that task's claim is still the one it
        names (a holder that lost its claim cannot overwrite what the taker recorded). False when refused."""
        result = await self._c.execute(
            update(rounds)
            .where(rounds.c.id == round_id, *fenced(fence))
            .values(
                message_ref=message_ref,
                posted_at=posted_at,
                deadline_at=deadline_at,
                status=RoundStatus.OPEN.value,
            )
        )
        return bool(result.rowcount == 1)

    async def plan_deadline(self, round_id: int, deadline_at: datetime) -> None:
        """Records the deadline a pending round's question is about to be posted with, so that whoever finds that
        post later records the deadline it shows."""
        await self._c.execute(
            update(rounds)
            .where(rounds.c.id == round_id, rounds.c.status == RoundStatus.PENDING.value)
            .values(deadline_at=deadline_at)
        )

    async def mark_closed(self, round_id: int, at: datetime) -> None:
        await self._c.execute(
            update(rounds)
            .where(rounds.c.id == round_id)
            .values(status=RoundStatus.CLOSED.value, revealed_at=at)
        )

    async def mark_reveal_posted(self, round_id: int, reveal_ref: str, fence: Task | None = None) -> bool:
        """Records the round's reveal message; with `fence`, only while that task's claim is still the one it names.
        False when refused."""
        result = await self._c.execute(
            update(rounds).where(rounds.c.id == round_id, *fenced(fence)).values(reveal_ref=reveal_ref)
        )
        return bool(result.rowcount == 1)

    async def daily_usage(self, channel_id: int) -> dict[str, int]:
        """How often each question was asked as a daily question in the channel."""
        rows = await self._c.execute(
            select(rounds.c.question_id, func.count())
            .where(rounds.c.channel_id == channel_id, rounds.c.kind == RoundKind.DAILY.value)
            .group_by(rounds.c.question_id)
        )
        return {question_id: count for question_id, count in rows}

    async def practised_by(self, member_id: int) -> dict[str, Practised]:
        """Per question the member was given as practice (anywhere): how often, and when last."""
        rows = await self._c.execute(
            select(rounds.c.question_id, func.count(), func.max(rounds.c.created_at))
            .where(rounds.c.requested_by == member_id, rounds.c.kind == RoundKind.PRACTICE.value)
            .group_by(rounds.c.question_id)
        )
        return {question_id: Practised(int(times), _utc(last)) for question_id, times, last in rows}

    async def daily_questions_in_play(self, channel_id: int, local_date: date) -> set[str]:
        """The questions of the channel's daily rounds not yet revealed, and of its daily round of `local_date`."""
        rows = await self._c.execute(
            select(rounds.c.question_id).where(
                rounds.c.channel_id == channel_id,
                rounds.c.kind == RoundKind.DAILY.value,
                (rounds.c.status != RoundStatus.CLOSED.value) | (rounds.c.daily_date == local_date),
            )
        )
        return {question_id for (question_id,) in rows}

    async def open_practice_count(self, channel_id: int, member_id: int, local_date: date) -> int:
        """The member's practice rounds of `local_date` in the channel that are not revealed yet, delivered in the
        channel (a personal one earns no points)."""
        return int(
            (
                await self._c.execute(
                    select(func.count()).where(
                        rounds.c.channel_id == channel_id,
                        rounds.c.requested_by == member_id,
                        rounds.c.kind == RoundKind.PRACTICE.value,
                        rounds.c.local_date == local_date,
                        rounds.c.status != RoundStatus.CLOSED.value,
                        rounds.c.personal.is_(False),
                    )
                )
            ).scalar_one()
        )

    async def recent_daily(self, channel_id: int, up_to: date, limit: int) -> list[Round]:
        """The channel's most recent posted daily rounds on or before `up_to`, newest first."""
        rows = await self._c.execute(
            select(rounds)
            .where(
                rounds.c.channel_id == channel_id,
                rounds.c.kind == RoundKind.DAILY.value,
                rounds.c.posted_at.is_not(None),
                rounds.c.local_date <= up_to,
            )
            .order_by(rounds.c.local_date.desc())
            .limit(limit)
        )
        return [round_from_row(r) for r in rows]

    async def answered_flags(self, channel_id: int, member_id: int, up_to: date, limit: int) -> list[bool]:
        """For the channel's most recent revealed daily rounds on or before `up_to`, newest first: whether the
        member answered each on time."""
        answered = and_(results.c.round_id == rounds.c.id, results.c.member_id == member_id)
        rows = await self._c.execute(
            select(results.c.on_time)
            .select_from(rounds.outerjoin(results, answered))
            .where(
                rounds.c.channel_id == channel_id,
                rounds.c.kind == RoundKind.DAILY.value,
                rounds.c.revealed_at.is_not(None),
                rounds.c.local_date <= up_to,
            )
            .order_by(rounds.c.local_date.desc())
            .limit(limit)
        )
        return [bool(on_time) for on_time in rows.scalars()]

    async def daily_count(self, channel_id: int, first: date, last: date) -> int:
        return int(
            (
                await self._c.execute(
                    select(func.count()).where(
                        rounds.c.channel_id == channel_id,
                        rounds.c.kind == RoundKind.DAILY.value,
                        rounds.c.posted_at.is_not(None),
                        rounds.c.local_date.between(first, last),
                    )
                )
            ).scalar_one()
        )

    async def between(self, channel_id: int, first: date, last: date) -> list[Round]:
        """The channel's rounds (daily and practice, in any state) dated from `first` to `last`, oldest first."""
        rows = await self._c.execute(
            select(rounds)
            .where(rounds.c.channel_id == channel_id, rounds.c.local_date.between(first, last))
            .order_by(rounds.c.local_date, rounds.c.id)
        )
        return [round_from_row(r) for r in rows]

    async def open_on(self, platform: str) -> list[tuple[ChannelAddress, Round]]:
        """The posted rounds still taking answers (not yet revealed) in the channels of `platform`, oldest first."""
        rows = await self._c.execute(
            select(channels.c.platform, channels.c.workspace, channels.c.channel_ref, rounds)
            .select_from(rounds.join(channels, channels.c.id == rounds.c.channel_id))
            .where(channels.c.platform == platform, rounds.c.status == RoundStatus.OPEN.value,
                   rounds.c.message_ref.is_not(None))
            .order_by(rounds.c.id)
        )
        return [(ChannelAddress(r.platform, r.workspace, r.channel_ref), round_from_row(r)) for r in rows]

    async def recent(self, channel_id: int | None, limit: int) -> list[Round]:
        """The most recently created rounds of one channel (of every channel when None), newest first."""
        query = select(rounds)
        if channel_id is not None:
            query = query.where(rounds.c.channel_id == channel_id)
        rows = await self._c.execute(query.order_by(rounds.c.id.desc()).limit(limit))
        return [round_from_row(r) for r in rows]
