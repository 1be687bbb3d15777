"""The SQLite database file is private to its owner.

A SQLite database holds bot tokens in clear: its file, and SQLite's -wal and -shm beside it, are readable by
their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.store.engine import make_engine, upgrade


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_sqlite_database_and_its_wal_and_shm_files_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    old = os.umask(0o022)  # the usual umask, which leaves new files readable by everyone
    try:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/data/prepbot.db")
        try:
            await upgrade(engine)
            async with engine.connect() as connection:  # the WAL files exist while a connection is open
                await connection.exec_driver_sql("SELECT 1")
                files = sorted(p.name for p in (tmp_path / "data").iterdir())
                assert files == ["prepbot.db", "prepbot.db-shm", "prepbot.db-wal"]
                assert {name: mode(tmp_path / "data" / name) for name in files} == {name: 0o600 for name in files}
        finally:
            await engine.dispose()
    finally:
        os.umask(old)


async def test_an_existing_database_readable_by_others_is_made_private_when_opened(tmp_path: Path) -> None:
    file = tmp_path / "prepbot.db"
    engine = make_engine(f"sqlite+aiosqlite:///{file}")
    await upgrade(engine)
    await engine.dispose()
    file.chmod(0o644)
    engine = make_engine(f"sqlite+aiosqlite:///{file}")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
        assert mode(file) == 0o600
    finally:
        await engine.dispose()
