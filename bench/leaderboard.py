"""The weekly board of a big channel: 10,000 members and 1,000,000 answers, on SQLite and on PostgreSQL.

    python bench/leaderboard.py [--members 10000] [--rounds 100] [--runs 50] [--postgres URL | --no-postgres]

Each of the channel's `rounds` daily rounds (weekdays, about 20 weeks) is answered by every member, and each answer
earned participation and coverage points: 1,000,000 answers, 2,000,000 point rows. The board is what `/prep
leaderboard` and the Monday post compute: the core's `leaderboard()` service over the store with the board's chart
drawn as the chat adapters draw it, timed end to end (p50 and p99), and the standings query inside it on its own
(p50; the rest is mostly drawing the chart). Then, p50 each: the count of members ranked (the board's "and N
more") and a member's place on their own, and the board a member below its first places asks for (the board, their
place and the chart), as `/prep leaderboard` runs it for them.

On PostgreSQL a table bulk-loaded a moment ago has no statistics yet and an empty visibility map, so every index
entry costs a visit to the table: the board is timed there first, then again after VACUUM ANALYZE, which stands for
autovacuum having caught up (migration 0007 has it catch up after about 1% new rows, rather than 20%).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.chart import chart_of  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.leaderboard import rank  # noqa: E402
from bot.domain.model import Channel, ChannelAddress, Member  # noqa: E402
from bot.services.boards import BOARD_SIZE, asked_leaderboard, leaderboard, period_bounds  # noqa: E402
from bot.store.engine import make_engine, upgrade  # noqa: E402
from bot.store.tables import members, points, rounds  # noqa: E402
from bot.store.unit_of_work import Store  # noqa: E402

START = date(2026, 6, 1)  # a Monday


def weekdays(count: int) -> list[date]:
    days, day = [], START
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


async def fill(store: Store, member_count: int, round_count: int) -> tuple[ChannelAddress, date]:
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    address = ChannelAddress("bench", "w", "big")
    async with store.unit_of_work() as uow:
        channel = await uow.channels.get_or_create(address, "big", Settings().default_schedule("UTC"), now)
        await uow.commit()
    conn_days = weekdays(round_count)
    async with store.engine.begin() as conn:
        await conn.execute(members.insert(), [
            {"platform": "bench", "workspace": "w", "member_ref": f"u{i}", "display_name": f"member {i:05d}"}
            for i in range(member_count)
        ])
        await conn.execute(rounds.insert(), [
            {"channel_id": channel.id, "question_id": f"q{n}", "level": "advanced", "kind": "daily",
             "local_date": day, "daily_date": day, "message_ref": f"m{n}", "status": "closed", "created_at": now,
             "posted_at": now, "deadline_at": now, "revealed_at": now}
            for n, day in enumerate(conn_days)
        ])
    async with store.engine.connect() as conn:
        member_ids = [r[0] for r in await conn.execute(members.select().with_only_columns(members.c.id))]
        round_rows = list(await conn.execute(rounds.select().with_only_columns(rounds.c.id, rounds.c.local_date)))
    for round_id, day in round_rows:
        batch = []
        for i, member_id in enumerate(member_ids):
            base = {"channel_id": channel.id, "round_id": round_id, "member_id": member_id, "level": "advanced",
                    "kind": "daily", "local_date": day, "awarded_at": now}
            batch.append({**base, "reason": "participation", "amount": 10, "detail": "answered on time"})
            batch.append({**base, "reason": "coverage", "amount": (i * 7 + round_id) % 31, "detail": "covered"})
        async with store.engine.begin() as conn:
            await conn.execute(points.insert(), batch)
    return address, conn_days[-1]


@dataclass
class Timings:
    p50: float  # ms, leaderboard() end to end
    p99: float
    query: float  # ms, p50 of the standings query alone
    count: float  # ms, p50 of counting the members ranked
    place: float  # ms, p50 of one member's place
    asked: float  # ms, p50 of asked_leaderboard() for a member below the board's places, chart included

    def __str__(self) -> str:
        return (f"p50 {self.p50:6.1f} ms   p99 {self.p99:6.1f} ms   (query alone p50 {self.query:5.1f} ms)\n"
                f"            count p50 {self.count:5.1f} ms   place p50 {self.place:5.1f} ms   "
                f"board asked from below p50 {self.asked:6.1f} ms")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(len(ordered) * share) - 1, 0)]


async def time_board(store: Store, channel: Channel, now: datetime, runs: int) -> Timings:
    """The board's timings, and those of the place of the member ranked last, whom the board leaves out."""
    first, last, _ = period_bounds("week", channel.schedule.local_date(now))
    async with store.unit_of_work() as uow:
        member_id = rank(await uow.points.standings(channel.id, first, last, None))[-1].standing.member_id
    card = await leaderboard(channel, "week", None, store=store, now=now)  # warm-up
    assert card.lines and card.lines[0].rounds == 5, card
    async with store.unit_of_work() as uow:
        member = await uow.members.get_many([member_id])
    asker: Member = member[member_id]
    asked_card, asked_place = await asked_leaderboard(channel, asker, "week", None, store=store, now=now)
    assert asked_card.more > 0 and asked_place is not None and asked_place.rank > BOARD_SIZE, asked_place
    boards, queries, counts, places, asked = [], [], [], [], []
    for _ in range(runs):
        began = time.perf_counter()
        chart_of(await leaderboard(channel, "week", None, store=store, now=now))
        boards.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        async with store.unit_of_work() as uow:
            await uow.points.standings(channel.id, first, last, None, top=BOARD_SIZE)
        queries.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        async with store.unit_of_work() as uow:
            await uow.points.ranked_count(channel.id, first, last, None)
        counts.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        async with store.unit_of_work() as uow:
            await uow.points.place(channel.id, member_id, first, last, None)
        places.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        chart_of((await asked_leaderboard(channel, asker, "week", None, store=store, now=now))[0])
        asked.append((time.perf_counter() - began) * 1000)
    return Timings(statistics.median(boards), percentile(boards, 0.99), statistics.median(queries),
                   statistics.median(counts), statistics.median(places), statistics.median(asked))


async def measure(url: str, member_count: int, round_count: int, runs: int) -> tuple[list[tuple[str, Timings]], float]:
    """The board's timings on a freshly filled database (and on PostgreSQL once more after VACUUM ANALYZE), and
    how long filling took."""
    store = Store(make_engine(url))
    try:
        await upgrade(store.engine)
        began = time.perf_counter()
        address, last_day = await fill(store, member_count, round_count)
        filled = time.perf_counter() - began
        async with store.unit_of_work() as uow:
            channel = await uow.channels.find(address)
        assert channel is not None
        now = datetime.combine(last_day, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=12)
        if store.engine.dialect.name != "postgresql":
            return [("", await time_board(store, channel, now, runs))], filled
        cold = await time_board(store, channel, now, runs)
        async with store.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("VACUUM ANALYZE points")
        warm = await time_board(store, channel, now, runs)
        return [("after VACUUM ANALYZE", warm), ("right after the bulk load", cold)], filled
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="an admin connection; a scratch database is created and dropped")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    answers = args.members * args.rounds
    print(f"weekly board of one channel: {args.members:,} members, {answers:,} answers "
          f"({2 * answers:,} point rows), {args.runs} timed runs")
    with tempfile.TemporaryDirectory() as folder:
        results, filled = await measure(f"sqlite+aiosqlite:///{folder}/board.db", args.members, args.rounds,
                                        args.runs)
        print(f"SQLite      {results[0][1]}   filled in {filled:.0f} s")
    if not args.no_postgres:
        import asyncpg

        admin = await asyncpg.connect(args.postgres)
        name = f"prepbot_bench_{uuid.uuid4().hex[:8]}"
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            base = args.postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            results, filled = await measure(f"{base}/{name}", args.members, args.rounds, args.runs)
            for state, timings in results:
                print(f"PostgreSQL  {timings}   {state}")
            print(f"            filled in {filled:.0f} s")
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
