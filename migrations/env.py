"""Alembic environment. Run through `prepbot db upgrade` (or on start), which passes an open connection."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.tables import metadata

config = context.config


def _run_with(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    # Plain `alembic` command line: open our own engine from the configured URL.
    from bot.store.engine import make_engine
    from entrypoints.settings import load_settings

    async def _main() -> None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or load_settings().core.database_url)
        async with engine.begin() as conn:
            await conn.run_sync(_run_with)
        await engine.dispose()

    asyncio.run(_main())


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
