"""Members as the platforms name them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Row

from bot.domain.model import Member, Speaker
from bot.store.repositories._base import Repository
from bot.store.tables import members


def _member_from(row: Row[Any]) -> Member:
    return Member(row.id, row.member_ref, row.display_name, bool(row.opted_out))


member_from_row = _member_from


class MemberRepository(Repository):
    async def upsert(self, platform: str, workspace: str, speaker: Speaker) -> Member:
        """The member for `speaker`, created on first sight; a changed display name is remembered, unless it is
        the bare member ref that stands in when the platform could not say the name."""
        statement = self._insert(members).values(
            platform=platform, workspace=workspace, member_ref=speaker.ref, display_name=speaker.name
        )
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "workspace", "member_ref"],
            set_={"display_name": statement.excluded.display_name},
            where=and_(members.c.display_name != statement.excluded.display_name,
                       statement.excluded.display_name != statement.excluded.member_ref,
                       statement.excluded.display_name != ""),
        )
        await self._c.execute(statement)
        row = (
            await self._c.execute(
                select(members).where(
                    members.c.platform == platform,
                    members.c.workspace == workspace,
                    members.c.member_ref == speaker.ref,
                )
            )
        ).one()
        return _member_from(row)

    async def find(self, platform: str, workspace: str, member_ref: str) -> Member | None:
        row = (
            await self._c.execute(
                select(members).where(
                    members.c.platform == platform,
                    members.c.workspace == workspace,
                    members.c.member_ref == member_ref,
                )
            )
        ).first()
        return _member_from(row) if row else None

    async def get_many(self, member_ids: Iterable[int]) -> dict[int, Member]:
        ids = list(set(member_ids))
        if not ids:
            return {}
        rows = await self._c.execute(select(members).where(members.c.id.in_(ids)))
        return {r.id: _member_from(r) for r in rows}

    async def set_opted_out(self, member_id: int, opted_out: bool) -> None:
        await self._c.execute(update(members).where(members.c.id == member_id).values(opted_out=opted_out))
