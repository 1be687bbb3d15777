"""prepbot's Slack HTTP mode under load, next to a bare slack-bolt app that only acks, in the same run.

    python bench/slack_http.py [--requests 4000] [--concurrency 50]

Half the requests are signed `/prep stats` slash commands, half are signed thread replies (answers) to an open
question. prepbot answers an event only after the answer is committed to SQLite, and acks a slash command only after
it is queued in SQLite; the reactions on answers and the replies to commands follow once the burst lets them (the
script waits for the last one and says when it came). The bare app acks everything at once. The fake Slack Web API and the load generator run in their own processes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SECRET = "bench-signing-secret"
TEAM, CHANNEL, USERS = "T1", "C1", 500
WARM_UP = 2 * USERS


def _fake_slack(url_out: Any, stop: Any) -> None:
    from tests.fakes.slack import FakeSlack

    async def main() -> None:
        async with FakeSlack(signing_secret=SECRET) as slack:
            slack.add_workspace(TEAM, name="Bench")
            slack.add_user(TEAM, "UADMIN", "admin", is_admin=True)
            for i in range(USERS):
                slack.add_user(TEAM, f"U{i:04d}", f"member{i}")
            slack.add_channel(TEAM, CHANNEL, "general")
            url_out.send(slack.url)
            while not stop.is_set():
                await asyncio.sleep(0.1)

    asyncio.run(main())


def _signed(body: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def _requests(total: int, thread_ts: str, prefix: str) -> list[tuple[str, str]]:
    out = []
    base = time.time()
    for i in range(total):
        user = f"U{i % USERS:04d}"
        if i % 2:
            body = urlencode({"token": "t", "team_id": TEAM, "team_domain": "bench", "channel_id": CHANNEL,
                              "channel_name": "general", "user_id": user, "user_name": user, "command": "/prep",
                              "text": "stats", "api_app_id": "A1", "response_url": "http://127.0.0.1:9/",
                              "trigger_id": f"{i}.1"})
            out.append((body, "application/x-www-form-urlencoded"))
        else:
            ts = f"{base + i / 1000:.6f}"
            event = {"type": "message", "channel": CHANNEL, "user": user, "text": f"answer {i}: canary and batching",
                     "ts": ts, "event_ts": ts, "thread_ts": thread_ts, "team": TEAM, "channel_type": "channel"}
            body = json.dumps({"token": "t", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback",
                               "event_id": f"Ev{prefix}{i}", "event_time": int(base), "event": event,
                               "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}]})
            out.append((body, "application/json"))
    return out


def _load(url: str, requests: list[tuple[str, str]], concurrency: int, out: Any) -> None:
    import aiohttp

    async def main() -> None:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        queue = list(reversed(requests))
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def worker() -> None:
                while queue:
                    body, content_type = queue.pop()
                    headers = {"Content-Type": content_type, **_signed(body)}
                    began = time.perf_counter()
                    async with session.post(url, data=body.encode(), headers=headers) as response:
                        await response.read()
                        statuses[response.status] = statuses.get(response.status, 0) + 1
                    latencies.append(time.perf_counter() - began)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
        out.send((len(latencies) / elapsed, latencies, statuses))

    asyncio.run(main())


def _drive(url: str, requests: list[tuple[str, str]], concurrency: int) -> tuple[float, list[float], dict[int, int]]:
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=_load, args=(url, requests, concurrency, send))
    process.start()
    result: tuple[float, list[float], dict[int, int]] = receive.recv()
    process.join()
    return result


async def _bare_app(api_url: str) -> tuple[Any, str]:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.app.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(client=AsyncWebClient(token=f"xoxb-{TEAM}", base_url=api_url), signing_secret=SECRET)

    @app.command("/prep")
    async def ack_only(ack: Any) -> None:
        await ack()

    @app.event("message")
    async def ignore(body: Any) -> None:
        return None

    async def dispatch(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", dispatch)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/slack/events"


def _summary(name: str, rate: float, latencies: list[float], statuses: dict[int, int]) -> str:
    latencies = sorted(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000
    return f"{name:<34} {rate:8,.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   statuses {statuses}"


async def _main(args: argparse.Namespace) -> None:
    import logging

    # The benchmark's answers reply to threads the fake never saw, so their reactions fail: expected, not news.
    logging.getLogger("prepbot").setLevel(logging.ERROR)
    from adapters.serve import running
    from bot.config import Settings
    from bot.domain.model import ChannelAddress

    receive, send = multiprocessing.Pipe(duplex=False)
    stop = multiprocessing.Event()
    fake = multiprocessing.Process(target=_fake_slack, args=(send, stop), daemon=True)
    fake.start()
    fake_url = receive.recv()
    api_url = f"{fake_url}/api/"
    try:
        bare_runner, bare_url = await _bare_app(api_url)
        with tempfile.TemporaryDirectory() as folder:
            settings = replace(Settings(), database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
                               slack_api_url=api_url, slack_signing_secret=SECRET, slack_bot_token=f"xoxb-{TEAM}",
                               slack_mode="http", slack_channel_interval=0.0, http_host="127.0.0.1", http_port=0,
                               practice_window="8h", log_level="WARNING")
            async with running(settings, tick=False) as live:
                prep_url = f"{live.http_url}/slack/events"
                setup = _requests(0, "", "setup")
                body = urlencode({"team_id": TEAM, "channel_id": CHANNEL, "channel_name": "general",
                                  "user_id": "UADMIN", "user_name": "admin", "command": "/prep", "text": "random",
                                  "response_url": "http://127.0.0.1:9/", "trigger_id": "1.1"})
                del setup
                import aiohttp

                async with aiohttp.ClientSession() as session:
                    headers = {"Content-Type": "application/x-www-form-urlencoded", **_signed(body)}
                    async with session.post(prep_url, data=body.encode(), headers=headers) as response:
                        assert response.status == 200, await response.text()
                thread = None
                for _ in range(500):
                    thread = await live.bot.thread_of(ChannelAddress("slack", TEAM, CHANNEL))
                    if thread:
                        break
                    await asyncio.sleep(0.01)
                assert thread, "the practice question was not posted"
                # Warm both up (every member speaks once, as in a team at work: their names are known), then
                # measure the bare app and prepbot under the same load.
                await asyncio.to_thread(_drive, bare_url, _requests(WARM_UP, thread[1], "wb"), args.concurrency)
                await asyncio.to_thread(_drive, prep_url, _requests(WARM_UP, thread[1], "wp"), args.concurrency)
                assert await live.slack.followups.drain(600), "follow-ups of the warm-up did not finish"
                cpu = time.process_time()
                bare = await asyncio.to_thread(_drive, bare_url, _requests(args.requests, thread[1], "b"),
                                               args.concurrency)
                bare_cpu, cpu = time.process_time() - cpu, time.process_time()
                prep = await asyncio.to_thread(_drive, prep_url, _requests(args.requests, thread[1], "p"),
                                               args.concurrency)
                prep_cpu = time.process_time() - cpu
                # Reactions and command replies follow the responses; wait for the last of them.
                began = time.perf_counter()
                assert await live.slack.followups.drain(600), "follow-ups did not finish"
                follow_up_seconds = time.perf_counter() - began
                async with live.bot.store.unit_of_work() as uow:
                    stored = await uow.answers.count_for_round(thread[0])
                    unanswered = await uow.inbox.pending_count()
        await bare_runner.cleanup()
    finally:
        stop.set()
        fake.join(timeout=5)
    print(f"{args.requests:,} signed requests per app (half /prep stats, half thread answers), "
          f"{args.concurrency} concurrent connections, loopback")
    print(_summary("bare slack-bolt app (ack only)", *bare))
    print(_summary("prepbot (answers durable first)", *prep))
    print(f"prepbot throughput: {prep[0] / bare[0]:.0%} of the bare app; answers stored: {stored:,} "
          f"(expected {(args.requests + WARM_UP) // 2:,} with the warm-up)")
    print(f"CPU per request in the app's process while it answered: bare {bare_cpu / args.requests * 1e6:.0f} µs, "
          f"prepbot {prep_cpu / args.requests * 1e6:.0f} µs")
    print(f"reactions and command replies: the last one {follow_up_seconds:.1f} s after the last response; "
          f"commands not yet run: {unanswered}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=50)
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
