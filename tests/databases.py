"""The databases the store and service suites run on: every test there runs once on SQLite and once on PostgreSQL.

A pytest plugin, registered by tests/store/conftest.py and tests/services/conftest.py (see `register`). It gives:

- the fixture `database_url`: an empty database for one test (no tables, no alembic_version), as a SQLAlchemy URL.
  On SQLite it is a new file in the test's tmp_path; on PostgreSQL it is the session's scratch database
  `prepbot_test_<random>`, emptied for the test (see `ScratchDatabase`). Nothing is migrated in advance: the test
  (or the bot it starts) runs the migrations, so they are exercised from the start on both databases.
- the parameter behind it, `database_backend` ("sqlite" or "postgres"), which names the variant in the test id:
  `test_x[sqlite]`, `test_x[postgres]`. `pytest -k sqlite` or `-k postgres` runs one variant.
- the marker `sqlite_only`, for tests about SQLite itself (its file, its journal mode): they run as [sqlite] only.

Which databases, from the environment:

- PREPBOT_TEST_DATABASES: `sqlite,postgres` (the default), `sqlite` or `postgres`; the others are deselected.
- PREPBOT_TEST_POSTGRES_URL: the admin connection, by default postgresql+asyncpg://postgres@127.0.0.1:5432/postgres.
  Its user must be allowed to CREATE DATABASE; the scratch database is on the same server, reached as that user.
- CI=true: PostgreSQL is required. When it is not reachable the session stops before any test runs, with an error
  saying why. Without CI=true (and unless PREPBOT_TEST_DATABASES names postgres) the [postgres] tests are
  deselected instead, and one line after "collected ..." says PostgreSQL was not reachable.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

PLUGIN_NAME = "prepbot-test-databases"
BACKENDS = ("sqlite", "postgres")
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SCRATCH_PREFIX = "prepbot_test_"
CONNECT_TIMEOUT = 5.0  # seconds


def register(config: pytest.Config) -> None:
    """Registers this module as a pytest plugin, once per session (each suite's conftest calls this).

    A plugin rather than fixtures imported into each conftest, so that the session-wide parts (the reachability
    check, the scratch database, the one line of report) exist once, however many suites are collected.
    """
    if not config.pluginmanager.has_plugin(PLUGIN_NAME):
        config.pluginmanager.register(sys.modules[__name__], PLUGIN_NAME)


# ---- settings ----

def admin_url() -> URL:
    return make_url(os.environ.get("PREPBOT_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def wanted_backends() -> tuple[set[str], bool]:
    """The backends to run, and whether PREPBOT_TEST_DATABASES names postgres (so it must be reachable)."""
    raw = os.environ.get("PREPBOT_TEST_DATABASES", "").strip()
    if not raw:
        return set(BACKENDS), False
    wanted = {part.strip().lower() for part in raw.split(",") if part.strip()}
    if not wanted or not wanted <= set(BACKENDS):
        raise pytest.UsageError(
            f"PREPBOT_TEST_DATABASES={raw!r}: expected a comma-separated list of {', '.join(BACKENDS)}")
    return wanted, "postgres" in wanted


def postgres_url(database: str) -> str:
    """The URL of `database` on the admin connection's server, as the same user."""
    return admin_url().set(database=database).render_as_string(hide_password=False)


# ---- the PostgreSQL server ----

async def _execute(url: URL | str, statements: Iterable[str]) -> None:
    """Runs the statements, each in its own transaction (AUTOCOMMIT), on a connection opened for them."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool,
                                 connect_args={"timeout": CONNECT_TIMEOUT})
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


async def _admin(*statements: str) -> None:
    await _execute(admin_url(), statements)


def postgres_problem() -> str | None:
    """None when the admin connection works; otherwise why not."""
    try:
        asyncio.run(_admin("SELECT 1"))
    except Exception as error:  # whatever the reason, PostgreSQL is not usable
        return f"{type(error).__name__}: {error}".strip()
    return None


class ScratchDatabase:
    """The session's PostgreSQL database, emptied before each test: as good as a new database, and faster.

    CREATE DATABASE copies the template's catalog (7-8 MB) and fsyncs it: 0.25-0.3 s on the test machine, where
    dropping and recreating the public schema takes 0.02 s. Everything prepbot creates (tables, their sequences
    and constraints, alembic_version) lives in the public schema, so once it is recreated the database is as new.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.url = postgres_url(name)
        self.created = False

    async def empty(self) -> None:
        if not self.created:
            await _admin(f'CREATE DATABASE "{self.name}"')
            self.created = True
            return
        # A connection the previous test left open (a bot not closed) could hold locks the DROP waits for.
        await _admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     f"WHERE datname = '{self.name}' AND pid <> pg_backend_pid()")
        await _execute(self.url, (
            "DROP SCHEMA IF EXISTS public CASCADE",
            "CREATE SCHEMA public AUTHORIZATION pg_database_owner",  # as PostgreSQL 15 makes it in a new database
            "GRANT USAGE ON SCHEMA public TO PUBLIC",
        ))

    def drop(self) -> None:
        if self.created:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.created = False


# ---- pytest hooks ----

def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: a test about SQLite itself (its file, its journal mode); runs as [sqlite] only")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_backend" not in metafunc.fixturenames:
        return
    sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
    backends = ["sqlite"] if sqlite_only else list(BACKENDS)
    metafunc.parametrize("database_backend", backends, indirect=True, ids=backends)


def _backend_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return None if callspec is None else callspec.params.get("database_backend")


_report: list[str] = []


@pytest.hookimpl(trylast=True)  # after -k and -m: no check of PostgreSQL when no [postgres] test is left
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _report.clear()
    wanted, postgres_named = wanted_backends()
    if set(BACKENDS) - wanted:
        _report.append(f"PREPBOT_TEST_DATABASES={os.environ['PREPBOT_TEST_DATABASES']}: "
                       f"the [{'], ['.join(sorted(set(BACKENDS) - wanted))}] tests are deselected")
    if "postgres" in wanted and any(_backend_of(item) == "postgres" for item in items):
        problem = postgres_problem()
        if problem is not None:
            where = admin_url().render_as_string(hide_password=True)
            if in_ci() or postgres_named:
                why = "CI=true" if in_ci() else "PREPBOT_TEST_DATABASES names postgres"
                raise pytest.UsageError(
                    f"PostgreSQL is not reachable at {where} ({problem}). With {why} the store and service tests "
                    "must run on PostgreSQL too: start it, or point PREPBOT_TEST_POSTGRES_URL at a server where "
                    "that user may CREATE DATABASE.")
            wanted = wanted - {"postgres"}
            _report.append(f"PostgreSQL is not reachable at {where} ({problem}): the [postgres] tests are "
                           "deselected, [sqlite] only (with CI=true this is an error)")
    deselected = [item for item in items if _backend_of(item) not in wanted | {None}]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if _backend_of(item) in wanted | {None}]


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    return list(_report)


# ---- fixtures ----

@pytest.fixture
def database_backend(request: pytest.FixtureRequest) -> str:
    """"sqlite" or "postgres", as parametrized by pytest_generate_tests."""
    backend: str = request.param
    return backend


@pytest.fixture(scope="session")
def postgres_scratch() -> Iterator[ScratchDatabase]:
    """The session's scratch database (created when a [postgres] test first needs it), dropped at the end."""
    scratch = ScratchDatabase(f"{SCRATCH_PREFIX}{uuid.uuid4().hex[:16]}")
    yield scratch
    scratch.drop()


@pytest.fixture
async def database_url(database_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """An empty database for this test (no tables yet), as a SQLAlchemy URL."""
    if database_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/prepbot.db"
        return
    scratch: ScratchDatabase = request.getfixturevalue("postgres_scratch")
    await scratch.empty()
    yield scratch.url
