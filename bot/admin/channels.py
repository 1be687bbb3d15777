"""Finding the channel an operator names, and opening the database the admin tools read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.domain.model import Channel
from bot.store.engine import alembic_config, make_engine
from bot.store.unit_of_work import Store

BAD_INPUT = 2  # exit code: the operator named something that does not exist or typed a malformed value
UNAVAILABLE = 1  # exit code: the database cannot be read


class AdminError(Exception):
    """A problem an admin command reports as one line on stderr, with `code` as the exit code."""

    def __init__(self, message: str, code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


class ChannelLookupError(AdminError):
    """No channel, or more than one, answers to the name given; the message lists the known channels."""


def channel_label(channel: Channel) -> str:
    """How the admin tools name a channel: `platform:workspace:channel_ref`, e.g. `slack:T123:C456`."""
    address = channel.address
    return f"{address.platform}:{address.workspace}:{address.channel}"


def _described(channel: Channel) -> str:
    return f"{channel_label(channel)} (#{channel.name})" if channel.name else channel_label(channel)


def _listing(channels: Sequence[Channel]) -> str:
    if not channels:
        return "no channel is known yet (prepbot learns a channel when it is first used there)"
    return "known channels: " + ", ".join(_described(c) for c in channels)


def find_channel(channels: Sequence[Channel], wanted: str) -> Channel:
    """The one channel in `channels` that `wanted` names.

    `wanted` is a full address `platform:workspace:channel_ref`, or a channel name (a leading `#` is optional;
    an exact match wins over one that differs only in case), or a bare channel ref. Raises ChannelLookupError,
    naming the known channels, when no channel or several match.
    """
    text = wanted.strip()
    by_address = [c for c in channels if channel_label(c) == text]
    if by_address:
        return by_address[0]
    name = text.removeprefix("#")
    tries = (
        [c for c in channels if c.name == name],
        [c for c in channels if c.name.casefold() == name.casefold()],
        [c for c in channels if c.address.channel == text],
    )
    for matches in tries:
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            found = ", ".join(_described(c) for c in matches)
            raise ChannelLookupError(
                f"'{wanted}' names {len(matches)} channels ({found}); give one as platform:workspace:channel")
    raise ChannelLookupError(f"no channel '{wanted}'; {_listing(channels)}")


async def resolve_channel(store: Store, wanted: str) -> Channel:
    """The channel `wanted` names in the store (see `find_channel`); raises ChannelLookupError."""
    async with store.unit_of_work() as uow:
        channels = await uow.channels.all()
    return find_channel(channels, wanted)


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def open_store(database_url: str) -> Store:
    """The configured database, checked to hold prepbot's current schema. Nothing is created or migrated: a
    missing SQLite file, an empty database or an older schema raise AdminError (exit code 1) saying what to do."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise AdminError(f"PREPBOT_DATABASE_URL '{database_url}' is not a database URL", UNAVAILABLE) from None
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
            and not url.database.startswith("file:") and not Path(url.database).expanduser().is_file():
        raise AdminError(f"the database {shown} does not exist: set PREPBOT_DATABASE_URL to prepbot's database",
                         UNAVAILABLE)
    store = Store(make_engine(database_url))
    try:
        async with store.engine.connect() as connection:
            revision = await connection.run_sync(_current_revision)
    except (SQLAlchemyError, OSError) as error:
        await store.close()
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise AdminError(f"cannot read the database {shown} ({reason})", UNAVAILABLE) from None
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision != head:
        await store.close()
        state = "has no prepbot tables" if revision is None else f"is at schema {revision}, not {head}"
        raise AdminError(f"the database {shown} {state}: run `prepbot db upgrade` (or check PREPBOT_DATABASE_URL)",
                         UNAVAILABLE)
    return store
