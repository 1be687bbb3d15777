"""A chat platform in memory that records everything the core asked of it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.cards import Card, CardImage, LeaderboardCard, QuestionCard, Reaction
from bot.domain.model import ChannelAddress
from bot.ports import ChatError


@dataclass
class Posted:
    channel: ChannelAddress
    ref: str
    card: Card
    thread_ref: str | None = None
    private_to: str | None = None

    @property
    def image(self) -> CardImage | None:
        """The picture posted with the card (a board's chart), if any."""
        return self.card.image if isinstance(self.card, LeaderboardCard) else None


@dataclass
class FakeChat:
    """Records posts, replies, updates, reactions and private notes; admins are the refs in `admins`."""

    admins: set[str] = field(default_factory=set)
    everyone_admin: bool = False
    fail_next: list[ChatError] = field(default_factory=list)
    posts: list[Posted] = field(default_factory=list)
    updates: list[tuple[str, QuestionCard]] = field(default_factory=list)
    reactions: list[tuple[str, Reaction]] = field(default_factory=list)
    direct: list[tuple[str, Card]] = field(default_factory=list)
    _refs: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _maybe_fail(self) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)

    def _ref(self) -> str:
        return f"m{next(self._refs)}"

    async def post_question(self, channel: ChannelAddress, card: QuestionCard) -> str:
        self._maybe_fail()
        ref = self._ref()
        self.posts.append(Posted(channel, ref, card))
        return ref

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        self._maybe_fail()
        self.updates.append((message_ref, card))

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        self._maybe_fail()
        ref = self._ref()
        self.posts.append(Posted(channel, ref, card))
        return ref

    async def reply_in_thread(self, channel: ChannelAddress, thread_ref: str, card: Card) -> str:
        self._maybe_fail()
        ref = self._ref()
        self.posts.append(Posted(channel, ref, card, thread_ref=thread_ref))
        return ref

    async def react(self, channel: ChannelAddress, message_ref: str, reaction: Reaction) -> None:
        self._maybe_fail()
        self.reactions.append((message_ref, reaction))

    async def tell_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        self._maybe_fail()
        self.posts.append(Posted(channel, self._ref(), card, private_to=member_ref))

    async def message_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        self._maybe_fail()
        self.direct.append((member_ref, card))

    async def is_admin(self, channel: ChannelAddress, member_ref: str) -> bool:
        return self.everyone_admin or member_ref in self.admins

    # ---- reading what happened ----

    def cards(self, kind: type) -> list:  # type: ignore[type-arg]
        return [p.card for p in self.posts if isinstance(p.card, kind)]

    def questions(self) -> list[Posted]:
        return [p for p in self.posts if isinstance(p.card, QuestionCard)]

    def images(self) -> list[tuple[Posted, CardImage]]:
        """Every picture posted, with the post that carried it, in order."""
        return [(p, p.image) for p in self.posts if p.image is not None]
