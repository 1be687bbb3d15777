"""Creating the database engine, and upgrading the schema with Alembic."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

import migrations

log = logging.getLogger("prepbot.store")
MIGRATION_LOCK = 0x70726570  # an advisory lock key of prepbot's own, for schema upgrades
SQLITE_LOCK_WAIT = 30.0  # seconds a SQLite connection waits for another one's lock before it gives up


def make_engine(url: str) -> AsyncEngine:
    """An async engine for `url`. SQLite gets WAL, a busy timeout, and write transactions that begin IMMEDIATE.

    A statement's parameters hold what members wrote: its errors show them only when the process logs at DEBUG."""
    hide = not logging.getLogger("prepbot").isEnabledFor(logging.DEBUG)
    if url.startswith("sqlite"):
        _ensure_sqlite_file(url)
        # One connection: SQLite has one writer at a time anyway, and waiting for the pool is asyncio-friendly,
        # where waiting on SQLite's lock would sleep in its busy handler.
        # No rollback when a connection goes back to the pool: a unit of work always ends its transaction itself
        # (commit, or rollback on leaving), so that would only be one more trip to SQLite's thread.
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_LOCK_WAIT}, pool_size=1, max_overflow=0,
                                     pool_timeout=120, pool_reset_on_return=None, hide_parameters=hide)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            dbapi_connection.run_async(_enter_wal)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA cache_size=-16000")  # 16 MB of pages: a big channel's board stays in memory
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # Straight to the driver: one trip to its thread instead of a cursor's three.
            conn.connection.dbapi_connection.run_async(  # type: ignore[union-attr]
                lambda driver: driver.execute_fetchall("BEGIN IMMEDIATE")
            )

        return engine
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=hide)


async def _enter_wal(driver: Any) -> None:
    """Puts the database in WAL mode, through the driver (aiosqlite: the statement runs on SQLite's own thread, so
    the event loop goes on meanwhile). While another process switches a new database at the same moment, SQLite
    answers "locked" at once instead of waiting its busy timeout, so this tries again, as long as any other wait
    for the lock."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SQLITE_LOCK_WAIT
    while True:
        try:
            await driver.execute_fetchall("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or loop.time() > deadline:
                raise
            await asyncio.sleep(0.01)


async def run_in_one_trip(
    connection: AsyncConnection, statements: Sequence[tuple[str, Sequence[Any]]]
) -> list[list[tuple[Any, ...]]]:
    """SQLite only: runs `statements` (SQL and the driver's values) in the unit of work's transaction (begun first if
    need be) and returns each one's rows, in one trip to SQLite's thread.

    What it buys: through SQLAlchemy, each statement costs several trips between the event loop and SQLite's thread
    (cursor, execute, fetch, close) and converts every row twice; a group of arrivals writes its rows this way, and
    bench/ingest.py measures the difference. It calls aiosqlite's way to run a function on the connection's own
    thread, which is private: the version is pinned in constraints.txt, and the SQLite store tests run through
    here."""
    if not connection.in_transaction():
        await connection.begin()  # BEGIN IMMEDIATE, as every transaction here
    driver = (await connection.get_raw_connection()).driver_connection
    results: list[list[tuple[Any, ...]]] = await driver._execute(  # type: ignore[union-attr]
        _run_statements, driver._conn, statements  # type: ignore[union-attr]
    )
    return results


def _run_statements(
    connection: sqlite3.Connection, statements: Sequence[tuple[str, Sequence[Any]]]
) -> list[list[tuple[Any, ...]]]:
    return [[tuple(row) for row in connection.execute(sql, values).fetchall()] for sql, values in statements]


def _ensure_sqlite_file(url: str) -> None:
    """Creates the database file's folder, and the file itself readable and writable by its owner only: it holds bot
    tokens. SQLite gives its -wal and -shm files the database file's permissions. A file readable by others is made
    private."""
    _, _, path = url.partition(":///")
    path = path.split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path).expanduser()
    file.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(file, os.O_CREAT | os.O_WRONLY, 0o600))
    for each in (file, file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")):
        try:
            if each.stat().st_mode & 0o077:
                each.chmod(0o600)
                log.info("made %s readable by its owner only: it holds bot tokens", each)
        except FileNotFoundError:
            pass


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Brings the schema to `revision` with the migrations in migrations/. On PostgreSQL, processes starting
    together take turns (an advisory lock held for the transaction), so only the first one migrates."""

    def _run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        await connection.run_sync(_run)


def database_problem(error: BaseException) -> str | None:
    """Why the database could not be reached or opened, in a few words, when `error` is that kind of failure (a
    refused or timed-out connection, an unknown host, a login or database the server refuses, a file SQLite cannot
    open); None for any other error."""
    if isinstance(error, (OSError, asyncio.TimeoutError)):
        return f"{type(error).__name__}: {error}"[:300]
    if isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DBAPIError) and (error.statement is None or error.connection_invalidated)
    ):
        cause = error.orig if error.orig is not None else error
        first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        return f"{type(cause).__name__}: {first}"[:300]
    return None


def store_unavailable(error: BaseException) -> bool:
    """Whether `error` says the store itself cannot take writes now (down, or busy with another writer's lock), as
    opposed to refusing one row: then writing rows one by one would only fail again, each after its own wait."""
    return (isinstance(error, (OperationalError, InterfaceError, sqlite3.OperationalError, OSError,
                               asyncio.TimeoutError))
            or bool(getattr(error, "connection_invalidated", False)))
