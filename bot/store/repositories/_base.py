"""What every repository shares: its connection, and inserts that understand ON CONFLICT on every dialect."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import exists
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.schema import Table

from bot.domain.model import Task
from bot.store.engine import run_in_one_trip
from bot.store.tables import tasks

# SQLite refuses a statement with more bound values than this (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
SQLITE_MAX_VARIABLES = 32_766


@functools.lru_cache(maxsize=64)
def _bind_processors(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> list[Callable[[Any], Any] | None]:
    """How each column's type turns a Python value into what the driver stores (built once: it is not cheap)."""
    return [table.c[name].type.bind_processor(dialect) for name in columns]


class Repository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    def _insert(self, table: Table) -> Any:
        """An INSERT that understands ON CONFLICT on both SQLite and PostgreSQL."""
        if self._c.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def _insert_new(
        self, table: Table, rows: Sequence[Mapping[str, Any]], returning: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        """Inserts `rows` (all with the same keys), skipping those that conflict with stored ones, and returns the
        `returning` columns of those inserted. On SQLite, in one trip to its thread (`run_in_one_trip`)."""
        if not rows:
            return []
        if self._c.dialect.name != "sqlite":
            result = await self._c.execute(
                self._insert(table).on_conflict_do_nothing().returning(*(table.c[c] for c in returning)), list(rows)
            )
            return [tuple(row) for row in result]
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
            values = [process(row[name]) if process is not None else row[name]
                      for row in chunk for name, process in zip(columns, processors)]
            statements.append((head + ", ".join([one] * len(chunk)) + tail, values))
        return [row for found in await run_in_one_trip(self._c, statements) for row in found]


def fenced(fence: Task | None) -> list[Any]:
    """The condition that `fence`'s claim still holds its task (none without a fence)."""
    if fence is None:
        return []
    return [exists().where(tasks.c.id == fence.id, tasks.c.claim_token == fence.claim_token,
                           tasks.c.done_at.is_(None))]
