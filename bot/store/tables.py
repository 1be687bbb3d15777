"""Table definitions. The schema is created and changed only by the Alembic migrations in migrations/."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC and reads them back as aware UTC, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=timezone.utc)  # type: ignore[no-any-return]


channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("channel_ref", String(64), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("subscribed", Boolean, nullable=False, server_default="0"),
    Column("tz", String(64), nullable=False, server_default="UTC"),
    Column("post_time", String(5), nullable=False, server_default="09:30"),
    Column("weekdays", String(20), nullable=False, server_default="0,1,2,3,4"),
    Column("deadline", String(16), nullable=False, server_default="17:00"),
    Column("levels", String(200), nullable=False, server_default=""),
    Column("paused", Boolean, nullable=False, server_default="0"),
    Column("skip_dates", Text, nullable=False, server_default=""),
    Column("holiday_country", String(8), nullable=True),
    Column("holiday_dates", Text, nullable=False, server_default=""),
    Column("board_weekday", Integer, nullable=False, server_default="0"),
    Column("board_time", String(5), nullable=False, server_default="09:00"),
    Column("created_at", UtcDateTime, nullable=False),
    # Who last subscribed the channel: told directly when the bot loses the channel.
    Column("subscribed_by", String(64), nullable=True),
    Column("grader", String(16), nullable=False, server_default="offline"),  # offline | ai
    # Practice questions shown only to the member who asked (with their reveal), rather than posted in the channel.
    Column("practice_private", Boolean, nullable=False, server_default="0"),
    # How long before the deadline a daily question's reminder is posted in its thread; 0: no reminder.
    Column("reminder_minutes", Integer, nullable=False, server_default="120"),
    # How its questions are answered: thread | private. Rows stored before modes existed answer in threads; a
    # channel first seen since is stored private (ChannelRepository.get_or_create).
    Column("answer_mode", String(16), nullable=False, server_default="thread"),
    UniqueConstraint("platform", "workspace", "channel_ref"),
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("member_ref", String(64), nullable=False),
    Column("display_name", String(200), nullable=False, server_default=""),
    Column("opted_out", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("platform", "workspace", "member_ref"),
)

rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("question_id", String(100), nullable=False),
    Column("level", String(20), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("local_date", Date, nullable=False),
    # The channel-local date for daily rounds, NULL for practice: one daily round per channel and date.
    Column("daily_date", Date, nullable=True),
    Column("requested_by", Integer, ForeignKey("members.id"), nullable=True),
    Column("message_ref", String(64), nullable=True),
    Column("status", String(10), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime, nullable=True),
    Column("deadline_at", UtcDateTime, nullable=True),
    Column("revealed_at", UtcDateTime, nullable=True),
    # The reveal's message once it is posted, so a retried reveal never posts it twice.
    Column("reveal_ref", String(64), nullable=True),
    # A practice round shown only to the member who asked: no thread; its reveal goes to that member too.
    Column("personal", Boolean, nullable=False, server_default="0"),
    # The reminder: when an attempt was about to post it (a later attempt looks before posting again), its message
    # once recorded, and when the private nudges went out.
    Column("reminder_started_at", UtcDateTime, nullable=True),
    Column("reminder_ref", String(64), nullable=True),
    Column("nudged_at", UtcDateTime, nullable=True),
    # Its channel's answer mode when the round was created: what its question offered, and what its reveal shows.
    Column("answer_mode", String(16), nullable=False, server_default="thread"),
    UniqueConstraint("channel_id", "daily_date"),
    UniqueConstraint("channel_id", "message_ref"),
)

answer_parts = Table(
    "answer_parts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, ForeignKey("rounds.id"), nullable=False),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("message_ref", String(64), nullable=False),
    Column("text", Text, nullable=False),
    # What counts for scoring: the text as it stood at the deadline.
    Column("scored_text", Text, nullable=False),
    Column("on_time", Boolean, nullable=False),
    Column("truncated", Boolean, nullable=False, server_default="0"),
    Column("received_at", UtcDateTime, nullable=False),
    Column("edited_at", UtcDateTime, nullable=True),
    Column("withdrawn_at", UtcDateTime, nullable=True),
    # Whether the reaction that tells the member it was stored has been made (it follows the commit).
    Column("acknowledged", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("round_id", "message_ref"),
    Index("ix_answer_parts_round_member", "round_id", "member_id"),
)

votes = Table(
    "votes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, ForeignKey("rounds.id"), nullable=False),
    Column("message_ref", String(64), nullable=False),
    Column("author_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("voter_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("reaction", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("round_id", "message_ref", "voter_id", "reaction"),
    Index("ix_votes_round_author", "round_id", "author_id"),
)

points = Table(
    "points",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("round_id", Integer, ForeignKey("rounds.id"), nullable=False),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("level", String(20), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("local_date", Date, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("amount", Integer, nullable=False),
    Column("detail", String(300), nullable=False, server_default=""),
    Column("awarded_at", UtcDateTime, nullable=False),
    UniqueConstraint("round_id", "member_id", "reason"),
    # Covers the boards: a period's points of a channel are read from the index alone.
    Index("ix_points_board", "channel_id", "local_date", "member_id", "reason", "amount"),
    Index("ix_points_member", "member_id"),
)

results = Table(
    "results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("round_id", Integer, ForeignKey("rounds.id"), nullable=False),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("question_id", String(100), nullable=False),
    Column("level", String(20), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("local_date", Date, nullable=False),
    Column("on_time", Boolean, nullable=False),
    Column("covered", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    # The grader that scored it (NULL: the word-prefix matcher, before graders were recorded) and its findings
    # per key point as JSON, so a reveal is always built from what was scored.
    Column("grader", String(40), nullable=True),
    Column("feedback", Text, nullable=True),
    UniqueConstraint("round_id", "member_id"),
    Index("ix_results_member", "member_id", "question_id"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("round_id", Integer, ForeignKey("rounds.id"), nullable=True),
    Column("slot_date", Date, nullable=True),
    Column("due_at", UtcDateTime, nullable=False),
    # Unique per piece of work (e.g. post:12:2026-10-26), so the same work is never scheduled twice.
    Column("dedupe_key", String(100), nullable=False, unique=True),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("claim_token", String(40), nullable=True),
    Column("done_at", UtcDateTime, nullable=True),
    Column("outcome", String(200), nullable=True),
    Index("ix_tasks_pending_due", "done_at", "due_at"),
)

installations = Table(
    "installations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("enterprise", String(64), nullable=False, server_default=""),
    Column("workspace", String(64), nullable=False),
    Column("bot_token", Text, nullable=False),
    Column("bot_user_ref", String(64), nullable=False, server_default=""),
    # Everything else the platform returned at install time, as JSON text.
    Column("data", Text, nullable=False, server_default="{}"),
    Column("installed_at", UtcDateTime, nullable=False),
    UniqueConstraint("platform", "enterprise", "workspace"),
)

oauth_states = Table(
    "oauth_states",
    metadata,
    Column("state", String(100), primary_key=True),
    Column("expires_at", UtcDateTime, nullable=False),
)

inbox = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("channel_ref", String(64), nullable=False),
    Column("channel_name", String(200), nullable=False, server_default=""),
    Column("member_ref", String(64), nullable=False),
    Column("member_name", String(200), nullable=False, server_default=""),
    Column("text", Text, nullable=False),
    # The platform's id for this delivery (e.g. Slack's trigger_id), so a retried delivery is queued once.
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("done_at", UtcDateTime, nullable=True),
    Column("claim_token", String(40), nullable=True),  # who holds it (see bot/services/claims.py)
    Index("ix_inbox_pending", "done_at", "id"),
)

# An AI judge's verdict, stored under the fingerprint of what it depends on before any score uses it.
judgements = Table(
    "judgements",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("model", String(200), nullable=False),
    Column("points", Text, nullable=False),
    Column("feedback", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# The AI judge's requests per UTC day.
judge_budget = Table(
    "judge_budget",
    metadata,
    Column("day", Date, primary_key=True),
    Column("calls", Integer, nullable=False, server_default="0"),
)

# The welcome each channel was given when the bot was added to it: claimed before it is posted, so a channel is
# welcomed at most once, by one process, however often the platform says the bot joined.
welcomes = Table(
    "welcomes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("channel_ref", String(64), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime, nullable=True),
    Column("message_ref", String(64), nullable=True),
    UniqueConstraint("platform", "workspace", "channel_ref"),
)


# The members who asked, in a channel, for a private nudge at the reminder when they have not answered yet.
reminder_nudges = Table(
    "reminder_nudges",
    metadata,
    Column("channel_id", Integer, ForeignKey("channels.id"), primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id"), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
)
