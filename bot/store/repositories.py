"""Repositories: the queries the core needs, each on the unit of work's one connection."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Insert,
    Integer,
    String,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Row
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.schema import Table

from bot.domain.leaderboard import Standing
from bot.domain.model import (
    AnswerPart,
    Channel,
    ChannelAddress,
    Member,
    Round,
    RoundKind,
    RoundStatus,
    Speaker,
    Task,
    TaskKind,
)
from bot.domain.questions import ALL_LEVELS, Level
from bot.domain.schedule import Deadline, Schedule
from bot.domain.scoring import Award
from bot.messages import RunCommand
from bot.store.tables import (
    answer_parts,
    channels,
    inbox,
    installations,
    members,
    oauth_states,
    points,
    results,
    rounds,
    tasks,
    votes,
)

# SQLite refuses a statement with more bound values than this (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
SQLITE_MAX_VARIABLES = 32_766


@functools.lru_cache(maxsize=64)
def _bind_processors(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> list[Callable[[Any], Any] | None]:
    """How each column's type turns a Python value into what the driver stores (built once: it is not cheap)."""
    return [table.c[name].type.bind_processor(dialect) for name in columns]


def _run_statements(
    connection: sqlite3.Connection, statements: Sequence[tuple[str, Sequence[Any]]], own_transaction: bool
) -> list[list[tuple[Any, ...]]]:
    """On SQLite's thread: the statements and their rows, in a transaction of their own when asked (BEGIN
    IMMEDIATE, as every write here; rolled back if one fails)."""
    if own_transaction:
        connection.execute("BEGIN IMMEDIATE")
    try:
        results = [[tuple(row) for row in connection.execute(sql, values).fetchall()] for sql, values in statements]
        if own_transaction:
            connection.execute("COMMIT")
    except BaseException:
        if own_transaction and connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return results


class _Repository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    def _insert(self, table: Table) -> Any:
        """An INSERT that understands ON CONFLICT on both SQLite and PostgreSQL."""
        if self._c.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _sqlite_inserts(
        self, table: Table, rows: Sequence[Mapping[str, Any]], returning: Sequence[str]
    ) -> list[tuple[str, list[Any]]]:
        """Multi-row INSERTs of `rows` (all with the same keys) that skip rows conflicting with stored ones and
        return the `returning` columns of those inserted: SQL and values for SQLite's driver, each value converted
        by its column's own type exactly as SQLAlchemy would."""
        dialect = self._c.dialect
        quote = dialect.identifier_preparer.quote
        columns = tuple(rows[0])
        processors = _bind_processors(table, columns, dialect)
        one = "(" + ", ".join("?" * len(columns)) + ")"
        head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) VALUES "
        tail = f" ON CONFLICT DO NOTHING RETURNING {', '.join(quote(c) for c in returning)}"
        statements: list[tuple[str, list[Any]]] = []
        per_statement = max(1, SQLITE_MAX_VARIABLES // len(columns))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            values = [
                process(row[name]) if process is not None else row[name]
                for row in chunk
                for name, process in zip(columns, processors)
            ]
            statements.append((head + ", ".join([one] * len(chunk)) + tail, values))
        return statements

    async def _run_on_sqlite(
        self, statements: Sequence[tuple[str, Sequence[Any]]], *, may_commit: bool = False
    ) -> list[list[tuple[Any, ...]]]:
        """Runs `statements` on SQLite's driver in one trip to its thread, in the unit of work's transaction
        (begun first if need be). With `may_commit`, when the unit of work has not begun one, they run in a
        transaction of their own instead, committed before this returns. Returns each statement's rows."""
        if not may_commit and not self._c.in_transaction():
            await self._c.begin()  # BEGIN IMMEDIATE, as every transaction here (bot/store/engine.py)
        driver = (await self._c.get_raw_connection()).driver_connection
        # aiosqlite's way to run a function on the connection's own thread (the version is pinned in
        # constraints.txt; the SQLite store tests run through here).
        results: list[list[tuple[Any, ...]]] = await driver._execute(  # type: ignore[union-attr]
            _run_statements, driver._conn, statements, not self._c.in_transaction()  # type: ignore[union-attr]
        )
        return results


def _csv_dates(text: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in text.split(",") if d)


def _dates_csv(dates: Iterable[date]) -> str:
    return ",".join(sorted(d.isoformat() for d in dates))


def _schedule_from(row: Row[Any]) -> Schedule:
    levels = tuple(Level(v) for v in row.levels.split(",") if v) or ALL_LEVELS
    return Schedule(
        tz=row.tz,
        post_time=time.fromisoformat(row.post_time),
        weekdays=frozenset(int(d) for d in row.weekdays.split(",") if d),
        deadline=Deadline.parse(row.deadline),
        levels=levels,
        paused=bool(row.paused),
        skip_dates=_csv_dates(row.skip_dates),
        holiday_country=row.holiday_country,
        holiday_dates=_csv_dates(row.holiday_dates),
        board_weekday=row.board_weekday,
        board_time=time.fromisoformat(row.board_time),
    )


def _schedule_values(schedule: Schedule) -> dict[str, Any]:
    return {
        "tz": schedule.tz,
        "post_time": schedule.post_time.strftime("%H:%M"),
        "weekdays": ",".join(str(d) for d in sorted(schedule.weekdays)),
        "deadline": schedule.deadline.render(),
        "levels": ",".join(level.value for level in schedule.levels),
        "paused": schedule.paused,
        "skip_dates": _dates_csv(schedule.skip_dates),
        "holiday_country": schedule.holiday_country,
        "holiday_dates": _dates_csv(schedule.holiday_dates),
        "board_weekday": schedule.board_weekday,
        "board_time": schedule.board_time.strftime("%H:%M"),
    }


def _channel_from(row: Row[Any]) -> Channel:
    return Channel(
        id=row.id,
        address=ChannelAddress(row.platform, row.workspace, row.channel_ref),
        name=row.name,
        subscribed=bool(row.subscribed),
        schedule=_schedule_from(row),
        subscribed_by=row.subscribed_by,
        grader=row.grader,
    )


class ChannelRepository(_Repository):
    async def find(self, address: ChannelAddress) -> Channel | None:
        row = (
            await self._c.execute(
                select(channels).where(
                    channels.c.platform == address.platform,
                    channels.c.workspace == address.workspace,
                    channels.c.channel_ref == address.channel,
                )
            )
        ).first()
        return _channel_from(row) if row else None

    async def get(self, channel_id: int) -> Channel:
        row = (await self._c.execute(select(channels).where(channels.c.id == channel_id))).one()
        return _channel_from(row)

    async def get_or_create(self, address: ChannelAddress, name: str, default: Schedule, now: datetime) -> Channel:
        """The channel at `address`, created unsubscribed with the `default` schedule on first sight."""
        await self._c.execute(
            self._insert(channels)
            .values(
                platform=address.platform,
                workspace=address.workspace,
                channel_ref=address.channel,
                name=name,
                subscribed=False,
                created_at=now,
                **_schedule_values(default),
            )
            .on_conflict_do_nothing()
        )
        channel = await self.find(address)
        assert channel is not None
        return channel

    async def save(
        self, channel_id: int, schedule: Schedule, subscribed: bool, subscribed_by: str | None = None
    ) -> None:
        """Stores the schedule; `subscribed_by` (when given) records who subscribed the channel."""
        values: dict[str, Any] = {"subscribed": subscribed, **_schedule_values(schedule)}
        if subscribed_by is not None:
            values["subscribed_by"] = subscribed_by
        await self._c.execute(update(channels).where(channels.c.id == channel_id).values(**values))

    async def set_grader(self, channel_id: int, grader: str) -> None:
        """Stores who grades the channel's answers at the reveal: offline or ai."""
        await self._c.execute(update(channels).where(channels.c.id == channel_id).values(grader=grader))

    async def in_workspace(self, platform: str, workspace: str) -> list[Channel]:
        rows = await self._c.execute(
            select(channels)
            .where(channels.c.platform == platform, channels.c.workspace == workspace)
            .order_by(channels.c.id)
        )
        return [_channel_from(r) for r in rows]

    async def all(self) -> list[Channel]:
        return [_channel_from(r) for r in await self._c.execute(select(channels).order_by(channels.c.id))]


def _member_from(row: Row[Any]) -> Member:
    return Member(row.id, row.member_ref, row.display_name, bool(row.opted_out))


class MemberRepository(_Repository):
    async def upsert(self, platform: str, workspace: str, speaker: Speaker) -> Member:
        """The member for `speaker`, created on first sight; a changed display name is remembered, unless it is
        the bare member ref that stands in when the platform could not say the name."""
        statement = self._insert(members).values(
            platform=platform, workspace=workspace, member_ref=speaker.ref, display_name=speaker.name
        )
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "workspace", "member_ref"],
            set_={"display_name": statement.excluded.display_name},
            where=and_(members.c.display_name != statement.excluded.display_name,
                       statement.excluded.display_name != statement.excluded.member_ref,
                       statement.excluded.display_name != ""),
        )
        await self._c.execute(statement)
        row = (
            await self._c.execute(
                select(members).where(
                    members.c.platform == platform,
                    members.c.workspace == workspace,
                    members.c.member_ref == speaker.ref,
                )
            )
        ).one()
        return _member_from(row)

    async def find(self, platform: str, workspace: str, member_ref: str) -> Member | None:
        row = (
            await self._c.execute(
                select(members).where(
                    members.c.platform == platform,
                    members.c.workspace == workspace,
                    members.c.member_ref == member_ref,
                )
            )
        ).first()
        return _member_from(row) if row else None

    async def get_many(self, member_ids: Iterable[int]) -> dict[int, Member]:
        ids = list(set(member_ids))
        if not ids:
            return {}
        rows = await self._c.execute(select(members).where(members.c.id.in_(ids)))
        return {r.id: _member_from(r) for r in rows}

    async def set_opted_out(self, member_id: int, opted_out: bool) -> None:
        await self._c.execute(update(members).where(members.c.id == member_id).values(opted_out=opted_out))


def _fenced(fence: Task | None) -> list[Any]:
    """The condition that `fence`'s claim still holds its task (none without a fence)."""
    if fence is None:
        return []
    return [exists().where(tasks.c.id == fence.id, tasks.c.claim_token == fence.claim_token,
                           tasks.c.done_at.is_(None))]


def _round_from(row: Row[Any]) -> Round:
    return Round(
        id=row.id,
        channel_id=row.channel_id,
        question_id=row.question_id,
        level=Level(row.level),
        kind=RoundKind(row.kind),
        local_date=row.local_date,
        status=RoundStatus(row.status),
        message_ref=row.message_ref,
        requested_by=row.requested_by,
        posted_at=row.posted_at,
        deadline_at=row.deadline_at,
        revealed_at=row.revealed_at,
        reveal_ref=row.reveal_ref,
        created_at=row.created_at,
    )


class RoundRepository(_Repository):
    async def create(
        self,
        channel_id: int,
        question_id: str,
        level: Level,
        kind: RoundKind,
        local_date: date,
        now: datetime,
        requested_by: int | None = None,
        deadline_at: datetime | None = None,
    ) -> Round | None:
        """A new pending round, whose question is to be posted with `deadline_at` when that is given; None when the
        channel already has its daily round for `local_date`."""
        result = await self._c.execute(
            self._insert(rounds)
            .values(
                channel_id=channel_id,
                question_id=question_id,
                level=level.value,
                kind=kind.value,
                local_date=local_date,
                daily_date=local_date if kind is RoundKind.DAILY else None,
                requested_by=requested_by,
                status=RoundStatus.PENDING.value,
                created_at=now,
                deadline_at=deadline_at,
            )
            .on_conflict_do_nothing()
            .returning(rounds.c.id)
        )
        new_id = result.scalar()
        return await self.get(new_id) if new_id is not None else None

    async def get(self, round_id: int) -> Round:
        return _round_from((await self._c.execute(select(rounds).where(rounds.c.id == round_id))).one())

    async def find(self, round_id: int) -> Round | None:
        row = (await self._c.execute(select(rounds).where(rounds.c.id == round_id))).first()
        return _round_from(row) if row else None

    async def daily(self, channel_id: int, local_date: date) -> Round | None:
        row = (
            await self._c.execute(
                select(rounds).where(rounds.c.channel_id == channel_id, rounds.c.daily_date == local_date)
            )
        ).first()
        return _round_from(row) if row else None

    async def by_message(self, channel_id: int, message_ref: str) -> Round | None:
        row = (
            await self._c.execute(
                select(rounds).where(rounds.c.channel_id == channel_id, rounds.c.message_ref == message_ref)
            )
        ).first()
        return _round_from(row) if row else None

    async def latest_posted(self, channel_id: int) -> Round | None:
        row = (
            await self._c.execute(
                select(rounds)
                .where(rounds.c.channel_id == channel_id, rounds.c.posted_at.is_not(None))
                .order_by(rounds.c.posted_at.desc(), rounds.c.id.desc())
                .limit(1)
            )
        ).first()
        return _round_from(row) if row else None

    async def in_channel(self, channel_id: int, limit: int = 50) -> list[Round]:
        rows = await self._c.execute(
            select(rounds).where(rounds.c.channel_id == channel_id).order_by(rounds.c.id.desc()).limit(limit)
        )
        return [_round_from(r) for r in rows]

    async def mark_posted(
        self, round_id: int, message_ref: str, posted_at: datetime, deadline_at: datetime, fence: Task | None = None
    ) -> bool:
        """Records the round's question as posted; with `fence`, only while that task's claim is still the one it
        names (a holder that lost its claim cannot overwrite what the taker recorded). False when refused."""
        result = await self._c.execute(
            update(rounds)
            .where(rounds.c.id == round_id, *_fenced(fence))
            .values(
                message_ref=message_ref,
                posted_at=posted_at,
                deadline_at=deadline_at,
                status=RoundStatus.OPEN.value,
            )
        )
        return bool(result.rowcount == 1)

    async def plan_deadline(self, round_id: int, deadline_at: datetime) -> None:
        """Records the deadline a pending round's question is about to be posted with, so that whoever finds that
        post later records the deadline it shows."""
        await self._c.execute(
            update(rounds)
            .where(rounds.c.id == round_id, rounds.c.status == RoundStatus.PENDING.value)
            .values(deadline_at=deadline_at)
        )

    async def mark_closed(self, round_id: int, at: datetime) -> None:
        await self._c.execute(
            update(rounds)
            .where(rounds.c.id == round_id)
            .values(status=RoundStatus.CLOSED.value, revealed_at=at)
        )

    async def mark_reveal_posted(self, round_id: int, reveal_ref: str, fence: Task | None = None) -> bool:
        """Records the round's reveal message; with `fence`, only while that task's claim is still the one it names.
        False when refused."""
        result = await self._c.execute(
            update(rounds).where(rounds.c.id == round_id, *_fenced(fence)).values(reveal_ref=reveal_ref)
        )
        return bool(result.rowcount == 1)

    async def daily_usage(self, channel_id: int) -> dict[str, int]:
        """How often each question was asked as a daily question in the channel."""
        rows = await self._c.execute(
            select(rounds.c.question_id, func.count())
            .where(rounds.c.channel_id == channel_id, rounds.c.kind == RoundKind.DAILY.value)
            .group_by(rounds.c.question_id)
        )
        return {question_id: count for question_id, count in rows}

    async def recent_daily(self, channel_id: int, up_to: date, limit: int) -> list[Round]:
        """The channel's most recent posted daily rounds on or before `up_to`, newest first."""
        rows = await self._c.execute(
            select(rounds)
            .where(
                rounds.c.channel_id == channel_id,
                rounds.c.kind == RoundKind.DAILY.value,
                rounds.c.posted_at.is_not(None),
                rounds.c.local_date <= up_to,
            )
            .order_by(rounds.c.local_date.desc())
            .limit(limit)
        )
        return [_round_from(r) for r in rows]

    async def answered_flags(self, channel_id: int, member_id: int, up_to: date, limit: int) -> list[bool]:
        """For the channel's most recent revealed daily rounds on or before `up_to`, newest first: whether the
        member answered each on time."""
        answered = and_(results.c.round_id == rounds.c.id, results.c.member_id == member_id)
        rows = await self._c.execute(
            select(results.c.on_time)
            .select_from(rounds.outerjoin(results, answered))
            .where(
                rounds.c.channel_id == channel_id,
                rounds.c.kind == RoundKind.DAILY.value,
                rounds.c.revealed_at.is_not(None),
                rounds.c.local_date <= up_to,
            )
            .order_by(rounds.c.local_date.desc())
            .limit(limit)
        )
        return [bool(on_time) for on_time in rows.scalars()]

    async def daily_count(self, channel_id: int, first: date, last: date) -> int:
        return int(
            (
                await self._c.execute(
                    select(func.count()).where(
                        rounds.c.channel_id == channel_id,
                        rounds.c.kind == RoundKind.DAILY.value,
                        rounds.c.posted_at.is_not(None),
                        rounds.c.local_date.between(first, last),
                    )
                )
            ).scalar_one()
        )

    async def between(self, channel_id: int, first: date, last: date) -> list[Round]:
        """The channel's rounds (daily and practice, in any state) dated from `first` to `last`, oldest first."""
        rows = await self._c.execute(
            select(rounds)
            .where(rounds.c.channel_id == channel_id, rounds.c.local_date.between(first, last))
            .order_by(rounds.c.local_date, rounds.c.id)
        )
        return [_round_from(r) for r in rows]

    async def open_on(self, platform: str) -> list[tuple[ChannelAddress, Round]]:
        """The posted rounds still taking answers (not yet revealed) in the channels of `platform`, oldest first."""
        rows = await self._c.execute(
            select(channels.c.platform, channels.c.workspace, channels.c.channel_ref, rounds)
            .select_from(rounds.join(channels, channels.c.id == rounds.c.channel_id))
            .where(channels.c.platform == platform, rounds.c.status == RoundStatus.OPEN.value,
                   rounds.c.message_ref.is_not(None))
            .order_by(rounds.c.id)
        )
        return [(ChannelAddress(r.platform, r.workspace, r.channel_ref), _round_from(r)) for r in rows]

    async def recent(self, channel_id: int | None, limit: int) -> list[Round]:
        """The most recently created rounds of one channel (of every channel when None), newest first."""
        query = select(rounds)
        if channel_id is not None:
            query = query.where(rounds.c.channel_id == channel_id)
        rows = await self._c.execute(query.order_by(rounds.c.id.desc()).limit(limit))
        return [_round_from(r) for r in rows]


def _part_from(row: Row[Any]) -> AnswerPart:
    return AnswerPart(
        id=row.id,
        round_id=row.round_id,
        member_id=row.member_id,
        message_ref=row.message_ref,
        text=row.text,
        scored_text=row.scored_text,
        on_time=bool(row.on_time),
        truncated=bool(row.truncated),
        received_at=row.received_at,
        withdrawn_at=row.withdrawn_at,
    )


class AnswerRepository(_Repository):
    async def add_many(self, parts: Sequence[Mapping[str, Any]]) -> set[str]:
        """Stores replies (dicts of answer_parts columns); a reply already stored is left as it is.

        Returns the keys `f"{round_id}:{message_ref}"` of the replies that were new.
        """
        if not parts:
            return set()
        if self._c.dialect.name == "sqlite":
            results = await self._run_on_sqlite(self._sqlite_inserts(answer_parts, parts, ("round_id", "message_ref")))
            return {f"{round_id}:{ref}" for rows in results for round_id, ref in rows}
        result = await self._c.execute(
            self._insert(answer_parts)
            .on_conflict_do_nothing()
            .returning(answer_parts.c.round_id, answer_parts.c.message_ref),
            list(parts),
        )
        return {f"{round_id}:{ref}" for round_id, ref in result}

    async def mark_acknowledged(self, parts: Sequence[tuple[int, str]]) -> None:
        """Records that the replies (round id, message ref) were acknowledged in the chat."""
        for round_id in {round_id for round_id, _ in parts}:
            refs = [ref for r, ref in parts if r == round_id]
            await self._c.execute(
                update(answer_parts)
                .where(answer_parts.c.round_id == round_id, answer_parts.c.message_ref.in_(refs))
                .values(acknowledged=True)
            )

    async def unacknowledged(self, since: datetime, limit: int = 1000) -> list[tuple[ChannelAddress, int, str, bool]]:
        """Replies received since `since`, still there, whose acknowledgement was never made (a process stopped
        between storing and acknowledging them): (channel, round id, message ref, on time), oldest first."""
        rows = await self._c.execute(
            select(channels.c.platform, channels.c.workspace, channels.c.channel_ref, answer_parts.c.round_id,
                   answer_parts.c.message_ref, answer_parts.c.on_time)
            .select_from(answer_parts.join(rounds, rounds.c.id == answer_parts.c.round_id)
                         .join(channels, channels.c.id == rounds.c.channel_id))
            .where(answer_parts.c.acknowledged.is_(False), answer_parts.c.withdrawn_at.is_(None),
                   answer_parts.c.received_at >= since)
            .order_by(answer_parts.c.id)
            .limit(limit)
        )
        return [(ChannelAddress(r.platform, r.workspace, r.channel_ref), r.round_id, r.message_ref, bool(r.on_time))
                for r in rows]

    async def by_message(self, channel_id: int, message_ref: str) -> AnswerPart | None:
        row = (
            await self._c.execute(
                select(answer_parts)
                .join(rounds, rounds.c.id == answer_parts.c.round_id)
                .where(rounds.c.channel_id == channel_id, answer_parts.c.message_ref == message_ref)
            )
        ).first()
        return _part_from(row) if row else None

    async def edit(self, part_id: int, text: str, scored_text: str, truncated: bool, at: datetime) -> None:
        await self._c.execute(
            update(answer_parts)
            .where(answer_parts.c.id == part_id)
            .values(text=text, scored_text=scored_text, truncated=truncated, edited_at=at)
        )

    async def withdraw(self, part_id: int, at: datetime) -> None:
        await self._c.execute(
            update(answer_parts)
            .where(answer_parts.c.id == part_id, answer_parts.c.withdrawn_at.is_(None))
            .values(withdrawn_at=at)
        )

    async def for_round(self, round_id: int) -> list[AnswerPart]:
        rows = await self._c.execute(
            select(answer_parts).where(answer_parts.c.round_id == round_id).order_by(answer_parts.c.id)
        )
        return [_part_from(r) for r in rows]

    async def count_for_round(self, round_id: int) -> int:
        return int(
            (
                await self._c.execute(select(func.count()).where(answer_parts.c.round_id == round_id))
            ).scalar_one()
        )

    async def in_channel_between(self, channel_id: int, first: date, last: date) -> list[AnswerPart]:
        """Every reply, withdrawn ones included, to the channel's rounds dated from `first` to `last`, in the order
        they were stored."""
        rows = await self._c.execute(
            select(answer_parts)
            .join(rounds, rounds.c.id == answer_parts.c.round_id)
            .where(rounds.c.channel_id == channel_id, rounds.c.local_date.between(first, last))
            .order_by(answer_parts.c.id)
        )
        return [_part_from(r) for r in rows]

    async def answer_counts(self, round_ids: Sequence[int]) -> dict[int, int]:
        """Per round: how many members have an answer with at least one reply not withdrawn (rounds without any
        are left out)."""
        if not round_ids:
            return {}
        rows = await self._c.execute(
            select(answer_parts.c.round_id, func.count(answer_parts.c.member_id.distinct()))
            .where(answer_parts.c.round_id.in_(list(round_ids)), answer_parts.c.withdrawn_at.is_(None))
            .group_by(answer_parts.c.round_id)
        )
        return {round_id: int(count) for round_id, count in rows}


class VoteRepository(_Repository):
    async def add(
        self, round_id: int, message_ref: str, author_id: int, voter_id: int, reaction: str, at: datetime
    ) -> bool:
        """Records a reaction; False when the same voter already gave the same reaction to that message."""
        result = await self._c.execute(
            self._insert(votes)
            .values(
                round_id=round_id,
                message_ref=message_ref,
                author_id=author_id,
                voter_id=voter_id,
                reaction=reaction,
                created_at=at,
            )
            .on_conflict_do_nothing()
            .returning(votes.c.id)
        )
        return result.scalar() is not None

    async def remove(self, round_id: int, message_ref: str, voter_id: int, reaction: str) -> bool:
        result = await self._c.execute(
            delete(votes).where(
                votes.c.round_id == round_id,
                votes.c.message_ref == message_ref,
                votes.c.voter_id == voter_id,
                votes.c.reaction == reaction,
            )
        )
        return bool(result.rowcount)

    async def voters_by_author(self, round_id: int) -> dict[int, int]:
        """Distinct voters per answer author in the round."""
        rows = await self._c.execute(
            select(votes.c.author_id, func.count(votes.c.voter_id.distinct()))
            .where(votes.c.round_id == round_id)
            .group_by(votes.c.author_id)
        )
        return {author: count for author, count in rows}


class PointRepository(_Repository):
    async def award(self, round_: Round, member_id: int, awards: Sequence[Award], at: datetime) -> None:
        """Stores each award with its reason; an award for the same round, member and reason is replaced."""
        for award in awards:
            statement = self._insert(points).values(
                channel_id=round_.channel_id,
                round_id=round_.id,
                member_id=member_id,
                level=round_.level.value,
                kind=round_.kind.value,
                local_date=round_.local_date,
                reason=award.reason,
                amount=award.amount,
                detail=award.detail,
                awarded_at=at,
            )
            statement = statement.on_conflict_do_update(
                index_elements=["round_id", "member_id", "reason"],
                set_={"amount": statement.excluded.amount, "detail": statement.excluded.detail},
            )
            await self._c.execute(statement)

    async def standings(
        self, channel_id: int, first: date | None, last: date | None, level: Level | None, top: int | None = None
    ) -> list[Standing]:
        """Members with points in the channel (in the period and level when given): totals, coverage points, rounds
        answered on time; with `top`, only the first `top` in board order (most points, then coverage, rounds,
        name). Aggregated per member first, then named.

        On PostgreSQL, with `top`, only the members placed within the first `top` on the sums alone (with everyone
        tied with the last of them, since the name decides among those) are joined to their names and ordered by
        them, rather than every member of the channel."""
        conditions = [points.c.channel_id == channel_id]
        if first is not None and last is not None:
            conditions.append(points.c.local_date.between(first, last))
        if level is not None:
            conditions.append(points.c.level == level.value)
        total = func.sum(points.c.amount).label("total")
        coverage = func.sum(case((points.c.reason == "coverage", points.c.amount), else_=0)).label("coverage")
        # every answer that scored has exactly one participation award
        rounds_answered = func.sum(case((points.c.reason == "participation", 1), else_=0)).label("rounds")
        summed = (
            select(points.c.member_id, total, coverage, rounds_answered)
            .where(and_(*conditions))
            .group_by(points.c.member_id)
        )
        if top is not None and self._c.dialect.name == "postgresql":
            summed = summed.order_by(total.desc(), coverage.desc(), rounds_answered.desc()).fetch(top, with_ties=True)
        per_member = summed.subquery()
        query = select(per_member, members.c.display_name, members.c.opted_out).join(
            members, members.c.id == per_member.c.member_id
        )
        if top is not None:
            shown = case((members.c.opted_out.is_(True), "anonymous"), else_=members.c.display_name)
            query = query.order_by(
                per_member.c.total.desc(), per_member.c.coverage.desc(), per_member.c.rounds.desc(),
                func.lower(shown), per_member.c.member_id,
            ).limit(top)
        rows = await self._c.execute(query)
        return [
            Standing(
                member_id=r.member_id,
                name="anonymous" if r.opted_out else r.display_name,
                total=int(r.total),
                coverage=int(r.coverage),
                rounds=int(r.rounds),
            )
            for r in rows
        ]

    async def breakdown(
        self, channel_id: int, member_id: int, first: date | None = None, last: date | None = None
    ) -> dict[str, int]:
        conditions = [points.c.channel_id == channel_id, points.c.member_id == member_id]
        if first is not None and last is not None:
            conditions.append(points.c.local_date.between(first, last))
        rows = await self._c.execute(
            select(points.c.reason, func.sum(points.c.amount)).where(*conditions).group_by(points.c.reason)
        )
        return {reason: int(total) for reason, total in rows}

    async def totals(self, channel_id: int, member_id: int, first: date, last: date) -> tuple[dict[str, int], int]:
        """The member's all-time points by reason in the channel, and their total between `first` and `last`."""
        in_range = case((points.c.local_date.between(first, last), points.c.amount), else_=0)
        rows = await self._c.execute(
            select(points.c.reason, func.sum(points.c.amount), func.sum(in_range))
            .where(points.c.channel_id == channel_id, points.c.member_id == member_id)
            .group_by(points.c.reason)
        )
        by_reason: dict[str, int] = {}
        in_period = 0
        for reason, total, period in rows:
            by_reason[reason] = int(total)
            in_period += int(period)
        return by_reason, in_period

    async def for_round(self, round_id: int) -> dict[int, list[Award]]:
        rows = await self._c.execute(
            select(points.c.member_id, points.c.reason, points.c.amount, points.c.detail)
            .where(points.c.round_id == round_id)
            .order_by(points.c.id)
        )
        by_member: dict[int, list[Award]] = {}
        for r in rows:
            by_member.setdefault(r.member_id, []).append(Award(r.reason, r.amount, r.detail))
        return by_member

    async def scored_practice_count(self, channel_id: int, member_id: int, local_date: date) -> int:
        """Practice rounds on `local_date` that already earned the member points (for the daily cap)."""
        return int(
            (
                await self._c.execute(
                    select(func.count(points.c.round_id.distinct())).where(
                        points.c.channel_id == channel_id,
                        points.c.member_id == member_id,
                        points.c.kind == RoundKind.PRACTICE.value,
                        points.c.local_date == local_date,
                        points.c.reason == "participation",
                    )
                )
            ).scalar_one()
        )

    async def in_channel_between(self, channel_id: int, first: date, last: date) -> list[tuple[int, int, Award]]:
        """Every award in the channel dated from `first` to `last`, as (round id, member id, award), in the order
        they were first awarded."""
        rows = await self._c.execute(
            select(points.c.round_id, points.c.member_id, points.c.reason, points.c.amount, points.c.detail)
            .where(points.c.channel_id == channel_id, points.c.local_date.between(first, last))
            .order_by(points.c.id)
        )
        return [(r.round_id, r.member_id, Award(r.reason, r.amount, r.detail)) for r in rows]


class ResultRepository(_Repository):
    """How each member did in each revealed round: on time or not, key points covered."""

    async def record(
        self, round_: Round, member_id: int, on_time: bool, covered: int, total: int, grader: str | None = None,
        feedback: str | None = None,
    ) -> None:
        await self._c.execute(
            self._insert(results)
            .values(
                channel_id=round_.channel_id,
                round_id=round_.id,
                member_id=member_id,
                question_id=round_.question_id,
                level=round_.level.value,
                kind=round_.kind.value,
                local_date=round_.local_date,
                on_time=on_time,
                covered=covered,
                total=total,
                grader=grader,
                feedback=feedback,
            )
            .on_conflict_do_nothing()
        )

    async def for_round(self, round_id: int) -> dict[int, tuple[int, int, str | None, str | None]]:
        """Per member of a revealed round: (covered, total, grader, feedback) as recorded."""
        rows = await self._c.execute(
            select(results.c.member_id, results.c.covered, results.c.total, results.c.grader, results.c.feedback)
            .where(results.c.round_id == round_id)
        )
        return {r.member_id: (r.covered, r.total, r.grader, r.feedback) for r in rows}

    async def answered_on_time(self, member_id: int, round_ids: Sequence[int]) -> set[int]:
        if not round_ids:
            return set()
        rows = await self._c.execute(
            select(results.c.round_id).where(
                results.c.member_id == member_id, results.c.round_id.in_(round_ids), results.c.on_time.is_(True)
            )
        )
        return set(rows.scalars())

    async def best_coverage(self, member_id: int) -> dict[str, float]:
        """Per question the member answered anywhere: their best share of key points covered."""
        ratio = func.max(results.c.covered * 1.0 / func.nullif(results.c.total, 0))
        rows = await self._c.execute(
            select(results.c.question_id, ratio).where(results.c.member_id == member_id).group_by(results.c.question_id)
        )
        return {question_id: float(value or 0.0) for question_id, value in rows}

    async def coverage_by_level(self, channel_id: int, member_id: int) -> list[tuple[str, float, int]]:
        rows = await self._c.execute(
            select(
                results.c.level,
                func.sum(results.c.covered),
                func.sum(results.c.total),
                func.count(),
            )
            .where(results.c.channel_id == channel_id, results.c.member_id == member_id)
            .group_by(results.c.level)
        )
        return [(level, (covered / total) if total else 0.0, count) for level, covered, total, count in rows]

class TaskRepository(_Repository):
    async def schedule(
        self,
        kind: TaskKind,
        channel_id: int,
        due_at: datetime,
        dedupe_key: str,
        round_id: int | None = None,
        slot_date: date | None = None,
    ) -> bool:
        """Adds a task unless one with the same `dedupe_key` exists (done or not); True when added."""
        result = await self._c.execute(
            self._insert(tasks)
            .values(
                kind=kind.value,
                channel_id=channel_id,
                round_id=round_id,
                slot_date=slot_date,
                due_at=due_at,
                dedupe_key=dedupe_key,
            )
            .on_conflict_do_nothing()
            .returning(tasks.c.id)
        )
        return result.scalar() is not None

    async def schedule_post(self, channel_id: int, due_at: datetime, dedupe_key: str, slot_date: date) -> bool:
        """Adds the channel's daily post for `slot_date` unless that day already has its round, or a task with the
        same `dedupe_key` exists (done or not); True when added. One statement."""
        row = select(
            literal(TaskKind.POST_DAILY.value, String()), literal(channel_id, Integer()), literal(slot_date, Date()),
            literal(due_at, tasks.c.due_at.type), literal(dedupe_key, String()),
        ).where(~exists().where(rounds.c.channel_id == channel_id, rounds.c.daily_date == slot_date))
        result = await self._c.execute(
            self._insert(tasks)
            .from_select(["kind", "channel_id", "slot_date", "due_at", "dedupe_key"], row)
            .on_conflict_do_nothing()
            .returning(tasks.c.id)
        )
        return result.scalar() is not None

    async def exists(self, dedupe_key: str) -> bool:
        row = (await self._c.execute(select(tasks.c.id).where(tasks.c.dedupe_key == dedupe_key))).first()
        return row is not None

    async def due_ids(self, now: datetime, limit: int) -> list[int]:
        rows = await self._c.execute(
            select(tasks.c.id)
            .where(
                tasks.c.done_at.is_(None),
                tasks.c.due_at <= now,
                or_(tasks.c.claimed_until.is_(None), tasks.c.claimed_until < now),
            )
            .order_by(tasks.c.due_at, tasks.c.id)
            .limit(limit)
        )
        return list(rows.scalars())

    async def claim(self, task_id: int, now: datetime, lease: timedelta, token: str) -> Task | None:
        """Claims a due task for `lease`; None when it is done or someone else holds an unexpired claim."""
        result = await self._c.execute(
            update(tasks)
            .where(
                tasks.c.id == task_id,
                tasks.c.done_at.is_(None),
                or_(tasks.c.claimed_until.is_(None), tasks.c.claimed_until < now),
            )
            .values(claimed_until=now + lease, claim_token=token)
        )
        if result.rowcount != 1:
            return None
        row = (await self._c.execute(select(tasks).where(tasks.c.id == task_id))).one()
        return Task(row.id, TaskKind(row.kind), row.channel_id, row.round_id, row.slot_date, row.due_at, token)

    async def claim_due(self, now: datetime, at: datetime, lease: timedelta, token: str, limit: int) -> list[Task]:
        """Claims, in one statement, up to `limit` tasks due at `now` that nobody holds at `at` (earliest due first),
        for `lease` from `at`. Concurrent claimers get disjoint tasks: on PostgreSQL each skips the rows another is
        claiming (FOR UPDATE SKIP LOCKED), and on SQLite writers take turns."""
        free = or_(tasks.c.claimed_until.is_(None), tasks.c.claimed_until < at)
        due = (
            select(tasks.c.id)
            .where(tasks.c.done_at.is_(None), tasks.c.due_at <= now, free)
            .order_by(tasks.c.due_at, tasks.c.id)
            .limit(limit)
        )
        claim = update(tasks).values(claimed_until=at + lease, claim_token=token)
        if self._c.dialect.name == "postgresql":
            # Chosen once, in a CTE: a subquery in the WHERE may be run again for each row, and would then see this
            # statement's own claims and pick the next rows, and the next...
            chosen = due.with_for_update(skip_locked=True).cte("chosen").prefix_with("MATERIALIZED")
            claim = claim.where(tasks.c.id == chosen.c.id)
        else:
            claim = claim.where(tasks.c.id.in_(due.scalar_subquery()))
        result = await self._c.execute(
            claim.where(tasks.c.done_at.is_(None), free)
            .returning(tasks.c.id, tasks.c.kind, tasks.c.channel_id, tasks.c.round_id, tasks.c.slot_date,
                       tasks.c.due_at)
        )
        rows = sorted(result, key=lambda r: (r.due_at, r.id))
        return [Task(r.id, TaskKind(r.kind), r.channel_id, r.round_id, r.slot_date, r.due_at, token) for r in rows]

    async def complete(self, task: Task, at: datetime, outcome: str) -> bool:
        """Marks the task done if this claim still holds it; False when the claim was lost."""
        result = await self._c.execute(
            update(tasks)
            .where(tasks.c.id == task.id, tasks.c.claim_token == task.claim_token, tasks.c.done_at.is_(None))
            .values(done_at=at, outcome=outcome[:200])
        )
        return result.rowcount == 1

    async def complete_many(self, outcomes: Sequence[tuple[Task, str]], at: datetime) -> None:
        """Marks each task done with its outcome, in one round trip; a task whose claim was lost is left alone."""
        if not outcomes:
            return
        await self._c.execute(
            update(tasks)
            .where(tasks.c.id == bindparam("task_id"), tasks.c.claim_token == bindparam("token"),
                   tasks.c.done_at.is_(None))
            .values(done_at=bindparam("finished_at"), outcome=bindparam("task_outcome")),
            [{"task_id": task.id, "token": task.claim_token, "finished_at": at, "task_outcome": outcome[:200]}
             for task, outcome in outcomes],
        )

    async def release(self, task: Task, retry_at: datetime) -> None:
        """Hands the task back, due at `retry_at`, if this claim still holds it."""
        await self._c.execute(
            update(tasks)
            .where(tasks.c.id == task.id, tasks.c.claim_token == task.claim_token, tasks.c.done_at.is_(None))
            .values(claimed_until=None, claim_token=None, due_at=retry_at)
        )

    async def extend(self, task: Task, until: datetime) -> bool:
        """Extends the task's claim to `until` if this claim (its token) still holds it; False when it was lost. On
        PostgreSQL the row stays locked until the unit of work ends, so nobody takes the task over meanwhile."""
        result = await self._c.execute(
            update(tasks)
            .where(tasks.c.id == task.id, tasks.c.claim_token == task.claim_token, tasks.c.done_at.is_(None))
            .values(claimed_until=until)
        )
        return bool(result.rowcount == 1)

    async def renew(self, tokens: Sequence[str], until: datetime) -> set[int]:
        """Extends to `until` every unfinished task held under one of `tokens`; returns the ids still held."""
        if not tokens:
            return set()
        result = await self._c.execute(
            update(tasks)
            .where(tasks.c.claim_token.in_(list(tokens)), tasks.c.done_at.is_(None))
            .values(claimed_until=until)
            .returning(tasks.c.id)
        )
        return set(result.scalars())

    async def claim_tokens(self, now: datetime) -> set[str]:
        """The tokens of the unexpired claims on unfinished tasks."""
        rows = await self._c.execute(
            select(tasks.c.claim_token).where(tasks.c.done_at.is_(None), tasks.c.claim_token.is_not(None),
                                              tasks.c.claimed_until >= now).distinct()
        )
        return {token for token in rows.scalars() if token}

    async def release_claims(self, tokens: Sequence[str]) -> int:
        """Frees every unfinished task held under one of `tokens` (claims of processes known dead), due as it was;
        returns how many."""
        if not tokens:
            return 0
        result = await self._c.execute(
            update(tasks)
            .where(tasks.c.claim_token.in_(list(tokens)), tasks.c.done_at.is_(None))
            .values(claimed_until=None, claim_token=None)
        )
        return int(result.rowcount)

    async def cancel_pending(self, channel_id: int, kinds: Sequence[TaskKind]) -> None:
        """Removes the channel's not-yet-done tasks of `kinds` (their dedupe keys become free again)."""
        await self._c.execute(
            delete(tasks).where(
                tasks.c.channel_id == channel_id,
                tasks.c.done_at.is_(None),
                tasks.c.kind.in_([k.value for k in kinds]),
            )
        )

    async def next_due(self) -> datetime | None:
        value = (
            await self._c.execute(select(func.min(tasks.c.due_at)).where(tasks.c.done_at.is_(None)))
        ).scalar()
        if value is None:
            return None
        # func.min bypasses the column type on some backends; normalise like UtcDateTime does.
        from bot.store.tables import UtcDateTime

        return UtcDateTime().process_result_value(value, self._c.dialect)

    async def pending_kinds(self) -> dict[int, set[TaskKind]]:
        """Per channel, the kinds of work it has pending (channels with none are left out)."""
        rows = await self._c.execute(
            select(tasks.c.channel_id, tasks.c.kind).where(tasks.c.done_at.is_(None)).distinct()
        )
        kinds: dict[int, set[TaskKind]] = {}
        for channel_id, kind in rows:
            kinds.setdefault(channel_id, set()).add(TaskKind(kind))
        return kinds

    async def pending(self, channel_id: int, kind: TaskKind) -> list[datetime]:
        rows = await self._c.execute(
            select(tasks.c.due_at)
            .where(tasks.c.channel_id == channel_id, tasks.c.kind == kind.value, tasks.c.done_at.is_(None))
            .order_by(tasks.c.due_at)
        )
        return list(rows.scalars())


class InstallationRepository(_Repository):
    """A bot's installation in a workspace: its token and what the platform said at install time."""

    async def save(
        self, platform: str, enterprise: str, workspace: str, bot_token: str, bot_user_ref: str, data: str,
        at: datetime,
    ) -> None:
        statement = self._insert(installations).values(
            platform=platform, enterprise=enterprise, workspace=workspace, bot_token=bot_token,
            bot_user_ref=bot_user_ref, data=data, installed_at=at,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "enterprise", "workspace"],
            set_={
                "bot_token": statement.excluded.bot_token,
                "bot_user_ref": statement.excluded.bot_user_ref,
                "data": statement.excluded.data,
                "installed_at": statement.excluded.installed_at,
            },
        )
        await self._c.execute(statement)

    async def find(self, platform: str, enterprise: str, workspace: str) -> Row[Any] | None:
        return (
            await self._c.execute(
                select(installations).where(
                    installations.c.platform == platform,
                    installations.c.enterprise == enterprise,
                    installations.c.workspace == workspace,
                )
            )
        ).first()

    async def delete(self, platform: str, enterprise: str, workspace: str) -> None:
        await self._c.execute(
            delete(installations).where(
                installations.c.platform == platform,
                installations.c.enterprise == enterprise,
                installations.c.workspace == workspace,
            )
        )


class OAuthStateRepository(_Repository):
    async def issue(self, state: str, expires_at: datetime) -> None:
        await self._c.execute(self._insert(oauth_states).values(state=state, expires_at=expires_at))

    async def consume(self, state: str, now: datetime) -> bool:
        """True once for a state that was issued and has not expired; the state is used up either way."""
        row = (await self._c.execute(select(oauth_states).where(oauth_states.c.state == state))).first()
        await self._c.execute(delete(oauth_states).where(oauth_states.c.state == state))
        return row is not None and row.expires_at > now


Queued = tuple[RunCommand, str, datetime, datetime, str | None]  # command, dedupe key, at, held until, holder


def _inbox_rows(queued: Sequence[Queued]) -> list[dict[str, Any]]:
    return [
        {
            "platform": command.channel.platform, "workspace": command.channel.workspace,
            "channel_ref": command.channel.channel, "channel_name": command.channel_name,
            "member_ref": command.speaker.ref, "member_name": command.speaker.name, "text": command.text,
            "dedupe_key": dedupe_key, "received_at": at, "claimed_until": held_until, "claim_token": holder,
        }
        for command, dedupe_key, at, held_until, holder in queued
    ]


class InboxRepository(_Repository):
    """Commands that were acknowledged to the platform and have not run yet."""

    async def add_many(self, queued: Sequence[Queued]) -> dict[str, int]:
        """Queues (command, dedupe key, received at, held until) rows in one statement; returns the new ids by
        dedupe key. A key queued before (or twice in `queued`) is missing from the result."""
        if not queued:
            return {}
        rows = _inbox_rows(queued)
        if self._c.dialect.name == "sqlite":
            results = await self._run_on_sqlite(self._sqlite_inserts(inbox, rows, ("id", "dedupe_key")))
            return {key: inbox_id for found in results for inbox_id, key in found}
        result = await self._c.execute(
            self._insert(inbox).on_conflict_do_nothing().returning(inbox.c.id, inbox.c.dedupe_key), rows
        )
        return {row.dedupe_key: row.id for row in result}

    async def renew(self, inbox_ids: Sequence[int], until: datetime) -> None:
        """Extends the hold on the commands (being run by this process) to `until`."""
        if inbox_ids:
            await self._c.execute(update(inbox).where(inbox.c.id.in_(list(inbox_ids)), inbox.c.done_at.is_(None))
                                  .values(claimed_until=until))

    async def claim_tokens(self, now: datetime) -> set[str]:
        """The tokens of the unexpired holds on commands not run yet."""
        rows = await self._c.execute(
            select(inbox.c.claim_token).where(inbox.c.done_at.is_(None), inbox.c.claim_token.is_not(None),
                                              inbox.c.claimed_until >= now).distinct()
        )
        return {token for token in rows.scalars() if token}

    async def release_claims(self, tokens: Sequence[str]) -> int:
        """Frees the commands held under one of `tokens` (holds of processes known dead); returns how many."""
        if not tokens:
            return 0
        result = await self._c.execute(
            update(inbox).where(inbox.c.claim_token.in_(list(tokens)), inbox.c.done_at.is_(None))
            .values(claimed_until=None, claim_token=None)
        )
        return int(result.rowcount)

    async def pending_count(self) -> int:
        """How many queued commands have not run yet."""
        return int((await self._c.execute(
            select(func.count()).select_from(inbox).where(inbox.c.done_at.is_(None))
        )).scalar_one())

    async def complete_many(self, inbox_ids: Sequence[int], at: datetime) -> None:
        """Marks the commands done."""
        if inbox_ids:
            await self._c.execute(update(inbox).where(inbox.c.id.in_(list(inbox_ids))).values(done_at=at))

    async def claim_next(self, now: datetime, lease: timedelta, token: str | None = None
                         ) -> tuple[int, RunCommand] | None:
        """The oldest command nobody holds, claimed for `lease` under `token`; None when there is none."""
        free = or_(inbox.c.claimed_until.is_(None), inbox.c.claimed_until < now)
        candidates = await self._c.execute(
            select(inbox.c.id).where(inbox.c.done_at.is_(None), free).order_by(inbox.c.id).limit(5)
        )
        for inbox_id in list(candidates.scalars()):
            claimed = await self._c.execute(
                update(inbox).where(inbox.c.id == inbox_id, inbox.c.done_at.is_(None), free)
                .values(claimed_until=now + lease, claim_token=token)
            )
            if claimed.rowcount == 1:
                row = (await self._c.execute(select(inbox).where(inbox.c.id == inbox_id))).one()
                command = RunCommand(
                    ChannelAddress(row.platform, row.workspace, row.channel_ref),
                    Speaker(row.member_ref, row.member_name), row.text, row.channel_name,
                )
                return inbox_id, command
        return None


class IntakeRepository(_Repository):
    """What a burst of arrivals writes at once: answers, commands to queue, and commands that have run."""

    async def write_and_commit(
        self,
        answers: Sequence[Mapping[str, Any]],
        queued: Sequence[Queued],
        completed: Sequence[tuple[int, datetime]],
        acknowledged: Sequence[tuple[int, str]] = (),
    ) -> tuple[set[str], dict[str, int]]:
        """Stores replies (as `AnswerRepository.add_many`), queues commands (as `InboxRepository.add_many`), marks
        commands done and replies (round id, message ref) acknowledged, and commits the unit of work with them. Returns the keys `f"{round_id}:{message_ref}"` of the
        replies that were new, and the new inbox ids by dedupe key. Raises, with nothing of it kept, if a write
        fails.

        On SQLite all of it goes in one trip to the database's thread (with the BEGIN and COMMIT when the unit of
        work had not begun a transaction yet): the path of a burst of answers."""
        answer_rows = AnswerRepository(self._c)
        inbox_rows = InboxRepository(self._c)
        if self._c.dialect.name != "sqlite":
            new = await answer_rows.add_many(answers)
            ids = await inbox_rows.add_many(queued)
            for at in {at for _, at in completed}:
                await inbox_rows.complete_many([inbox_id for inbox_id, when in completed if when == at], at)
            await answer_rows.mark_acknowledged(acknowledged)
            await self._c.commit()
            return new, ids
        answer_statements = self._sqlite_inserts(answer_parts, answers, ("round_id", "message_ref")) if answers else []
        inbox_statements = self._sqlite_inserts(inbox, _inbox_rows(queued), ("id", "dedupe_key")) if queued else []
        statements: list[tuple[str, Sequence[Any]]] = [*answer_statements, *inbox_statements]
        done_at = _bind_processors(inbox, ("done_at",), self._c.dialect)[0]
        for at in {at for _, at in completed}:
            ids_done = [inbox_id for inbox_id, when in completed if when == at]
            statements.append((f"UPDATE inbox SET done_at = ? WHERE id IN ({', '.join('?' * len(ids_done))})",
                               [done_at(at) if done_at else at, *ids_done]))
        for round_id in {round_id for round_id, _ in acknowledged}:
            refs = [ref for r, ref in acknowledged if r == round_id]
            statements.append((f"UPDATE answer_parts SET acknowledged = 1 WHERE round_id = ? "
                               f"AND message_ref IN ({', '.join('?' * len(refs))})", [round_id, *refs]))
        results = await self._run_on_sqlite(statements, may_commit=True) if statements else []
        await self._c.commit()  # what the unit of work began before, if anything; else nothing is left to do
        new = {f"{round_id}:{ref}" for rows in results[:len(answer_statements)] for round_id, ref in rows}
        inbox_ids = {key: inbox_id
                     for rows in results[len(answer_statements):len(answer_statements) + len(inbox_statements)]
                     for inbox_id, key in rows}
        return new, inbox_ids

