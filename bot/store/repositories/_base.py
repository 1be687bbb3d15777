"""What every repository shares: its connection, and inserts that understand ON CONFLICT on every dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.schema import Table

from bot.domain.model import Task
from bot.store.tables import tasks


class Repository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    def _insert(self, table: Table) -> Any:
        """An INSERT that understands ON CONFLICT on both SQLite and PostgreSQL."""
        if self._c.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)


def fenced(fence: Task | None) -> list[Any]:
    """The condition that `fence`'s claim still holds its task (none without a fence)."""
    if fence is None:
        return []
    return [exists().where(tasks.c.id == fence.id, tasks.c.claim_token == fence.claim_token,
                           tasks.c.done_at.is_(None))]
