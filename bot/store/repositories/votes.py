"""Votes members cast on each other's answers, and the turns votes and the reveal's count of them take."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from bot.domain.model import RoundStatus
from bot.store.repositories._base import Repository
from bot.store.tables import rounds, votes


class VoteRepository(Repository):
    async def hold_round(self, round_id: int) -> RoundStatus:
        """The round's status as committed now, its row held until this transaction ends (FOR NO KEY UPDATE on
        PostgreSQL, which lets answers to the round be stored meanwhile; SQLite's write transactions take turns
        anyway). A vote that holds the round before the reveal counts its votes is counted by it; one that comes
        after finds the round closed."""
        status = (
            await self._c.execute(
                select(rounds.c.status).where(rounds.c.id == round_id).with_for_update(key_share=True)
            )
        ).scalar_one()
        return RoundStatus(status)

    async def add(
        self, round_id: int, message_ref: str, author_id: int, voter_id: int, reaction: str, at: datetime
    ) -> bool:
        """Records a reaction; False when the same voter already gave the same reaction to that message."""
        result = await self._c.execute(
            self._insert(votes)
            .values(
                round_id=round_id,
                message_ref=message_ref,
                author_id=author_id,
                voter_id=voter_id,
                reaction=reaction,
                created_at=at,
            )
            .on_conflict_do_nothing()
            .returning(votes.c.id)
        )
        return result.scalar() is not None

    async def remove(self, round_id: int, message_ref: str, voter_id: int, reaction: str) -> bool:
        result = await self._c.execute(
            delete(votes).where(
                votes.c.round_id == round_id,
                votes.c.message_ref == message_ref,
                votes.c.voter_id == voter_id,
                votes.c.reaction == reaction,
            )
        )
        return bool(result.rowcount)

    async def voters_by_author(self, round_id: int) -> dict[int, int]:
        """Distinct voters per answer author in the round, counted while holding the round (see `hold_round`): the
        count the reveal scores with has every vote cast before it."""
        await self.hold_round(round_id)
        rows = await self._c.execute(
            select(votes.c.author_id, func.count(votes.c.voter_id.distinct()))
            .where(votes.c.round_id == round_id)
            .group_by(votes.c.author_id)
        )
        return {author: count for author, count in rows}
