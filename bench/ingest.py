"""Durable answers per second through the core into SQLite, next to a bare SQLite insert loop.

    python bench/ingest.py [--answers 20000] [--members 1000] [--concurrency 200]

An answer counts when the core has committed it and acknowledged it in the chat (reaction), which is what a member
sees. The bare baseline inserts rows with one commit each into a WAL-mode SQLite file with the same durability.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.bootstrap import bootstrap  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.model import ChannelAddress, Speaker  # noqa: E402
from bot.messages import AnswerAccepted, RunCommand, SubmitAnswer  # noqa: E402
from tests.fakes.chat import FakeChat  # noqa: E402


def bare_sqlite(folder: Path, rows: int) -> float:
    connection = sqlite3.connect(folder / "bare.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, round_id INT, member_id INT, text TEXT)")
    started = time.perf_counter()
    for i in range(rows):
        connection.execute("BEGIN")
        connection.execute("INSERT INTO t (round_id, member_id, text) VALUES (?, ?, ?)", (1, i, "an answer"))
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return rows / elapsed


async def through_the_core(folder: Path, answers: int, members: int, concurrency: int) -> tuple[float, list[float]]:
    chat = FakeChat(everyone_admin=True)
    clock = FakeClock(datetime(2026, 10, 22, 6, 0, tzinfo=timezone.utc))
    bot = bootstrap(Settings(database_url=f"sqlite+aiosqlite:///{folder}/core.db"), chat, clock,
                    monotonic=time.monotonic)
    await bot.start()
    channel = ChannelAddress("bench", "w", "c")
    subscribed = await bot.handle_command(RunCommand(channel, Speaker("admin", "admin"),
                                                     "subscribe 09:30 UTC mon-fri 17:00"))
    assert subscribed.follow_up is not None
    await subscribed.follow_up()
    await bot.run_until(clock.now() + timedelta(hours=4), clock)
    thread = chat.questions()[-1].ref
    latencies: list[float] = []
    semaphore = asyncio.Semaphore(concurrency)

    async def answer(i: int) -> None:
        async with semaphore:
            member = i % members
            command = SubmitAnswer(channel, thread, f"r{i}", Speaker(f"u{member}", f"member {member}"),
                                   f"answer {i}: canary, batching, quantization and a rollback plan", clock.now())
            began = time.perf_counter()
            handled = await bot.handle_answer(command)
            assert handled.follow_up is not None
            await handled.follow_up()  # the acknowledgement, at once: as Discord and the console run it
            latencies.append(time.perf_counter() - began)
            assert isinstance(handled.outcome, AnswerAccepted) and not handled.outcome.repeated

    started = time.perf_counter()
    await asyncio.gather(*(answer(i) for i in range(answers)))
    elapsed = time.perf_counter() - started
    assert len(chat.reactions) == answers, "every answer must be acknowledged"
    await bot.close()
    return answers / elapsed, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--bare-rows", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bare = bare_sqlite(Path(folder), args.bare_rows)
        rate, latencies = asyncio.run(through_the_core(Path(folder), args.answers, args.members, args.concurrency))
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"bare SQLite insert, one commit per row:  {bare:,.0f} rows/s")
    print(f"durable answers through the core:        {rate:,.0f} answers/s "
          f"({args.answers:,} answers from {args.members:,} members, {args.concurrency} in flight)")
    print(f"answer latency (submit to acknowledged):  p50 {p50:.1f} ms, p99 {p99:.1f} ms")


if __name__ == "__main__":
    main()
