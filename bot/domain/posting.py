"""What a channel's daily slot does when it falls due: post its question, recover one already posted, or skip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.model import Channel, Round, RoundStatus
from bot.domain.schedule import Slot
from bot.domain.timeparse import format_duration


@dataclass(frozen=True)
class Post:
    """Post the slot's question, taking answers until `deadline`; then plan the next post after the slot."""

    deadline: datetime


@dataclass(frozen=True)
class Skip:
    """Post nothing for the slot, because of `reason`; then plan the next post after `resume_after`."""

    reason: str
    resume_after: datetime
    missed: bool = False  # due longer ago than the grace window allows


@dataclass(frozen=True)
class Recover:
    """An earlier attempt created the slot's round and may have posted its question without recording it (the
    platform took it, then the process died or the answer was lost). Ask the platform for the bot's post showing
    `deadline` and record it if found; if not, do `otherwise`. When the platform cannot be asked, a Skip still
    skips, while a Post waits for the platform (posting blind could show members the question twice)."""

    deadline: datetime
    otherwise: Post | Skip


@dataclass(frozen=True)
class AlreadyPosted:
    """The slot's question is posted (or already revealed): nothing to do but plan the next post after the slot."""


Decision = Post | Recover | Skip | AlreadyPosted


def day_off(slot: Slot, channel: Channel) -> str | None:
    """Why `slot` posts nothing at all (unsubscribed, paused, not a posting day, skipped, a holiday), or None."""
    if not channel.subscribed:
        return "unsubscribed"
    if channel.schedule.paused:
        return "paused"
    return channel.schedule.off_reason(slot.local_date)


def decide(slot: Slot, channel: Channel, round_: Round | None, now: datetime, grace: timedelta) -> Decision:
    """What `slot` does at `now`, given the round already recorded for it (None when it has none yet).

    A slot on a day off skips, and so does one due longer ago than `grace` (missed), planning on from the later of
    the slot and `now - grace` so that a long outage does not post a backlog. A new post takes answers until the
    schedule's deadline for the slot, counted from `now`. A round an earlier attempt left pending is recovered with
    the deadline it planned (the card its post shows), or, for a round recorded before deadlines were planned, with
    that same new deadline. A question posted once is never skipped or posted again, even when the slot is off by
    now: members saw it."""
    if round_ is not None and round_.status is not RoundStatus.PENDING:
        return AlreadyPosted()
    deadline = channel.schedule.deadline_for(slot, now)
    resume_after = max(slot.due_at, now - grace)
    reason = day_off(slot, channel)
    then: Post | Skip
    if reason is not None:
        then = Skip(reason, resume_after)
    elif now - slot.due_at > grace:
        missed = f"missed: due {slot.due_at:%Y-%m-%d %H:%M} UTC, beyond the {format_duration(grace)} grace window"
        then = Skip(missed, resume_after, missed=True)
    else:
        then = Post(deadline)
    if round_ is None:
        return then
    return Recover(round_.deadline_at or deadline, otherwise=then)
