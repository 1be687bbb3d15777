"""The schema the migrations build, and the SQLite connection set-up.

The schema as the migrations build it (from an empty database, on SQLite and on PostgreSQL), and how every
connection to a SQLite file is set up."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from alembic.script import ScriptDirectory

from bot.store.engine import alembic_config, make_engine, upgrade
from bot.store.tables import metadata
from bot.store.unit_of_work import Store


def _tables_and_columns(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {name: {c["name"] for c in inspector.get_columns(name)} for name in inspector.get_table_names()}


async def test_upgrading_an_empty_database_creates_every_table_with_every_column_the_code_uses(store: Store) -> None:
    async with store.engine.connect() as connection:
        found = await connection.run_sync(_tables_and_columns)

    expected = {table.name: {column.name for column in table.columns} for table in metadata.sorted_tables}
    assert set(expected) == {
        "channels", "members", "rounds", "answer_parts", "votes", "points", "results", "tasks", "installations",
        "oauth_states", "inbox", "judgements", "judge_budget", "welcomes", "reminder_nudges",
    }
    for name, columns in expected.items():
        assert found.get(name) == columns, f"table {name} differs from bot/store/tables.py"
    assert "alembic_version" in found


async def test_upgrading_a_database_that_is_already_current_changes_nothing(store: Store) -> None:
    async with store.engine.connect() as connection:
        before = await connection.run_sync(_tables_and_columns)

    await upgrade(store.engine)

    async with store.engine.connect() as connection:
        assert await connection.run_sync(_tables_and_columns) == before
        version = (await connection.exec_driver_sql("SELECT version_num FROM alembic_version")).scalars().all()
    assert version == [ScriptDirectory.from_config(alembic_config()).get_current_head()]


@pytest.mark.sqlite_only  # PostgreSQL always writes ahead; journal_mode is SQLite's setting
async def test_the_database_file_is_written_ahead_through_a_log(store: Store) -> None:
    async with store.engine.connect() as connection:
        mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
    assert str(mode).lower() == "wal"


@pytest.mark.sqlite_only
async def test_a_fresh_engine_on_an_existing_file_also_uses_the_write_ahead_log(database_url: str) -> None:
    first = make_engine(database_url)
    await upgrade(first)
    await first.dispose()

    second = make_engine(database_url)
    try:
        async with second.connect() as connection:
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
    finally:
        await second.dispose()
    assert str(mode).lower() == "wal"


async def test_processes_upgrading_an_empty_database_at_the_same_moment_all_succeed(database_url: str) -> None:
    # Replicas started together each upgrade the schema on start: they take turns, and the first one migrates.
    engines = [make_engine(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))
        async with engines[0].connect() as connection:
            found = await connection.run_sync(_tables_and_columns)
    finally:
        for engine in engines:
            await engine.dispose()
    assert {table.name for table in metadata.sorted_tables} <= set(found)
