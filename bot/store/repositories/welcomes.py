"""The welcome each channel was given when the bot was added to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, update

from bot.domain.model import ChannelAddress
from bot.store.repositories._base import Repository
from bot.store.tables import welcomes


def _at(address: ChannelAddress) -> Any:
    return and_(welcomes.c.platform == address.platform, welcomes.c.workspace == address.workspace,
                welcomes.c.channel_ref == address.channel)


class WelcomeRepository(Repository):
    async def claim(self, address: ChannelAddress, now: datetime) -> bool:
        """Claims the channel's welcome; False when it was claimed before (welcomed, or being welcomed)."""
        result = await self._c.execute(
            self._insert(welcomes)
            .values(platform=address.platform, workspace=address.workspace, channel_ref=address.channel,
                    claimed_at=now)
            .on_conflict_do_nothing()
            .returning(welcomes.c.id)
        )
        return result.first() is not None

    async def posted(self, address: ChannelAddress, message_ref: str, now: datetime) -> None:
        """Records that the claimed welcome was posted as message `message_ref`."""
        await self._c.execute(update(welcomes).where(_at(address)).values(posted_at=now, message_ref=message_ref))

    async def release(self, address: ChannelAddress) -> None:
        """Gives up a claim whose welcome was not posted (the platform refused it), so a later join may try again."""
        await self._c.execute(delete(welcomes).where(_at(address), welcomes.c.posted_at.is_(None)))
