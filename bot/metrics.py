"""Counting what the core asks of the platforms, as a ChatPort that wraps another one."""

from __future__ import annotations

from datetime import datetime

from bot.cards import Card, FindableCard, QuestionCard, Reaction, RevealCard
from bot.domain.model import ChannelAddress
from bot.ports import ChatError, ChatPort, Metrics


class CountingChat:
    """A ChatPort that counts posts, reveals and platform errors, then delegates (accepted answers are counted where
    the store accepts them)."""

    def __init__(self, inner: ChatPort, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def _failed(self, channel: ChannelAddress, method: str, error: ChatError) -> None:
        self._metrics.platform_error(channel.platform, method, error.rate_limited)

    async def post_question(self, channel: ChannelAddress, card: QuestionCard) -> str:
        try:
            ref = await self._inner.post_question(channel, card)
        except ChatError as error:
            self._failed(channel, "post_question", error)
            raise
        self._metrics.question_posted(channel.platform, "practice" if card.practice else "daily")
        return ref

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        try:
            await self._inner.update_question(channel, message_ref, card)
        except ChatError as error:
            self._failed(channel, "update_question", error)
            raise

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        try:
            return await self._inner.post_message(channel, card)
        except ChatError as error:
            self._failed(channel, "post_message", error)
            raise

    async def reply_in_thread(self, channel: ChannelAddress, thread_ref: str, card: Card) -> str:
        try:
            ref = await self._inner.reply_in_thread(channel, thread_ref, card)
        except ChatError as error:
            self._failed(channel, "reply_in_thread", error)
            raise
        if isinstance(card, RevealCard):
            self._metrics.reveal_posted(channel.platform)
        return ref

    async def find_posted(
        self, channel: ChannelAddress, card: FindableCard, *, since: datetime,
        thread_ref: str | None = None,
    ) -> str | None:
        try:
            return await self._inner.find_posted(channel, card, since=since, thread_ref=thread_ref)
        except ChatError as error:
            self._failed(channel, "find_posted", error)
            raise

    async def react(self, channel: ChannelAddress, message_ref: str, reaction: Reaction) -> None:
        try:
            await self._inner.react(channel, message_ref, reaction)
        except ChatError as error:
            self._failed(channel, "react", error)
            raise

    async def tell_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        try:
            await self._inner.tell_member(channel, member_ref, card)
        except ChatError as error:
            self._failed(channel, "tell_member", error)
            raise

    async def message_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        try:
            await self._inner.message_member(channel, member_ref, card)
        except ChatError as error:
            self._failed(channel, "message_member", error)
            raise

    async def is_admin(self, channel: ChannelAddress, member_ref: str) -> bool:
        return await self._inner.is_admin(channel, member_ref)
