"""The console's chat port: prints what the core posts, as text or one JSON object per line."""

from __future__ import annotations

import json
import os
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from adapters.chart import chart_of
from adapters.console.render import local, render
from bot.cards import (
    Card,
    FindableCard,
    HelpCard,
    LeaderboardCard,
    NoticeKind,
    NudgeCard,
    QuestionCard,
    Reaction,
    ReminderCard,
    RevealCard,
    StatsCard,
    WelcomeCard,
)
from bot.domain.model import ChannelAddress
from bot.ports import Clock
from bot.wording import console_acknowledgement, console_chart_not_saved, console_chart_saved, console_private

REACTION_MARKS = {Reaction.ACCEPTED: "✅", Reaction.LATE: "⏰"}
CHARTS_DIR_VARIABLE = "PREPBOT_CHARTS_DIR"


def default_charts_dir() -> Path:
    """Where the console saves board charts: the folder named by PREPBOT_CHARTS_DIR, else the current folder."""
    return Path(os.environ.get(CHARTS_DIR_VARIABLE) or ".")


def card_kind(card: Card, private: bool) -> str:
    if isinstance(card, QuestionCard):
        return "question"
    if isinstance(card, RevealCard):
        return "hint"
    if isinstance(card, LeaderboardCard):
        return "leaderboard"
    if isinstance(card, ReminderCard):
        return "reminder"
    if isinstance(card, NudgeCard):
        return "nudge"
    if isinstance(card, StatsCard | HelpCard):
        return "reply"
    if isinstance(card, WelcomeCard):
        return "notice"
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
    charts_dir: Path = field(default_factory=default_charts_dir)
    # What this console posted for each round: (question, hint or reminder, round id, thread ref or None) -> its ref
    round_posts: dict[tuple[str, int, str | None], str] = field(default_factory=dict)
    # What this console posted for each board with a key: (key, thread ref or None) -> message ref
    board_posts: dict[tuple[str, str | None], str] = field(default_factory=dict)

    def new_ref(self) -> str:
        return uuid.uuid4().hex[:12]

    def emit(self, kind: str, card: Card | None, text: str, **extra: Any) -> None:
        if self.as_json:
            record: dict[str, Any] = {"kind": kind, "text": text, "at": self.clock.now().isoformat()}
            if isinstance(card, QuestionCard | RevealCard):
                record["question_id"] = card.question_id
                record["round_id"] = card.round_id
            elif isinstance(card, ReminderCard | NudgeCard):
                record["round_id"] = card.round_id
            record.update({k: v for k, v in extra.items() if v is not None})
            self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        else:
            prefix = f"[{local(self.clock.now(), self.tz)}] "
            body = text.replace("\n", "\n" + " " * len(prefix))
            self.out.write(f"{prefix}{body}\n")
        self.out.flush()

    def save_chart(self, card: Card) -> dict[str, Any]:
        """Writes the card's picture (a board's chart) to `charts_dir` under its file name, replacing an older one of
        the same name; returns what to print about it: `chart` (the absolute path) and `chart_alt`, or `chart_error`
        when it could not be written; nothing for a card without a picture."""
        image = chart_of(card) if isinstance(card, LeaderboardCard) else None
        if image is None:
            return {}
        path = (self.charts_dir / image.filename).resolve()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(image.data)
        except OSError as error:
            return {"chart_error": console_chart_not_saved(str(path), str(error.strerror or error))}
        return {"chart": str(path), "chart_alt": image.alt_text}

    def show(self, kind: str, card: Card, text: str, **extra: Any) -> None:
        """Prints a card, saving its picture first and saying where it went (a line of text, or JSON fields)."""
        chart = self.save_chart(card)
        if not self.as_json and "chart" in chart:
            text += f"\n  {console_chart_saved(chart['chart'])}"
        elif not self.as_json and "chart_error" in chart:
            text += f"\n  ({chart['chart_error']})"
        self.emit(kind, card, text, **extra, **(chart if self.as_json else {}))

    async def post_question(self, channel: ChannelAddress, card: QuestionCard) -> str:
        ref = self.new_ref()
        self.emit("question", card, render(card), thread=ref, deadline=card.deadline_at.isoformat(),
                  deadline_local=f"{local(card.deadline_at, card.tz)} {card.tz}", practice=card.practice)
        self.round_posts.setdefault(("question", card.round_id, None), ref)
        return ref

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        self.emit("update", card, render(card), thread=message_ref, closed=card.closed)

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        self.show(card_kind(card, private=False), card, render(card))
        ref = self.new_ref()
        if isinstance(card, LeaderboardCard) and card.key is not None:
            self.board_posts.setdefault((card.key, None), ref)
        return ref

    async def reply_in_thread(self, channel: ChannelAddress, thread_ref: str, card: Card) -> str:
        self.show(card_kind(card, private=False), card, render(card), thread=thread_ref)
        ref = self.new_ref()
        if isinstance(card, RevealCard | ReminderCard):
            self.round_posts.setdefault((card_kind(card, private=False), card.round_id, thread_ref), ref)
        if isinstance(card, LeaderboardCard) and card.key is not None:
            self.board_posts.setdefault((card.key, thread_ref), ref)
        return ref

    async def find_posted(
        self, channel: ChannelAddress, card: FindableCard, *, since: datetime,
        thread_ref: str | None = None,
    ) -> str | None:
        """Looks in what this console posted since it started (a card is always printed whole, a board with its
        chart); returns the ref posting it returned, or None. The transcript goes to the terminal and is not read
        back, so a console started again has nothing to look in and says None; so does a board without a key."""
        if isinstance(card, LeaderboardCard):
            return self.board_posts.get((card.key, thread_ref)) if card.key is not None else None
        return self.round_posts.get((card_kind(card, private=False), card.round_id, thread_ref))

    async def react(self, channel: ChannelAddress, message_ref: str, reaction: Reaction) -> None:
        thread, author = self.replies.get(message_ref, (None, None))
        text = f"{REACTION_MARKS[reaction]} {console_acknowledgement(author, reaction)}"
        self.emit("ack", None, text, thread=thread, member=author, message=message_ref,
                  on_time=reaction is Reaction.ACCEPTED)

    async def tell_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        self.show(card_kind(card, private=True), card, console_private(member_ref) + render(card), member=member_ref)

    async def message_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        self.show(card_kind(card, private=True), card, console_private(member_ref, direct=True) + render(card),
                  member=member_ref)

    async def is_admin(self, channel: ChannelAddress, member_ref: str) -> bool:
        return True

    def show_private(self, member_ref: str, card: Card) -> None:
        """A command's private answer."""
        self.show(card_kind(card, private=True), card, render(card), member=member_ref)


