"""Due work: tasks scheduled once, claimed with a lease and a token, completed only by their holder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Date, Integer, String, bindparam, delete, exists, func, literal, or_, select, update

from bot.domain.model import Task, TaskKind
from bot.store.repositories._base import Repository
from bot.store.tables import rounds, tasks


class TaskRepository(Repository):
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
