"""The `prepbot` command: every subcommand, each wiring the core to the adapters it needs."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.discord.settings import DiscordSettings
from bot.config import ConfigError, Settings, hide_password, machine_timezone
from bot.domain.questions import Level
from bot.domain.timeparse import ParseError, canonical_zone
from bot.logs import configure_logging
from bot.questions import PackError, grading_problems, load_bank, load_pack, pack_files
from entrypoints.settings import Configuration, load_settings

log = logging.getLogger("prepbot")

CONSOLE_DATABASE = "prepbot-console.db"  # the console's own file, in the current folder: never a server's database


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prepbot", description="A question of the day for interview practice.")
    sub = parser.add_subparsers(dest="command", required=True)

    console = sub.add_parser("console", help="play in a local console channel (no tokens, no server)")
    console.add_argument("--db", help=f"SQLite file to keep the channel in (default: ./{CONSOLE_DATABASE}; never "
                                      "the configured database)")
    console.add_argument("--tz", help="the channel's IANA time zone (default: this machine's)")
    console.add_argument("--start", help="start the clock at this local time, YYYY-MM-DDTHH:MM; it then moves "
                                          "only with :advance and :at")
    console.add_argument("--json", action="store_true", help="print one JSON object per line")
    console.add_argument("--as", dest="member", default="you", help="the member you speak as (default: you)")

    sub.add_parser("run", help="run the bot on the configured platforms (Slack, Discord); `prepbot console` for a "
                               "local try")

    questions = sub.add_parser("questions", help="question packs")
    qsub = questions.add_subparsers(dest="action", required=True)
    validate = qsub.add_parser("validate", help="check a pack file or folder (default: every configured pack)")
    validate.add_argument("path", nargs="?")
    listing = qsub.add_parser("list", help="list the loaded questions")
    listing.add_argument("--level", help="only this level")
    sheet_in = qsub.add_parser("import", help="make a pack of a CSV or Markdown question sheet (checked before it "
                                              "is written)")
    sheet_in.add_argument("file", metavar="FILE", help="the sheet: a .csv or .md file (questions/README.md)")
    sheet_in.add_argument("--output", metavar="PACK.yaml", help="write the pack here (default: stdout)")
    sheet_in.add_argument("--level", metavar="LEVEL", help="the level of questions whose sheet names none")
    sheet_in.add_argument("--format", choices=["csv", "md"], help="the sheet's format (default: its extension)")
    sheet_in.add_argument("--pack", dest="pack_name", metavar="NAME", help="the pack's name (default: the sheet's "
                                                                            "file name)")
    sheet_in.add_argument("--title", help="the pack's title (default: the sheet's '# Title', else the name)")
    sheet_out = qsub.add_parser("export-sheet", help="write a pack as a CSV or Markdown sheet to edit")
    sheet_out.add_argument("pack_file", metavar="PACK", help="a YAML pack file")
    sheet_out.add_argument("--format", choices=["csv", "md"], help="default: the --output extension, else csv")
    sheet_out.add_argument("--output", metavar="FILE", help="write the sheet here (default: stdout)")

    channel_help = "platform:workspace:channel (e.g. slack:T123:C456, console:local:console) or a channel name"
    export = sub.add_parser("export", help="a channel's answers and points over a range of dates")
    export.add_argument("--channel", required=True, help=channel_help)
    export.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first local date (default: 6 days "
                                                                           "before --to)")
    export.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last local date (default: today in the "
                                                                        "channel's time zone)")
    export.add_argument("--format", choices=["csv", "json"], required=True,
                        help="csv: a row per round and member; json: every round with its answers and points")
    export.add_argument("--output", metavar="FILE", help="write here (default: stdout)")

    board = sub.add_parser("leaderboard", help="a channel's board, as /prep leaderboard shows it")
    board.add_argument("--channel", required=True, help=channel_help)
    board.add_argument("--period", default="week", help="week (default), month, all, or a level (this week's "
                                                         "board of that level)")
    board.add_argument("--level", help="only points from rounds of this level")

    rounds = sub.add_parser("rounds", help="the rounds prepbot ran")
    rsub = rounds.add_subparsers(dest="action", required=True)
    recent = rsub.add_parser("list", help="the most recent rounds, newest first")
    recent.add_argument("--channel", help=channel_help + " (default: every channel)")
    recent.add_argument("--limit", type=int, default=20, help="how many rounds (default: 20)")

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
    """Runs the `prepbot` command line `argv` (the process's arguments by default); returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        configuration = load_settings()
    except ConfigError as error:
        return _fail(str(error))
    settings = configuration.core
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    if args.command != "run" and "PREPBOT_LOG_LEVEL" not in os.environ:
        level = logging.WARNING  # the console and the tools show what happens; logs would only clutter them
    configure_logging(level, settings.log_format, secrets=configuration.secrets())
    try:
        if args.command == "questions":
            return _questions(args, settings)
        if args.command == "config":
            print(json.dumps(configuration.shown(), indent=2, default=str))
            return 0
        if args.command == "db":
            return asyncio.run(_db_upgrade(settings))
        if args.command == "console":
            return asyncio.run(_console(args, settings))
        if args.command == "run":
            return asyncio.run(_run(configuration))
        if args.command == "discord":
            return asyncio.run(_discord_sync(configuration.discord, args.guild))
        if args.command in ("export", "leaderboard", "rounds"):
            from bot.admin.commands import run_admin

            return asyncio.run(run_admin(args, settings))
    except PackError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return 130
    return _fail(f"unknown command {args.command}")


def _questions(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bootstrap import question_folders

    if args.action in ("import", "export-sheet"):
        from bot.admin.commands import run_sheet_command

        return run_sheet_command(args)
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
                    questions = load_pack(file)
                except PackError as error:
                    errors.append(str(error))
                    continue
                count += len(questions)
                errors += [str(problem) for problem in grading_problems(file, questions)]
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
    from bot.store.engine import database_problem, make_engine, upgrade

    try:
        engine = make_engine(settings.database_url)
    except OSError as error:
        return _database_failed(settings, f"{type(error).__name__}: {error}")
    try:
        await upgrade(engine)
    except Exception as error:
        problem = database_problem(error)
        if problem is None:
            raise
        return _database_failed(settings, problem)
    finally:
        await engine.dispose()
    print("database is at the latest schema")
    return 0


def _database_failed(settings: Settings, problem: str) -> int:
    """One line: what failed, where, and what to do."""
    return _fail(f"cannot use the database at {hide_password(settings.database_url)} ({problem}); check "
                 "PREPBOT_DATABASE_URL and that the database server is running and accepts connections", 1)


async def _console(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.console.chat import ConsoleChat
    from adapters.console.session import ConsoleSession, stdin_is_terminal
    from adapters.judge.openai import judge_from
    from bot.bootstrap import bootstrap
    from bot.clock import FakeClock, TravelClock
    from entrypoints.waker import Waker

    tz = args.tz or settings.timezone if args.tz or settings.timezone != "UTC" else machine_timezone()
    try:
        tz = canonical_zone(tz)
    except ParseError as error:
        return _fail(str(error))
    database = Path(args.db or CONSOLE_DATABASE).expanduser().absolute()
    settings = replace(settings, database_url=f"sqlite+aiosqlite:///{database}")
    clock: FakeClock | TravelClock
    if args.start:
        try:
            start = datetime.strptime(args.start, "%Y-%m-%dT%H:%M").replace(tzinfo=ZoneInfo(tz))
        except ValueError:
            return _fail(f"--start '{args.start}' is not a local time; use YYYY-MM-DDTHH:MM")
        clock = FakeClock(start)
    else:
        clock = TravelClock()
    chosen = "" if args.db else " (--db FILE for another)"
    print(f"prepbot console: the channel is kept in {database}{chosen}", file=sys.stderr)
    chat = ConsoleChat(clock=clock, tz=tz, as_json=args.json)
    judge = judge_from(settings)
    bot = bootstrap(settings, chat, clock, judge=judge, monotonic=time.monotonic)
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
        if judge is not None:
            await judge.close()
    return 0


async def _run(configuration: Configuration) -> int:
    from adapters.slack.settings import SlackSettingsError
    from entrypoints.serve import NothingToServe, serve

    try:
        await serve(configuration)
    except (SlackSettingsError, NothingToServe) as error:
        return _fail(str(error))
    return 0


async def _discord_sync(settings: DiscordSettings, guild: int | None) -> int:
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
