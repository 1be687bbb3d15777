"""A console line starting with `#` is a comment.

It is skipped, printing nothing, wherever it stands; a `#` inside a reply is part of the reply."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.e2e.console import Transcript, run_console

pytestmark = pytest.mark.slow

SCRIPT = """\
:as alice
:at 2026-10-22 09:45
My answer: profile first, in C# or F# alike.
:as bob
Quantize it.
:vote alice
:at 2026-10-22 17:30
/prep leaderboard
:quit
"""

COMMENTED = """\
# a tour, with comments
:as alice
    # an indented comment, before any question is posted
:at 2026-10-22 09:45
# a comment where a reply would go
My answer: profile first, in C# or F# alike.
#:quit (commented out: the session goes on)
:as bob
# /prep unsubscribe
Quantize it.
:vote alice
#
:at 2026-10-22 17:30
/prep leaderboard
:quit
"""


def shown(transcript: Transcript) -> list[tuple[str, str, str | None]]:
    return [(record["kind"], record["text"], record.get("member")) for record in transcript.records]


def test_comment_lines_print_nothing_and_change_nothing(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "commented").mkdir()
    plain = run_console(tmp_path / "plain", tmp_path / "plain.db", SCRIPT, "--tz", "Europe/Berlin",
                        "--start", "2026-10-22T08:00")
    commented = run_console(tmp_path / "commented", tmp_path / "commented.db", COMMENTED, "--tz", "Europe/Berlin",
                            "--start", "2026-10-22T08:00")

    assert plain.returncode == commented.returncode == 0, plain.stderr + commented.stderr
    assert shown(commented) == shown(plain)
    assert commented.of_kind("error") == [] and len(commented.of_kind("ack")) == 2
    assert commented.of_kind("leaderboard"), "the session went on past the commented-out :quit"
    with sqlite3.connect(tmp_path / "commented.db") as connection:
        texts = [row[0] for row in connection.execute("select text from answer_parts order by id")]
    assert texts == ["My answer: profile first, in C# or F# alike.", "Quantize it."]
