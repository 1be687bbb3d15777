"""The inbox: acknowledged /prep commands waiting to run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update

from bot.domain.model import ChannelAddress, Speaker
from bot.messages import RunCommand
from bot.store.intake import CommandToQueue
from bot.store.repositories._base import Repository
from bot.store.tables import inbox


def _row(queued: CommandToQueue) -> dict[str, Any]:
    command = queued.command
    return {
        "platform": command.channel.platform, "workspace": command.channel.workspace,
        "channel_ref": command.channel.channel, "channel_name": command.channel_name,
        "member_ref": command.speaker.ref, "member_name": command.speaker.name, "text": command.text,
        "dedupe_key": queued.dedupe_key, "received_at": queued.at, "claimed_until": queued.held_until,
        "claim_token": queued.holder,
    }


class InboxRepository(Repository):
    """Commands that were acknowledged to the platform and have not run yet."""

    async def add_many(self, queued: Sequence[CommandToQueue]) -> dict[str, int]:
        """Queues commands in one statement; returns the new ids by dedupe key. A key queued before (or twice in
        `queued`) is missing from the result."""
        rows = await self._insert_new(inbox, [_row(row) for row in queued], ("id", "dedupe_key"))
        return {dedupe_key: inbox_id for inbox_id, dedupe_key in rows}

    async def renew(self, inbox_ids: Sequence[int], until: datetime) -> None:
        """Extends the hold on the commands (being run by this process) to `until`."""
        if inbox_ids:
            await self._c.execute(update(inbox).where(inbox.c.id.in_(list(inbox_ids)), inbox.c.done_at.is_(None))
                                  .values(claimed_until=until))

    async def claim_tokens(self, now: datetime) -> set[str]:
        """The tokens of the unexpired holds on commands not run yet."""
        rows = await self._c.execute(
            select(inbox.c.claim_token).where(inbox.c.done_at.is_(None), inbox.c.claim_token.is_not(None),
                                              inbox.c.claimed_until >= now).distinct()
        )
        return {token for token in rows.scalars() if token}

    async def release_claims(self, tokens: Sequence[str], keep: Sequence[int] = ()) -> int:
        """Frees the commands held under one of `tokens` (holds of processes known dead, or this process's own as it
        stops), but those in `keep` (running); returns how many."""
        if not tokens:
            return 0
        result = await self._c.execute(
            update(inbox).where(inbox.c.claim_token.in_(list(tokens)), inbox.c.done_at.is_(None),
                                inbox.c.id.not_in(list(keep)))
            .values(claimed_until=None, claim_token=None)
        )
        return int(result.rowcount)

    async def pending_count(self) -> int:
        """How many queued commands have not run yet."""
        return int((await self._c.execute(
            select(func.count()).select_from(inbox).where(inbox.c.done_at.is_(None))
        )).scalar_one())

    async def complete_many(self, inbox_ids: Sequence[int], at: datetime) -> None:
        """Marks the commands done."""
        if inbox_ids:
            await self._c.execute(update(inbox).where(inbox.c.id.in_(list(inbox_ids))).values(done_at=at))

    async def claim_next(self, now: datetime, lease: timedelta, token: str | None = None
                         ) -> tuple[int, RunCommand] | None:
        """The oldest command nobody holds, claimed for `lease` under `token`; None when there is none."""
        free = or_(inbox.c.claimed_until.is_(None), inbox.c.claimed_until < now)
        candidates = await self._c.execute(
            select(inbox.c.id).where(inbox.c.done_at.is_(None), free).order_by(inbox.c.id).limit(5)
        )
        for inbox_id in list(candidates.scalars()):
            claimed = await self._c.execute(
                update(inbox).where(inbox.c.id == inbox_id, inbox.c.done_at.is_(None), free)
                .values(claimed_until=now + lease, claim_token=token)
            )
            if claimed.rowcount == 1:
                row = (await self._c.execute(select(inbox).where(inbox.c.id == inbox_id))).one()
                command = RunCommand(
                    ChannelAddress(row.platform, row.workspace, row.channel_ref),
                    Speaker(row.member_ref, row.member_name), row.text, row.channel_name,
                )
                return inbox_id, command
        return None
