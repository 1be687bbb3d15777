"""A channel's answers and points over a range of dates, for a team lead's spreadsheet or a script."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.admin.channels import channel_label
from bot.domain.model import AnswerPart, Channel, Member, MemberAnswer, Round, RoundStatus, assemble_answers
from bot.domain.scoring import Award
from bot.questions import QuestionBank
from bot.store.unit_of_work import Store

DEFAULT_DAYS = 7
CSV_COLUMNS = (
    "round_id", "local_date", "kind", "level", "question_id", "question", "member_id", "member", "answer",
    "answered_at", "on_time", "withdrawn", "points", "reasons", "edited_after_deadline", "answer_now",
)


@dataclass(frozen=True)
class ExportedAnswer:
    """A member's answer to a round, as it was scored and as it reads now.

    `text` is what the points were given for: the member's on-time replies as they stood at the deadline (an edit
    after the deadline is not scored), without those deleted before the reveal; for an answer with no such reply,
    which scores nothing (`on_time` false), its replies as they read now. `edited_after_deadline` says an on-time
    reply was edited or deleted after the deadline. `text_now` is the replies not deleted, as they read now, when
    that differs from `text` (such an edit, or a reply added after the deadline), else empty. `withdrawn`: every
    reply is deleted now. `answered_at` is their first reply, in the channel's time zone."""

    member_id: int
    member: str
    text: str
    answered_at: datetime
    on_time: bool
    withdrawn: bool
    edited_after_deadline: bool = False
    text_now: str = ""


@dataclass(frozen=True)
class ExportedAward:
    """Points a member earned in a round, with their reason (participation, coverage, votes, streak)."""

    member_id: int
    member: str
    reason: str
    points: int
    detail: str


@dataclass(frozen=True)
class ExportedRound:
    id: int
    local_date: date
    kind: str
    level: str
    question_id: str
    question: str | None
    state: str
    answers: tuple[ExportedAnswer, ...]
    points: tuple[ExportedAward, ...]


@dataclass(frozen=True)
class ChannelExport:
    """Every round of a channel dated from `first` to `last` (channel-local dates, both included)."""

    channel: str
    channel_name: str
    time_zone: str
    first: date
    last: date
    rounds: tuple[ExportedRound, ...]


def round_state(round_: Round, now: datetime) -> str:
    """`pending` (not posted yet), `open` (taking answers), `closed` (past its deadline, not revealed yet) or
    `revealed`."""
    if round_.status is RoundStatus.CLOSED:
        return "revealed"
    if round_.posted_at is None:
        return "pending"
    if round_.deadline_at is not None and now >= round_.deadline_at:
        return "closed"
    return "open"


def default_range(channel: Channel, now: datetime, first: date | None = None, last: date | None = None,
                  days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The dates to export: by default the last `days` days up to today in the channel's time zone; with only
    `first`, from it to today; with only `last`, the `days` days ending on it."""
    if last is None:
        today = channel.schedule.local_date(now)
        last = max(today, first) if first is not None else today
    if first is None:
        first = last - timedelta(days=days - 1)
    return first, last


def _member_name(member: Member | None) -> str:
    return member.shown_name if member is not None else "unknown"


def _scored(part: AnswerPart, round_: Round) -> bool:
    """Whether the round's score reads the reply (its text as it stood at the deadline): on time, and not deleted
    before the reveal."""
    return part.on_time and (
        part.withdrawn_at is None or (round_.revealed_at is not None and part.withdrawn_at >= round_.revealed_at)
    )


def _changed_after_deadline(part: AnswerPart, round_: Round) -> bool:
    """Whether an on-time reply was edited (it reads differently from what was scored) or deleted after the
    deadline."""
    if not part.on_time:
        return False
    deleted_late = part.withdrawn_at is not None and round_.deadline_at is not None \
        and part.withdrawn_at >= round_.deadline_at
    return deleted_late or part.text != part.scored_text


def _answer(answer: MemberAnswer, round_: Round, member: Member | None, channel: Channel) -> ExportedAnswer:
    live = answer.live_parts
    shown = live or answer.parts
    scored = "\n".join(p.scored_text for p in answer.parts if _scored(p, round_))
    now = "\n".join(p.text for p in live)
    text = scored if scored.strip() else now
    return ExportedAnswer(
        member_id=answer.member_id,
        member=_member_name(member),
        text=text,
        answered_at=min(p.received_at for p in shown).astimezone(channel.schedule.zone),
        on_time=bool(scored.strip()),
        withdrawn=answer.withdrawn,
        edited_after_deadline=any(_changed_after_deadline(p, round_) for p in answer.parts),
        text_now=now if now != text else "",
    )


async def export_channel(
    store: Store, channel: Channel, first: date, last: date, *, now: datetime, bank: QuestionBank | None = None,
) -> ChannelExport:
    """Every round of `channel` dated from `first` to `last`, with each member's answer and the points awarded.

    Members who opted out are exported as "anonymous", as boards and reveals show them; `member_id` (the store's
    number for a member, which names nobody) still tells their answers and points apart.
    """
    async with store.unit_of_work() as uow:
        rounds = await uow.rounds.between(channel.id, first, last)
        parts = await uow.answers.in_channel_between(channel.id, first, last)
        awards = await uow.points.in_channel_between(channel.id, first, last)
        members = await uow.members.get_many({p.member_id for p in parts} | {member for _, member, _ in awards})
    parts_of: dict[int, list[AnswerPart]] = {}
    for part in parts:
        parts_of.setdefault(part.round_id, []).append(part)
    awards_of: dict[int, list[tuple[int, Award]]] = {}
    for round_id, member_id, award in awards:
        awards_of.setdefault(round_id, []).append((member_id, award))
    exported = []
    for round_ in rounds:
        answers = assemble_answers(parts_of.get(round_.id, []))
        question = bank.get(round_.question_id) if bank is not None else None
        exported.append(ExportedRound(
            id=round_.id,
            local_date=round_.local_date,
            kind=round_.kind.value,
            level=round_.level.value,
            question_id=round_.question_id,
            question=question.question if question is not None else None,
            state=round_state(round_, now),
            answers=tuple(_answer(a, round_, members.get(a.member_id), channel) for a in answers),
            points=tuple(
                ExportedAward(member, _member_name(members.get(member)), award.reason, award.amount, award.detail)
                for member, award in awards_of.get(round_.id, [])
            ),
        ))
    return ChannelExport(channel_label(channel), channel.name, channel.schedule.tz, first, last, tuple(exported))


def export_document(export: ChannelExport) -> dict[str, Any]:
    """The export as plain JSON values: `{channel, channel_name, time_zone, from, to, rounds: [{..., answers,
    points}]}`."""
    return {
        "channel": export.channel,
        "channel_name": export.channel_name,
        "time_zone": export.time_zone,
        "from": export.first.isoformat(),
        "to": export.last.isoformat(),
        "rounds": [
            {
                "id": r.id,
                "local_date": r.local_date.isoformat(),
                "kind": r.kind,
                "level": r.level,
                "question_id": r.question_id,
                "question": r.question,
                "state": r.state,
                "answers": [
                    {
                        "member_id": a.member_id,
                        "member": a.member,
                        "text": a.text,
                        "answered_at": a.answered_at.isoformat(),
                        "on_time": a.on_time,
                        "withdrawn": a.withdrawn,
                        "edited_after_deadline": a.edited_after_deadline,
                        "text_now": a.text_now,
                    }
                    for a in r.answers
                ],
                "points": [
                    {"member_id": p.member_id, "member": p.member, "reason": p.reason, "points": p.points,
                     "detail": p.detail}
                    for p in r.points
                ],
            }
            for r in export.rounds
        ],
    }


def export_json(export: ChannelExport) -> str:
    """The export as an indented JSON document (see `export_document`), ending with a newline."""
    return json.dumps(export_document(export), indent=2, ensure_ascii=False) + "\n"


def reasons_text(awards: Sequence[ExportedAward]) -> str:
    """A member's awards in a round as one cell: `participation=10; coverage=15; votes=4`."""
    return "; ".join(f"{a.reason}={a.points}" for a in awards)


def export_csv(export: ChannelExport) -> str:
    """The export as CSV, one row per round and member: the answer that was scored (empty when a member has points
    but no answer), its points total and its reasons (`reason=points; ...`), whether it was edited after the
    deadline and, when it reads differently now, how (`answer_now`). Rounds nobody answered have no rows."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in export.rounds:
        answers = {a.member_id: a for a in r.answers}
        members = [a.member_id for a in r.answers]
        members += [p.member_id for p in r.points if p.member_id not in answers and p.member_id not in members]
        for member_id in members:
            answer = answers.get(member_id)
            awards = [p for p in r.points if p.member_id == member_id]
            name = answer.member if answer is not None else awards[0].member
            writer.writerow([
                r.id, r.local_date.isoformat(), r.kind, r.level, r.question_id, r.question or "", member_id, name,
                answer.text if answer else "", answer.answered_at.isoformat() if answer else "",
                _flag(answer.on_time) if answer else "", _flag(answer.withdrawn) if answer else "",
                sum(p.points for p in awards), reasons_text(awards),
                _flag(answer.edited_after_deadline) if answer else "", answer.text_now if answer else "",
            ])
    return out.getvalue()


def _flag(value: bool) -> str:
    return "true" if value else "false"
