"""prepbot's Slack HTTP mode under load, next to a bare slack-bolt app that only acks, in the same run.

    python bench/slack_http.py [--requests 4000] [--concurrency 50] [--rounds 5]

Half the requests are signed `/prep stats` slash commands, half are signed thread replies (answers) to an open
question. prepbot answers an event only after the answer is committed to SQLite, and acks a slash command only after
it is queued in SQLite; the reactions on answers and the replies to commands follow once the burst lets them (the
script waits for the last one and says when it came). The bare app acks everything at once. The fake Slack Web API and
the load generator run in their own processes. A second bare app acks from a bolt middleware instead of listeners:
prepbot takes `/prep` and messages that way, so this is the floor of what bolt itself costs on that route. The apps
take turns over several rounds, each round reversing the order, and a share is the median of the rounds' ratios: on
a shared machine the speed drifts from one second to the next, and only runs taken back to back compare fairly.
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
from dataclasses import dataclass
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
            # Each member's commands carry a response_url the fake answers, as Slack's do: replies go through it.
            response_urls = {user: slack.slash_command(TEAM, CHANNEL, user)["response_url"]
                             for user in ["UADMIN", *(f"U{i:04d}" for i in range(USERS))]}
            url_out.send((slack.url, response_urls))
            while not stop.is_set():
                await asyncio.sleep(0.1)

    asyncio.run(main())


def _signed(body: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def _requests(total: int, thread_ts: str, prefix: str, response_urls: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    base = time.time()
    for i in range(total):
        user = f"U{i % USERS:04d}"
        if i % 2:
            body = urlencode({"token": "t", "team_id": TEAM, "team_domain": "bench", "channel_id": CHANNEL,
                              "channel_name": "general", "user_id": user, "user_name": user, "command": "/prep",
                              "text": "stats", "api_app_id": "A1", "response_url": response_urls[user],
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


async def _bare_app(api_url: str, *, in_middleware: bool = False) -> tuple[Any, str]:
    """A slack-bolt app that only acks: through listeners, as bolt's documentation writes one, or (with
    `in_middleware`) from a middleware, the route prepbot's `/prep` and messages take."""
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.app.async_app import AsyncApp
    from slack_bolt.response import BoltResponse
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(client=AsyncWebClient(token=f"xoxb-{TEAM}", base_url=api_url), signing_secret=SECRET)
    if in_middleware:

        @app.middleware
        async def ack_all(next_: Any) -> BoltResponse:
            return BoltResponse(status=200, body="")

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


@dataclass
class _Run:
    rate: float  # requests per second
    latencies: list[float]  # seconds
    statuses: dict[int, int]
    cpu: float  # seconds of the app process's CPU per request


def _summary(name: str, runs: list[_Run]) -> str:
    latencies = sorted(latency for run in runs for latency in run.latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000
    statuses: dict[int, int] = {}
    for run in runs:
        for status, count in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    rate = statistics.median(run.rate for run in runs)
    return f"{name:<34} {rate:8,.0f} req/s (median)   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   statuses {statuses}"


async def _main(args: argparse.Namespace) -> None:
    import logging

    # The benchmark's answers reply to threads the fake never saw, so their reactions fail: expected, not news.
    logging.getLogger("prepbot").setLevel(logging.ERROR)
    from bot.domain.model import ChannelAddress
    from entrypoints.serve import running
    from entrypoints.settings import configured

    receive, send = multiprocessing.Pipe(duplex=False)
    stop = multiprocessing.Event()
    fake = multiprocessing.Process(target=_fake_slack, args=(send, stop), daemon=True)
    fake.start()
    fake_url, response_urls = receive.recv()
    api_url = f"{fake_url}/api/"
    results: dict[str, list[_Run]] = {"bare": [], "prep": [], "lean": []}
    follow_ups: list[float] = []
    try:
        bare_runner, bare_url = await _bare_app(api_url)
        lean_runner, lean_url = await _bare_app(api_url, in_middleware=True)
        with tempfile.TemporaryDirectory() as folder:
            settings = configured(database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
                                  slack_api_url=api_url, slack_signing_secret=SECRET, slack_bot_token=f"xoxb-{TEAM}",
                                  slack_mode="http", slack_channel_interval=0.0, http_host="127.0.0.1", http_port=0,
                                  practice_window="8h", log_level="WARNING")
            async with running(settings, tick=False) as live:
                prep_url = f"{live.http_url}/slack/events"
                body = urlencode({"team_id": TEAM, "channel_id": CHANNEL, "channel_name": "general",
                                  "user_id": "UADMIN", "user_name": "admin", "command": "/prep", "text": "random",
                                  "response_url": response_urls["UADMIN"], "trigger_id": "1.1"})
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
                # Warm every app up (every member speaks once, as in a team at work: their names are known), then
                # measure them under the same load, in rounds that reverse the order: this machine's speed drifts,
                # and only runs taken back to back compare fairly.
                urls = {"bare": bare_url, "lean": lean_url, "prep": prep_url}
                for name, url in urls.items():
                    warm_up = _requests(WARM_UP, thread[1], f"w{name}", response_urls)
                    await asyncio.to_thread(_drive, url, warm_up, args.concurrency)
                assert await live.slack.followups.drain(600), "follow-ups of the warm-up did not finish"
                for round_number in range(args.rounds):
                    order = list(urls) if round_number % 2 == 0 else list(reversed(urls))
                    for name in order:
                        url = urls[name]
                        load = _requests(args.requests, thread[1], f"{name}{round_number}-", response_urls)
                        cpu = time.process_time()
                        rate, latencies, statuses = await asyncio.to_thread(_drive, url, load, args.concurrency)
                        used = time.process_time() - cpu
                        results[name].append(_Run(rate, latencies, statuses, used / args.requests))
                        if name == "prep":
                            # Reactions and command replies follow the responses; wait for the last of them
                            # before anything else is measured.
                            began = time.perf_counter()
                            assert await live.slack.followups.drain(600), "follow-ups did not finish"
                            follow_ups.append(time.perf_counter() - began)
                async with live.bot.store.unit_of_work() as uow:
                    stored = await uow.answers.count_for_round(thread[0])
                    unanswered = await uow.inbox.pending_count()
        await bare_runner.cleanup()
        await lean_runner.cleanup()
    finally:
        stop.set()
        fake.join(timeout=5)
    bare, lean, prep = results["bare"], results["lean"], results["prep"]
    ratios = [p.rate / b.rate for b, p in zip(bare, prep)]
    lean_ratios = [p.rate / b.rate for b, p in zip(lean, prep)]
    print(f"{args.requests:,} signed requests per app and round (half /prep stats, half thread answers), "
          f"{args.concurrency} concurrent connections, loopback, {args.rounds} rounds")
    print(_summary("bare slack-bolt app (ack only)", bare))
    print(_summary("bare app acking in a middleware", lean))
    print(_summary("prepbot (answers durable first)", prep))
    print(f"prepbot throughput: {statistics.median(ratios):.0%} of the bare app (median of the rounds; each round: "
          f"{', '.join(f'{r:.0%}' for r in ratios)})")
    print(f"prepbot throughput: {statistics.median(lean_ratios):.0%} of the bare app that acks in a middleware "
          f"(each round: {', '.join(f'{r:.0%}' for r in lean_ratios)})")
    print(f"answers stored: {stored:,} (expected {(args.rounds * args.requests + WARM_UP) // 2:,} with the warm-up)")
    print(f"CPU per request in the app's process while it answered (median): "
          f"bare {statistics.median(r.cpu for r in bare) * 1e6:.0f} µs, "
          f"bare in a middleware {statistics.median(r.cpu for r in lean) * 1e6:.0f} µs, "
          f"prepbot {statistics.median(r.cpu for r in prep) * 1e6:.0f} µs")
    print(f"reactions and command replies: the last one at most {max(follow_ups):.1f} s after the last response; "
          f"commands not yet run: {unanswered}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
