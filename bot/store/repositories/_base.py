"""What every repository shares: its connection, dialect-aware inserts, and the SQLite fast path."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import exists
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.schema import Table

from bot.domain.model import Task
from bot.store.tables import tasks

# SQLite refuses a statement with more bound values than this (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
SQLITE_MAX_VARIABLES = 32_766


@functools.lru_cache(maxsize=64)
def bind_processors(
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


class Repository:
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
        processors = bind_processors(table, columns, dialect)
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


def fenced(fence: Task | None) -> list[Any]:
    """The condition that `fence`'s claim still holds its task (none without a fence)."""
    if fence is None:
        return []
    return [exists().where(tasks.c.id == fence.id, tasks.c.claim_token == fence.claim_token,
                           tasks.c.done_at.is_(None))]
