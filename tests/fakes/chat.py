"""A chat platform in memory that records everything the core asked of it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from adapters.chart import CardImage, chart_of
from bot.cards import Card, FindableCard, LeaderboardCard, Notice, QuestionCard, Reaction, RevealCard
from bot.domain.model import ChannelAddress
from bot.ports import ChatError


@dataclass
class Posted:
    channel: ChannelAddress
    ref: str
    card: Card
    thread_ref: str | None = None
    private_to: str | None = None

    @cached_property
    def image(self) -> CardImage | None:
        """The picture posted with the card (a board's chart, drawn as a chat adapter draws it), if any."""
        return chart_of(self.card) if isinstance(self.card, LeaderboardCard) else None

    @property
    def question(self) -> QuestionCard:
        """The card, which a test expects to be a question."""
        assert isinstance(self.card, QuestionCard), self.card
        return self.card

    @property
    def reveal(self) -> RevealCard:
        """The card, which a test expects to be a reveal."""
        assert isinstance(self.card, RevealCard), self.card
        return self.card

    @property
    def board(self) -> LeaderboardCard:
        """The card, which a test expects to be a board."""
        assert isinstance(self.card, LeaderboardCard), self.card
        return self.card

    @property
    def notice(self) -> Notice:
        """The card, which a test expects to be a notice."""
        assert isinstance(self.card, Notice), self.card
        return self.card


@dataclass(frozen=True)
class Lookup:
    """One find_posted call: what was looked for, where, and what was found."""

    channel: ChannelAddress
    kind: str  # "question", "reveal" or "board"
    round_id: int | None  # None for a board
    thread_ref: str | None
    since: datetime
    found: str | None
    key: str | None = None  # a board's key


def _same_card(posted: Card, wanted: FindableCard) -> bool:
    """Whether `posted` is what find_posted looks for with `wanted`: the same kind of card, and the same round (a
    question or reveal) or the same key (a board)."""
    if isinstance(posted, LeaderboardCard) and isinstance(wanted, LeaderboardCard):
        return posted.key is not None and posted.key == wanted.key
    return (isinstance(posted, QuestionCard | RevealCard) and isinstance(wanted, QuestionCard | RevealCard)
            and type(posted) is type(wanted) and posted.round_id == wanted.round_id)


@dataclass
class FakeChat:
    """Records posts, replies, updates, reactions, private notes and look-ups; admins are the refs in `admins`.

    `fail_next` makes the next calls fail before they do anything. `lose_next_post` makes the next posts (questions,
    channel messages, thread replies) happen, recorded in `posts` as the platform took them, and then raises the
    exception: the platform accepted the post but prepbot never learnt its ref (the answer was lost, or the
    process died before it could record it)."""

    admins: set[str] = field(default_factory=set)
    everyone_admin: bool = False
    fail_next: list[ChatError] = field(default_factory=list)
    lose_next_post: list[Exception] = field(default_factory=list)
    posts: list[Posted] = field(default_factory=list)
    updates: list[tuple[str, QuestionCard]] = field(default_factory=list)
    reactions: list[tuple[str, Reaction]] = field(default_factory=list)
    direct: list[tuple[str, Card]] = field(default_factory=list)
    lookups: list[Lookup] = field(default_factory=list)
    _refs: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _maybe_fail(self) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)

    def _ref(self) -> str:
        return f"m{next(self._refs)}"

    def _posted(self, posted: Posted) -> str:
        """Records a post the platform took; returns its ref, or raises what `lose_next_post` holds."""
        self.posts.append(posted)
        if self.lose_next_post:
            raise self.lose_next_post.pop(0)
        return posted.ref

    async def post_question(self, channel: ChannelAddress, card: QuestionCard) -> str:
        self._maybe_fail()
        return self._posted(Posted(channel, self._ref(), card))

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        self._maybe_fail()
        self.updates.append((message_ref, card))

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        self._maybe_fail()
        return self._posted(Posted(channel, self._ref(), card))

    async def reply_in_thread(self, channel: ChannelAddress, thread_ref: str, card: Card) -> str:
        self._maybe_fail()
        return self._posted(Posted(channel, self._ref(), card, thread_ref=thread_ref))

    async def find_posted(
        self, channel: ChannelAddress, card: FindableCard, *, since: datetime,
        thread_ref: str | None = None,
    ) -> str | None:
        """The first post of a card of the same kind and round (a board: with the same key) in the same place; it
        remembers every post, so `since` narrows nothing. A board without a key is None, and not recorded as a
        look-up (the platform would not be asked)."""
        if isinstance(card, LeaderboardCard) and card.key is None:
            return None
        self._maybe_fail()
        found = next((p.ref for p in self.posts
                      if p.channel == channel and p.thread_ref == thread_ref and p.private_to is None
                      and _same_card(p.card, card)), None)
        if isinstance(card, LeaderboardCard):
            self.lookups.append(Lookup(channel, "board", None, thread_ref, since, found, key=card.key))
        else:
            kind = "question" if isinstance(card, QuestionCard) else "reveal"
            self.lookups.append(Lookup(channel, kind, card.round_id, thread_ref, since, found))
        return found

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
