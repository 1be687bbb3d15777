"""A 09:30 fan-out: N subscribed Slack channels all due at the same minute, posted through a local fake Slack.

    python bench/fanout.py [--channels 10000] [--concurrency 32]

One prepbot process on SQLite; the fake Slack (its own process) checks every call and enforces Slack's pace of about
one message per second per channel. Prints the time to post them all, each post's lateness (from 09:30:00 to the
moment Slack accepted it) at p50/p99, and the duplicates (channels that got more than one question: must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TEAM = "T1"


def _fake_slack(channels: int, url_out: Any, stop: Any, counts_out: Any) -> None:
    from tests.fakes.slack import FakeSlack

    async def main() -> None:
        async with FakeSlack(enforce_channel_pace=True) as slack:
            slack.add_workspace(TEAM, name="Bench")
            for i in range(channels):
                slack.add_channel(TEAM, f"C{i:05d}", f"team-{i}")
            url_out.send(slack.url)
            while not stop.is_set():
                await asyncio.sleep(0.1)
            posts = [len(slack.top_level(f"C{i:05d}")) for i in range(channels)]
            counts_out.send((posts, len(slack.violations), slack.violations[:3]))

    asyncio.run(main())


async def _main(args: argparse.Namespace) -> None:
    from adapters.slack.app import build_slack_chat
    from bot.bootstrap import bootstrap
    from bot.clock import FakeClock
    from bot.config import Settings
    from bot.domain.model import ChannelAddress
    from bot.services.planning import replan
    from bot.store.engine import make_engine, upgrade
    from bot.store.unit_of_work import Store

    url_in, url_out = multiprocessing.Pipe(duplex=False)
    counts_in, counts_out = multiprocessing.Pipe(duplex=False)
    stop = multiprocessing.Event()
    fake = multiprocessing.Process(target=_fake_slack, args=(args.channels, url_out, stop, counts_out), daemon=True)
    fake.start()
    api_url = f"{url_in.recv()}/api/"
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(Settings(), database_url=f"sqlite+aiosqlite:///{folder}/fanout.db", slack_api_url=api_url,
                           slack_bot_token=f"xoxb-{TEAM}", slack_signing_secret="s", slack_mode="http",
                           log_level="WARNING")
        due = datetime(2026, 11, 30, 9, 30, tzinfo=timezone.utc)
        clock = FakeClock(datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc))
        store = Store(make_engine(settings.database_url))
        await upgrade(store.engine)
        schedule = replace(settings.default_schedule("UTC"))
        began = time.perf_counter()
        async with store.unit_of_work() as uow:
            for i in range(args.channels):
                channel = await uow.channels.get_or_create(ChannelAddress("slack", TEAM, f"C{i:05d}"), f"team-{i}",
                                                           schedule, clock.now())
                await uow.channels.save(channel.id, schedule, True, subscribed_by="UADMIN")
                await replan(uow, await uow.channels.get(channel.id), clock.now())
            await uow.commit()
        print(f"{args.channels:,} channels subscribed in {time.perf_counter() - began:.0f} s")
        slack = build_slack_chat(settings, store, clock)
        posted_at: list[float] = []
        inner = slack.chat.post_question

        async def timed_post(channel: Any, card: Any) -> str:
            ref = await inner(channel, card)
            posted_at.append(time.perf_counter())
            return ref

        slack.chat.post_question = timed_post  # type: ignore[method-assign]
        bot = bootstrap(settings, slack.chat, clock, store=store)
        await bot.start()
        clock.set(due)
        start = time.perf_counter()
        ran = 0
        from bot.services.due import run_due_work

        ran = await run_due_work(store=store, chat=slack.chat, bank=bot.bank, settings=settings, now=clock.now(),
                                 concurrency=args.concurrency)
        elapsed = time.perf_counter() - start
        await slack.close()
        await bot.close()
    stop.set()
    posts, violation_count, violations = counts_in.recv()
    fake.join(timeout=10)
    lateness = sorted(t - start for t in posted_at)
    p99 = lateness[max(int(len(lateness) * 0.99) - 1, 0)] if lateness else float("nan")
    duplicates = sum(1 for n in posts if n > 1)
    missing = sum(1 for n in posts if n == 0)
    print(f"posted {len(posted_at):,} questions ({ran:,} tasks) in {elapsed:.1f} s with {args.concurrency} at once; "
          f"floor set by Slack's limits: none binds (one message per channel; the fake enforces no workspace limit)")
    print(f"lateness after 09:30:00: p50 {statistics.median(lateness):.1f} s, p99 {p99:.1f} s")
    print(f"duplicates: {duplicates}, missing: {missing}, spec violations: {violation_count} {violations}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
