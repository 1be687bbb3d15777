"""OAuth installations and states kept in prepbot's own database, through its store."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from adapters.slack.chat import BotIdentity
from bot.ports import Clock
from bot.store.unit_of_work import Store

PLATFORM = "slack"
TOKEN_CACHE = timedelta(minutes=1)  # how long a replica trusts the token it read, before it reads it again


class StoreInstallationStore(AsyncInstallationStore):
    """Bot installations per workspace, in the `installations` table. Tokens are never logged.

    Each replica keeps what it read for TOKEN_CACHE at most, and drops it at once when Slack refuses the token
    (`forget`): after an uninstall and a reinstall through another replica, every replica goes on with the new
    token."""

    def __init__(self, store: Store, clock: Clock, cache_for: timedelta = TOKEN_CACHE) -> None:
        self._store = store
        self._clock = clock
        self._cache_for = cache_for
        self._cache: dict[tuple[str, str], tuple[datetime, Bot]] = {}

    @property
    def logger(self) -> Any:
        import logging

        return logging.getLogger("prepbot.slack.installations")

    async def async_save(self, installation: Installation) -> None:
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        data = {k: v for k, v in bot.to_dict().items() if k not in {"bot_token", "bot_refresh_token"}}
        async with self._store.unit_of_work() as uow:
            await uow.installations.save(
                PLATFORM, bot.enterprise_id or "", bot.team_id or "", bot.bot_token, bot.bot_user_id,
                json.dumps(data, default=str), self._clock.now(),
            )
            await uow.commit()
        self._cache.pop((bot.enterprise_id or "", bot.team_id or ""), None)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        key = (enterprise_id or "", team_id or "")
        cached = self._cache.get(key)
        if cached is not None and self._clock.now() - cached[0] < self._cache_for:
            return cached[1]
        async with self._store.unit_of_work() as uow:
            row = await uow.installations.find(PLATFORM, *key)
        bot = None
        if row is not None:
            data = json.loads(row.data)
            bot = Bot(
                app_id=data.get("app_id"), enterprise_id=enterprise_id, team_id=team_id,
                bot_token=row.bot_token, bot_id=data.get("bot_id") or "", bot_user_id=row.bot_user_ref,
                bot_scopes=data.get("bot_scopes") or "", is_enterprise_install=bool(is_enterprise_install),
                installed_at=row.installed_at.timestamp(),
            )
            self._cache[key] = (self._clock.now(), bot)
        else:
            self._cache.pop(key, None)
        return bot

    async def async_find_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        bot = await self.async_find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                        is_enterprise_install=is_enterprise_install)
        if bot is None:
            return None
        return Installation(
            app_id=bot.app_id, enterprise_id=bot.enterprise_id, team_id=bot.team_id, bot_token=bot.bot_token,
            bot_id=bot.bot_id, bot_user_id=bot.bot_user_id, bot_scopes=bot.bot_scopes, user_id=user_id or "",
            installed_at=bot.installed_at,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        async with self._store.unit_of_work() as uow:
            await uow.installations.delete(PLATFORM, enterprise_id or "", team_id or "")
            await uow.commit()
        self._cache.pop((enterprise_id or "", team_id or ""), None)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def bot_for(self, team_id: str) -> BotIdentity | None:
        """SlackTokens: the installed bot of `team_id`."""
        bot = await self.async_find_bot(enterprise_id=None, team_id=team_id)
        return BotIdentity(bot.bot_token, bot.bot_user_id) if bot else None

    async def forget(self, team_id: str, *, removed_at: datetime | None = None) -> None:
        """SlackTokens: drops the cached bot of `team_id`; with `removed_at`, deletes its installation too, unless
        it was saved after that moment (a reinstall that came before a late or redelivered removal)."""
        self._cache.pop(("", team_id), None)
        if removed_at is not None:
            async with self._store.unit_of_work() as uow:
                row = await uow.installations.find(PLATFORM, "", team_id)
                if row is not None and _aware(row.installed_at) <= removed_at:
                    await uow.installations.delete(PLATFORM, "", team_id)
                    await uow.commit()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


class StoreAuthorize(AsyncAuthorize):
    """Bolt's authorization of a request from an installed workspace: the stored bot, without bolt's auth.test call
    on every request (prepbot never calls the Web API through bolt's client; its own calls read the token afresh
    when Slack refuses it)."""

    def __init__(self, installations: StoreInstallationStore) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._installations = installations

    async def __call__(
        self, *, context: AsyncBoltContext, enterprise_id: str | None, team_id: str | None, user_id: str | None,
        actor_enterprise_id: str | None = None, actor_team_id: str | None = None, actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        bot = await self._installations.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None:
            return None
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_user_id=bot.bot_user_id,
                               bot_id=bot.bot_id, bot_token=bot.bot_token, bot_scopes=bot.bot_scopes,
                               user_id=user_id)


class StoreOAuthStateStore(AsyncOAuthStateStore):
    """One-time OAuth states in the database, so any replica can finish an install another one started."""

    def __init__(self, store: Store, clock: Clock, expiration: timedelta = timedelta(minutes=10)) -> None:
        self._store = store
        self._clock = clock
        self._expiration = expiration

    @property
    def logger(self) -> Any:
        import logging

        return logging.getLogger("prepbot.slack.oauth")

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        async with self._store.unit_of_work() as uow:
            await uow.oauth_states.issue(state, self._clock.now() + self._expiration)
            await uow.commit()
        return state

    async def async_consume(self, state: str) -> bool:
        async with self._store.unit_of_work() as uow:
            valid = await uow.oauth_states.consume(state, self._clock.now())
            await uow.commit()
        return valid
