"""A real SQLite database file per test, brought to the latest schema by the Alembic migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.engine import make_engine, upgrade
from bot.store.unit_of_work import Store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/store.db")
    await upgrade(engine)
    store = Store(engine)
    yield store
    await store.close()
