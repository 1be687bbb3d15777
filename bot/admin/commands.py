"""The admin commands of `prepbot`: arguments in, text on stdout (or in a file), problems as one line on stderr.

`prepbot export`, `prepbot leaderboard` and `prepbot rounds list` read the configured database (nothing is created
or migrated); `prepbot questions import` and `prepbot questions export-sheet` turn sheets into packs and back.
Exit codes: 0 done, 1 the database or a file cannot be used, 2 a name or value given on the command line is wrong.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from bot.admin.channels import UNAVAILABLE, AdminError, open_store, resolve_channel
from bot.admin.export import default_range, export_channel, export_csv, export_json
from bot.admin.reports import board_period, board_text, channel_board, recent_rounds, rounds_text
from bot.clock import SystemClock
from bot.config import Settings
from bot.question_sheets import SheetError, export_sheet, import_sheet, level_named, write_atomically
from bot.questions import PackError, QuestionBank, load_bank
from bot.store.unit_of_work import Store
from bot.wording import plural

def _problem(message: str) -> None:
    print(f"prepbot: {message}", file=sys.stderr)


def _emit(text: str, output: str | None, what: str) -> None:
    """`text` to stdout, or written to the file `output` (all at once) with a note on stderr."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomically(Path(output), text)
    print(f"prepbot: wrote {what} to {output}", file=sys.stderr)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AdminError(f"{option} '{text}' is not a date; use YYYY-MM-DD") from None


async def run_admin(args: argparse.Namespace, settings: Settings, now: datetime | None = None) -> int:
    """Runs `prepbot export`, `prepbot leaderboard` or `prepbot rounds list` as parsed into `args`.

    Returns the exit code: 0, or the AdminError's code (1 or 2) after printing its one line on stderr.
    """
    now = now or SystemClock().now()
    try:
        first, last = _date(getattr(args, "first", None), "--from"), _date(getattr(args, "last", None), "--to")
        store = await open_store(settings.database_url)
        try:
            if args.command == "export":
                await _export(args, settings, store, now, first, last)
            elif args.command == "leaderboard":
                period, level = board_period(args.period, args.level)
                channel = await resolve_channel(store, args.channel)
                card = await channel_board(store, channel, period, level, now=now)
                sys.stdout.write(board_text(card, channel))
            else:
                only = await resolve_channel(store, args.channel) if args.channel else None
                sys.stdout.write(rounds_text(await recent_rounds(store, only, args.limit, now=now)))
        finally:
            await store.close()
    except AdminError as error:
        _problem(str(error))
        return error.code
    except OSError as error:
        _problem(f"cannot write {getattr(error, 'filename', None) or 'the output'}: {error.strerror or error}")
        return UNAVAILABLE
    return 0


def _bank(settings: Settings) -> QuestionBank | None:
    from bot.bootstrap import question_folders

    try:
        return load_bank(question_folders(settings))
    except PackError as error:
        _problem(f"warning: the export has no question texts, a pack is broken: {error}")
        return None


async def _export(args: argparse.Namespace, settings: Settings, store: Store, now: datetime,
                  first: date | None, last: date | None) -> None:
    channel = await resolve_channel(store, args.channel)
    first, last = default_range(channel, now, first, last)
    if first > last:
        raise AdminError(f"--from {first} is after --to {last}")
    export = await export_channel(store, channel, first, last, now=now, bank=_bank(settings))
    text = export_json(export) if args.format == "json" else export_csv(export)
    answers = sum(len(r.answers) for r in export.rounds)
    rounds = plural(len(export.rounds), "round")
    _emit(text, args.output, f"{plural(answers, 'answer')} in {rounds} ({first} to {last})")


def run_sheet_command(args: argparse.Namespace) -> int:
    """Runs `prepbot questions import` or `prepbot questions export-sheet` as parsed into `args`.

    Returns the exit code: 0; 1 when the sheet or pack is broken (the one line on stderr names the file, the row,
    line or question, and the field; nothing is written); 2 when an option's value is wrong.
    """
    try:
        if args.action == "import":
            level = None
            if args.level is not None:
                level = level_named(args.level)
                if level is None:
                    raise AdminError(f"--level '{args.level}' is not a level")
            pack = import_sheet(Path(args.file), fmt=args.format, pack=args.pack_name, title=args.title,
                                default_level=level)
            _emit(pack.text, args.output, f"{plural(len(pack.questions), 'question')} (pack {pack.pack})")
        else:
            fmt = args.format or (Path(args.output).suffix.lstrip(".") if args.output else "") or "csv"
            text = export_sheet(Path(args.pack_file), fmt)
            _emit(text, args.output, f"the {fmt} sheet of {args.pack_file}")
    except (SheetError, PackError) as error:
        _problem(str(error))
        return 1
    except AdminError as error:
        _problem(str(error))
        return error.code
    except OSError as error:
        _problem(f"cannot write {getattr(error, 'filename', None) or 'the output'}: {error.strerror or error}")
        return 1
    return 0
