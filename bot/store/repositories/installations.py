"""Workspace installations and the OAuth states of installs in progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Row

from bot.store.repositories._base import Repository
from bot.store.tables import installations, oauth_states


class InstallationRepository(Repository):
    """A bot's installation in a workspace: its token and what the platform said at install time."""

    async def save(
        self, platform: str, enterprise: str, workspace: str, bot_token: str, bot_user_ref: str, data: str,
        at: datetime,
    ) -> None:
        statement = self._insert(installations).values(
            platform=platform, enterprise=enterprise, workspace=workspace, bot_token=bot_token,
            bot_user_ref=bot_user_ref, data=data, installed_at=at,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "enterprise", "workspace"],
            set_={
                "bot_token": statement.excluded.bot_token,
                "bot_user_ref": statement.excluded.bot_user_ref,
                "data": statement.excluded.data,
                "installed_at": statement.excluded.installed_at,
            },
        )
        await self._c.execute(statement)

    async def find(self, platform: str, enterprise: str, workspace: str) -> Row[Any] | None:
        return (
            await self._c.execute(
                select(installations).where(
                    installations.c.platform == platform,
                    installations.c.enterprise == enterprise,
                    installations.c.workspace == workspace,
                )
            )
        ).first()

    async def delete(self, platform: str, enterprise: str, workspace: str) -> None:
        await self._c.execute(
            delete(installations).where(
                installations.c.platform == platform,
                installations.c.enterprise == enterprise,
                installations.c.workspace == workspace,
            )
        )


class OAuthStateRepository(Repository):
    async def issue(self, state: str, expires_at: datetime) -> None:
        await self._c.execute(self._insert(oauth_states).values(state=state, expires_at=expires_at))

    async def consume(self, state: str, now: datetime) -> bool:
        """True once for a state that was issued and has not expired; the state is used up either way."""
        row = (await self._c.execute(select(oauth_states).where(oauth_states.c.state == state))).first()
        await self._c.execute(delete(oauth_states).where(oauth_states.c.state == state))
        return row is not None and row.expires_at > now
