"""One ChatPort over several platforms: each call goes to the platform named in the channel's address."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.cards import Card, FindableCard, QuestionCard, Reaction
from bot.domain.model import ChannelAddress
from bot.ports import ChatError, ChatPort


class ChatRouter:
    def __init__(self, platforms: Mapping[str, ChatPort]) -> None:
        self._platforms = dict(platforms)

    def _port(self, channel: ChannelAddress) -> ChatPort:
        port = self._platforms.get(channel.platform)
        if port is None:
            raise ChatError(f"no connection to {channel.platform} in this process", gone=False)
        return port

    async def post_question(self, channel: ChannelAddress, card: QuestionCard) -> str:
        return await self._port(channel).post_question(channel, card)

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        await self._port(channel).update_question(channel, message_ref, card)

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        return await self._port(channel).post_message(channel, card)

    async def reply_in_thread(self, channel: ChannelAddress, thread_ref: str, card: Card) -> str:
        return await self._port(channel).reply_in_thread(channel, thread_ref, card)

    async def find_posted(
        self, channel: ChannelAddress, card: FindableCard, *, since: datetime,
        thread_ref: str | None = None,
    ) -> str | None:
        return await self._port(channel).find_posted(channel, card, since=since, thread_ref=thread_ref)

    async def react(self, channel: ChannelAddress, message_ref: str, reaction: Reaction) -> None:
        await self._port(channel).react(channel, message_ref, reaction)

    async def tell_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        await self._port(channel).tell_member(channel, member_ref, card)

    async def message_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        await self._port(channel).message_member(channel, member_ref, card)

    async def is_admin(self, channel: ChannelAddress, member_ref: str) -> bool:
        return await self._port(channel).is_admin(channel, member_ref)
