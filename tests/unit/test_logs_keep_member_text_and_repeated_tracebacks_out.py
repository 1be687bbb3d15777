"""Logs keep member text and repeated tracebacks out.

Logs during failures: what members wrote stays out of them above DEBUG, even inside a database error, and a
failure that repeats (a database away, a platform down) shows its traceback once, then one short line each time."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.logs import configure_logging
from bot.store.engine import make_engine

MEMBER_TEXT = "my private answer about batching"


async def failed_insert_logged(tmp_path: Path, level: str) -> str:
    stream = io.StringIO()
    configure_logging(level, "json", stream=stream)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/{level}.db")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE answers (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
            await connection.execute(text("INSERT INTO answers (id, body) VALUES (1, 'first')"))
            await connection.execute(text("INSERT INTO answers (id, body) VALUES (1, :body)"), {"body": MEMBER_TEXT})
    except SQLAlchemyError:
        logging.getLogger("prepbot").exception("storing an answer failed")
    finally:
        await engine.dispose()
    return stream.getvalue()


async def test_a_database_error_logged_at_error_does_not_carry_the_statement_parameters(tmp_path: Path) -> None:
    logged = await failed_insert_logged(tmp_path, "INFO")
    assert "UNIQUE constraint failed" in logged, "the error itself is logged"
    assert MEMBER_TEXT not in logged


async def test_at_debug_the_parameters_are_shown_for_whoever_debugs(tmp_path: Path) -> None:
    assert MEMBER_TEXT in await failed_insert_logged(tmp_path, "DEBUG")


def fail(logger: logging.Logger, message: str, number: int) -> None:
    try:
        raise ConnectionRefusedError(111, f"Connect call failed ('127.0.0.1', 5432) #{number}")
    except ConnectionRefusedError:
        logger.exception(message)


def test_a_failure_that_repeats_shows_its_traceback_once_then_one_short_line_each_time() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    log = logging.getLogger("aiohttp.server")
    for number in range(20):
        fail(log, "Error handling request", number)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 20, "each failure is still counted in the log"
    first, *rest = lines
    assert "Traceback" in str(first.get("exception"))
    assert all("exception" not in line for line in rest)
    assert all("ConnectionRefusedError" in str(line["event"]) and len(json.dumps(line)) < 600 for line in rest)
    assert "#19" in str(rest[-1]["event"]), "the short line says what went wrong this time"


def test_one_exception_logged_twice_on_its_way_up_is_logged_once() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    try:
        raise TimeoutError("the pool timed out")
    except TimeoutError:
        logging.getLogger("slack_bolt.AsyncApp").exception("Failed to run a middleware")
        logging.getLogger("aiohttp.server").exception("Error handling request")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 1 and "Traceback" in str(lines[0]["exception"])


def test_a_different_failure_gets_its_own_traceback() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    log = logging.getLogger("prepbot")
    fail(log, "storing failed", 1)
    fail(log, "storing failed", 2)
    try:
        raise KeyError("surprise")
    except KeyError:
        log.exception("storing failed")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert ["exception" in line for line in lines] == [True, False, True]
