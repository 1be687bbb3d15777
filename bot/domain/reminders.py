"""When a daily round's reminder is due, and whether it is still to be posted when it falls due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.model import Round, RoundKind, RoundStatus

DEFAULT_REMINDER = timedelta(hours=2)


@dataclass(frozen=True)
class Remind:
    """Post the reminder now: answers close in `left`."""

    left: timedelta


@dataclass(frozen=True)
class NoReminder:
    """Post nothing, because of `reason`."""

    reason: str


def reminder_due(kind: RoundKind, posted_at: datetime, deadline_at: datetime, offset: timedelta | None
                 ) -> datetime | None:
    """When the reminder of a round posted at `posted_at` with `deadline_at` falls due: `offset` before its deadline.
    None for a practice round, when the channel's reminders are off (`offset` None), and when that moment is not
    after the post (a deadline sooner than `offset` after posting: members just saw the question)."""
    if kind is not RoundKind.DAILY or offset is None or offset <= timedelta(0):
        return None
    due = deadline_at - offset
    return due if due > posted_at else None


def decide_reminder(round_: Round, now: datetime, offset: timedelta | None) -> Remind | NoReminder:
    """Whether a round's reminder, falling due at `now`, is posted: not for a practice round, nor when the channel
    turned reminders off since (`offset` None), nor once the round is closed or its deadline passed."""
    if round_.kind is not RoundKind.DAILY:
        return NoReminder("a practice round")
    if offset is None:
        return NoReminder("reminders are off")
    if round_.status is not RoundStatus.OPEN or round_.deadline_at is None:
        return NoReminder("the round is not open")
    if now >= round_.deadline_at:
        return NoReminder("the deadline passed")
    return Remind(round_.deadline_at - now)


def reminder_offset(minutes: int) -> timedelta | None:
    """A channel's stored reminder setting as an offset before the deadline; None when off (0)."""
    return timedelta(minutes=minutes) if minutes > 0 else None
