"""A fresh database per store test, on SQLite and on PostgreSQL.

A fresh database per test, brought to the latest schema by the Alembic migrations: each test runs as [sqlite],
on a file, and as [postgres], on a scratch database (see tests/databases.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store.engine import make_engine, upgrade
from bot.store.unit_of_work import Store
from tests import databases


def pytest_configure(config: pytest.Config) -> None:
    databases.register(config)  # the database_url fixture, the [sqlite]/[postgres] ids, the sqlite_only marker


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    engine = make_engine(database_url)
    await upgrade(engine)
    store = Store(engine)
    yield store
    await store.close()
