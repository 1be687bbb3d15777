"""The `prepbot` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import ConfigError, Settings, load_settings, machine_timezone
from bot.domain.questions import Level
from bot.domain.timeparse import ParseError, canonical_zone
from bot.questions import PackError, load_bank, load_pack, pack_files

log = logging.getLogger("prepbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prepbot", description="A question of the day for interview practice.")
    sub = parser.add_subparsers(dest="command", required=True)

    console = sub.add_parser("console", help="play in a local console channel (no tokens, no server)")
    console.add_argument("--db", help="SQLite file to keep the channel in (default: the configured database)")
    console.add_argument("--tz", help="the channel's IANA time zone (default: this machine's)")
    console.add_argument("--start", help="start the clock at this local time, YYYY-MM-DDTHH:MM; it then moves "
                                          "only with :advance and :at")
    console.add_argument("--json", action="store_true", help="print one JSON object per line")
    console.add_argument("--as", dest="member", default="you", help="the member you speak as (default: you)")

    sub.add_parser("run", help="run the bot on the configured platforms (the console channel when none is set)")

    questions = sub.add_parser("questions", help="question packs")
    qsub = questions.add_subparsers(dest="action", required=True)
    validate = qsub.add_parser("validate", help="check a pack file or folder (default: every configured pack)")
    validate.add_argument("path", nargs="?")
    listing = qsub.add_parser("list", help="list the loaded questions")
    listing.add_argument("--level", help="only this level")

    db = sub.add_parser("db", help="the database")
    dsub = db.add_subparsers(dest="action", required=True)
    dsub.add_parser("upgrade", help="create or upgrade the schema to the latest migration")

    discord_parser = sub.add_parser("discord", help="Discord")
    discord_sub = discord_parser.add_subparsers(dest="action", required=True)
    sync = discord_sub.add_parser("sync", help="register /prep and /prep-admin (globally, or in one server)")
    sync.add_argument("--guild", type=int, help="a server id: register there only, at once (for development)")

    config = sub.add_parser("config", help="settings")
    csub = config.add_subparsers(dest="action", required=True)
    csub.add_parser("show", help="print the effective settings (secrets hidden)")
    return parser


def _fail(message: str, code: int = 2) -> int:
    print(f"prepbot: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        return _fail(str(error))
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    if args.command == "console" and "PREPBOT_LOG_LEVEL" not in os.environ:
        level = logging.WARNING  # the console shows what happens; logs would only clutter it
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))
    try:
        if args.command == "questions":
            return _questions(args, settings)
        if args.command == "config":
            print(json.dumps(settings.shown(), indent=2, default=str))
            return 0
        if args.command == "db":
            return asyncio.run(_db_upgrade(settings))
        if args.command == "console":
            return asyncio.run(_console(args, settings))
        if args.command == "run":
            return asyncio.run(_run(settings))
        if args.command == "discord":
            return asyncio.run(_discord_sync(settings, args.guild))
    except PackError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return 130
    return _fail(f"unknown command {args.command}")


def _questions(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bootstrap import question_folders

    if args.action == "validate":
        paths = [Path(args.path)] if args.path else question_folders(settings)
        count = 0
        errors = []
        for path in paths:
            try:
                files = pack_files(path)
            except PackError as error:
                errors.append(str(error))
                continue
            for file in files:
                try:
                    count += len(load_pack(file))
                except PackError as error:
                    errors.append(str(error))
        if not errors and not args.path:
            load_bank(paths)  # ids must also be unique across packs
        for problem in errors:
            print(f"prepbot: {problem}", file=sys.stderr)
        if errors:
            return 1
        print(f"OK: {count} questions in {', '.join(str(p) for p in paths)}")
        return 0
    bank = load_bank(question_folders(settings))
    level = None
    if args.level:
        level = Level.parse(args.level)
        if level is None:
            known = ", ".join(level.value for level in Level)
            return _fail(f"'{args.level}' is not a level ({known})")
    for question in bank.all():
        if level is None or question.level is level:
            print(f"{question.id:<18} {question.level.value:<13} {question.question}")
    return 0


async def _db_upgrade(settings: Settings) -> int:
    from bot.store.engine import make_engine, upgrade

    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("database is at the latest schema")
    return 0


async def _console(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.console.chat import ConsoleChat
    from adapters.console.session import ConsoleSession, stdin_is_terminal
    from bot.bootstrap import bootstrap
    from bot.clock import FakeClock, TravelClock
    from bot.scheduler import Waker

    tz = args.tz or settings.timezone if args.tz or settings.timezone != "UTC" else machine_timezone()
    try:
        tz = canonical_zone(tz)
    except ParseError as error:
        return _fail(str(error))
    if args.db:
        settings = replace(settings, database_url=f"sqlite+aiosqlite:///{Path(args.db).expanduser()}")
    clock: FakeClock | TravelClock
    if args.start:
        try:
            start = datetime.strptime(args.start, "%Y-%m-%dT%H:%M").replace(tzinfo=ZoneInfo(tz))
        except ValueError:
            return _fail(f"--start '{args.start}' is not a local time; use YYYY-MM-DDTHH:MM")
        clock = FakeClock(start)
    else:
        clock = TravelClock()
    chat = ConsoleChat(clock=clock, tz=tz, as_json=args.json)
    bot = bootstrap(settings, chat, clock)
    session = ConsoleSession(bot, chat, clock, tz, args.member)
    waker = Waker(bot.run_due, settings.tick_seconds) if isinstance(clock, TravelClock) else None
    try:
        await bot.start()
        await session.ensure_subscribed()
        if waker:
            waker.start()
        await session.run(sys.stdin, interactive=stdin_is_terminal())
    finally:
        if waker:
            await waker.stop()
        await bot.close()
    return 0


async def _run(settings: Settings) -> int:
    from adapters.serve import NothingToServe, serve
    from adapters.slack.app import SlackSettingsError

    try:
        await serve(settings)
    except SlackSettingsError as error:
        return _fail(str(error))
    except NothingToServe as error:
        if not sys.stdin.isatty():
            return _fail(f"{error}; set one, or run `prepbot console` for the local channel")
        print(f"{error}: running the local console channel instead.", file=sys.stderr)
        return await _console(_parser().parse_args(["console"]), settings)
    return 0


async def _discord_sync(settings: Settings, guild: int | None) -> int:
    if not settings.discord_token:
        return _fail("DISCORD_TOKEN is not set")
    from adapters.discord.chat import DiscordChat
    from adapters.discord.connect import DiscordConnection, new_client, point_at

    point_at(settings)
    client = new_client(settings, message_content=False)
    connection = DiscordConnection(settings, DiscordChat(client), client)
    try:
        await client.login(settings.discord_token)
        count = await connection.sync_commands(guild)
    finally:
        await client.close()
    where = f"server {guild}" if guild else "every server (global commands can take up to an hour to appear)"
    print(f"registered {count} command groups for {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
