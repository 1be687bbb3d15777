"""The console's chat port: prints what the core posts, as text or one JSON object per line."""

from __future__ import annotations

import json
import sys
import uuid
from dataclasses import dataclass, field
from typing import Any, TextIO

from adapters.console.render import local, render
from bot.cards import Card, LeaderboardCard, NoticeKind, QuestionCard, Reaction, RevealCard, StatsCard
from bot.domain.model import ChannelAddress
from bot.ports import Clock

REACTION_MARKS = {Reaction.ACCEPTED: "✅", Reaction.LATE: "⏰"}


def card_kind(card: Card, private: bool) -> str:
    if isinstance(card, QuestionCard):
        return "question"
    if isinstance(card, RevealCard):
        return "hint"
    if isinstance(card, LeaderboardCard):
        return "leaderboard"
    if isinstance(card, StatsCard):
        return "reply"
    if card.kind is NoticeKind.ERROR:
        return "error"
    return "reply" if private else "notice"


@dataclass
class ConsoleChat:
    """A local channel in the terminal. Everyone in it is an admin."""

    clock: Clock
    tz: str
    out: TextIO = field(default_factory=lambda: sys.stdout)
    as_json: bool = False
    replies: dict[str, tuple[str, str]] = field(default_factory=dict)  # message ref -> (thread ref, author)

    def new_ref(self) -> str:
        return uuid.uuid4().hex[:12]

    def emit(self, kind: str, card: Card | None, text: str, **extra: Any) -> None:
        if self.as_json:
            record: dict[str, Any] = {"kind": kind, "text": text, "at": self.clock.now().isoformat()}
            if isinstance(card, QuestionCard | RevealCard):
                record["question_id"] = card.question_id
                record["round_id"] = card.round_id
            record.update({k: v for k, v in extra.items() if v is not None})
            self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        else:
            prefix = f"[{local(self.clock.now(), self.tz)}] "
            body = text.replace("\n", "\n" + " " * len(prefix))
            self.out.write(f"{prefix}{body}\n")
        self.out.flush()

    async def post_question(self, channel: ChannelAddress, card: QuestionCard) -> str:
        ref = self.new_ref()
        self.emit("question", card, render(card), thread=ref, deadline=card.deadline_at.isoformat(),
                  deadline_local=f"{local(card.deadline_at, card.tz)} {card.tz}", practice=card.practice)
        return ref

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        self.emit("update", card, render(card), thread=message_ref, closed=card.closed)

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        self.emit(card_kind(card, private=False), card, render(card))
        return self.new_ref()

    async def reply_in_thread(self, channel: ChannelAddress, thread_ref: str, card: Card) -> str:
        self.emit(card_kind(card, private=False), card, render(card), thread=thread_ref)
        return self.new_ref()

    async def react(self, channel: ChannelAddress, message_ref: str, reaction: Reaction) -> None:
        thread, author = self.replies.get(message_ref, (None, None))
        text = f"{REACTION_MARKS[reaction]} {author or 'answer'}: " + (
            "answer saved" if reaction is Reaction.ACCEPTED else "saved, but after the deadline: it scores nothing"
        )
        self.emit("ack", None, text, thread=thread, member=author, message=message_ref,
                  on_time=reaction is Reaction.ACCEPTED)

    async def tell_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        self.emit(card_kind(card, private=True), card, f"(only {member_ref} sees this) {render(card)}", member=member_ref)

    async def message_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        self.emit(card_kind(card, private=True), card, f"(direct message to {member_ref}) {render(card)}",
                  member=member_ref)

    async def is_admin(self, channel: ChannelAddress, member_ref: str) -> bool:
        return True

    def show_private(self, member_ref: str, card: Card) -> None:
        """A command's private answer."""
        self.emit(card_kind(card, private=True), card, render(card), member=member_ref)


