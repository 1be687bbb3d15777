"""The arrivals lane's writes: answers, queued commands and acknowledgement marks in one statement each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.store.repositories._base import Repository, bind_processors
from bot.store.repositories.answers import AnswerRepository
from bot.store.repositories.inbox import InboxRepository, Queued, inbox_rows
from bot.store.tables import answer_parts, inbox


class IntakeRepository(Repository):
    """What a burst of arrivals writes at once: answers, commands to queue, and commands that have run."""

    async def write_and_commit(
        self,
        answers: Sequence[Mapping[str, Any]],
        queued: Sequence[Queued],
        completed: Sequence[tuple[int, datetime]],
        acknowledged: Sequence[tuple[int, str]] = (),
    ) -> tuple[set[str], dict[str, int]]:
        """Stores replies (as `AnswerRepository.add_many`), queues commands (as `InboxRepository.add_many`), marks
        commands done and replies (round id, message ref) acknowledged, and commits the unit of work with them.
        Returns the keys `f"{round_id}:{message_ref}"` of the
        replies that were new, and the new inbox ids by dedupe key. Raises, with nothing of it kept, if a write
        fails.

        On SQLite all of it goes in one trip to the database's thread (with the BEGIN and COMMIT when the unit of
        work had not begun a transaction yet): the path of a burst of answers."""
        answer_rows = AnswerRepository(self._c)
        queue = InboxRepository(self._c)
        if self._c.dialect.name != "sqlite":
            new = await answer_rows.add_many(answers)
            ids = await queue.add_many(queued)
            for at in {at for _, at in completed}:
                await queue.complete_many([inbox_id for inbox_id, when in completed if when == at], at)
            await answer_rows.mark_acknowledged(acknowledged)
            await self._c.commit()
            return new, ids
        answer_statements = self._sqlite_inserts(answer_parts, answers, ("round_id", "message_ref")) if answers else []
        inbox_statements = self._sqlite_inserts(inbox, inbox_rows(queued), ("id", "dedupe_key")) if queued else []
        statements: list[tuple[str, Sequence[Any]]] = [*answer_statements, *inbox_statements]
        done_at = bind_processors(inbox, ("done_at",), self._c.dialect)[0]
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
