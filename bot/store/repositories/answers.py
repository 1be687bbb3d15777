"""Answers: the parts a member posted for a round, and their edits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Row

from bot.domain.model import AnswerMode, AnswerPart, ChannelAddress
from bot.store.engine import run_in_one_trip
from bot.store.intake import Acknowledgement, ArrivingPart, MissedAcknowledgement
from bot.store.repositories._base import Repository
from bot.store.tables import answer_parts, channels, members, rounds


def _part_from(row: Row[Any]) -> AnswerPart:
    return AnswerPart(
        id=row.id,
        round_id=row.round_id,
        member_id=row.member_id,
        message_ref=row.message_ref,
        text=row.text,
        scored_text=row.scored_text,
        on_time=bool(row.on_time),
        truncated=bool(row.truncated),
        received_at=row.received_at,
        withdrawn_at=row.withdrawn_at,
    )


class AnswerRepository(Repository):
    async def add_many(self, parts: Sequence[ArrivingPart]) -> set[tuple[int, str]]:
        """Stores replies in one statement; a reply already stored (or twice in `parts`) is left as it is.

        Returns the (round id, message ref) of the replies that were new.
        """
        rows = await self._insert_new(answer_parts, [part._asdict() for part in parts], ("round_id", "message_ref"))
        return {(round_id, ref) for round_id, ref in rows}

    async def mark_acknowledged(self, parts: Sequence[Acknowledgement]) -> None:
        """Records that the replies were acknowledged in the chat (on SQLite, in one trip to its thread)."""
        by_round: dict[int, list[str]] = {}
        for part in parts:
            by_round.setdefault(part.round_id, []).append(part.message_ref)
        if self._c.dialect.name == "sqlite" and by_round:
            await run_in_one_trip(self._c, [
                (f"UPDATE answer_parts SET acknowledged = 1 WHERE round_id = ? AND message_ref IN "
                 f"({', '.join('?' * len(refs))})", [round_id, *refs]) for round_id, refs in by_round.items()])
            return
        for round_id, refs in by_round.items():
            await self._c.execute(
                update(answer_parts)
                .where(answer_parts.c.round_id == round_id, answer_parts.c.message_ref.in_(refs))
                .values(acknowledged=True)
            )

    async def unacknowledged(self, since: datetime, limit: int = 1000) -> list[MissedAcknowledgement]:
        """Replies received since `since`, still there, whose acknowledgement was never made (a process stopped
        between storing and acknowledging them), oldest first."""
        rows = await self._c.execute(
            select(channels.c.platform, channels.c.workspace, channels.c.channel_ref, answer_parts.c.round_id,
                   answer_parts.c.message_ref, answer_parts.c.on_time, members.c.member_ref,
                   rounds.c.answer_mode)
            .select_from(answer_parts.join(rounds, rounds.c.id == answer_parts.c.round_id)
                         .join(channels, channels.c.id == rounds.c.channel_id)
                         .join(members, members.c.id == answer_parts.c.member_id))
            .where(answer_parts.c.acknowledged.is_(False), answer_parts.c.withdrawn_at.is_(None),
                   answer_parts.c.received_at >= since)
            .order_by(answer_parts.c.id)
            .limit(limit)
        )
        return [MissedAcknowledgement(ChannelAddress(r.platform, r.workspace, r.channel_ref), r.round_id,
                                      r.message_ref, bool(r.on_time), r.member_ref,
                                      r.answer_mode == AnswerMode.PRIVATE.value)
                for r in rows]

    async def by_message(self, channel_id: int, message_ref: str) -> AnswerPart | None:
        row = (
            await self._c.execute(
                select(answer_parts)
                .join(rounds, rounds.c.id == answer_parts.c.round_id)
                .where(rounds.c.channel_id == channel_id, answer_parts.c.message_ref == message_ref)
            )
        ).first()
        return _part_from(row) if row else None

    async def in_round(self, round_id: int, message_ref: str) -> AnswerPart | None:
        """The reply `message_ref` of round `round_id` (a private answer's ref is the same in every round)."""
        row = (
            await self._c.execute(
                select(answer_parts).where(answer_parts.c.round_id == round_id,
                                           answer_parts.c.message_ref == message_ref)
            )
        ).first()
        return _part_from(row) if row else None

    async def replace(self, part_id: int, text: str, truncated: bool, at: datetime) -> None:
        """Replaces a member's private answer with `text`, on time (given again after a withdrawal, it counts
        again)."""
        await self._c.execute(
            update(answer_parts)
            .where(answer_parts.c.id == part_id)
            .values(text=text, scored_text=text, truncated=truncated, edited_at=at, withdrawn_at=None)
        )

    async def edit(self, part_id: int, text: str, scored_text: str, truncated: bool, at: datetime) -> None:
        await self._c.execute(
            update(answer_parts)
            .where(answer_parts.c.id == part_id)
            .values(text=text, scored_text=scored_text, truncated=truncated, edited_at=at)
        )

    async def withdraw(self, part_id: int, at: datetime) -> None:
        await self._c.execute(
            update(answer_parts)
            .where(answer_parts.c.id == part_id, answer_parts.c.withdrawn_at.is_(None))
            .values(withdrawn_at=at)
        )

    async def for_round(self, round_id: int) -> list[AnswerPart]:
        rows = await self._c.execute(
            select(answer_parts).where(answer_parts.c.round_id == round_id).order_by(answer_parts.c.id)
        )
        return [_part_from(r) for r in rows]

    async def count_for_round(self, round_id: int) -> int:
        return int(
            (
                await self._c.execute(select(func.count()).where(answer_parts.c.round_id == round_id))
            ).scalar_one()
        )

    async def in_channel_between(self, channel_id: int, first: date, last: date) -> list[AnswerPart]:
        """Every reply, withdrawn ones included, to the channel's rounds dated from `first` to `last`, in the order
        they were stored."""
        rows = await self._c.execute(
            select(answer_parts)
            .join(rounds, rounds.c.id == answer_parts.c.round_id)
            .where(rounds.c.channel_id == channel_id, rounds.c.local_date.between(first, last))
            .order_by(answer_parts.c.id)
        )
        return [_part_from(r) for r in rows]

    async def answer_counts(self, round_ids: Sequence[int]) -> dict[int, int]:
        """Per round: how many members have an answer with at least one reply not withdrawn (rounds without any
        are left out)."""
        if not round_ids:
            return {}
        rows = await self._c.execute(
            select(answer_parts.c.round_id, func.count(answer_parts.c.member_id.distinct()))
            .where(answer_parts.c.round_id.in_(list(round_ids)), answer_parts.c.withdrawn_at.is_(None))
            .group_by(answer_parts.c.round_id)
        )
        return {round_id: int(count) for round_id, count in rows}
