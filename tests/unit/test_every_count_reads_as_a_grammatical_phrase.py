"""Every count in the core's words is a grammatical phrase: 1 round, 3 answers, 0 days; never `round(s)`."""

from __future__ import annotations

import pytest

from bot.cards import BoardLine, LeaderboardCard, RevealCard, StatsCard, Tally
from bot.wording import Document, Paragraph, Part, Text, board, plain, plural, reveal, stats


def lines(doc: Document) -> list[Text]:
    """The lines of the document's paragraphs."""
    return [line for part in doc.parts if isinstance(part, Part) for block in part.blocks
            if isinstance(block, Paragraph) for line in block.lines]


@pytest.mark.parametrize(("count", "noun", "said"), [
    (0, "round", "0 rounds"),
    (1, "round", "1 round"),
    (2, "round", "2 rounds"),
    (1, "answer", "1 answer"),
    (3, "answer", "3 answers"),
    (1, "day", "1 day"),
    (21, "day", "21 days"),
])
def test_a_count_takes_the_singular_for_exactly_one_and_the_plural_otherwise(count: int, noun: str, said: str) -> None:
    assert plural(count, noun) == said


def test_a_noun_whose_plural_is_not_an_added_s_is_given_its_plural() -> None:
    assert plural(1, "reply", "replies") == "1 reply"
    assert plural(2, "reply", "replies") == "2 replies"


@pytest.mark.parametrize(("answers", "said"), [(1, "1 answer: 1 on time"), (3, "3 answers: 3 on time")])
def test_a_reveal_counts_its_answers_in_words(answers: int, said: str) -> None:
    doc = reveal(RevealCard(4, "q", "How?", "Profile.", ("A",), (), Tally(answers, answers, 0, 0.5)))
    assert plain(doc.notes[-1]).startswith(said)


def test_stats_count_one_day_and_one_round_in_the_singular() -> None:
    doc = stats(StatsCard("eve", 10, (("participation", 10),), 10, 1, 1, (("Behavioral", 0.5, 1),)))
    shown = [plain(line) for line in lines(doc)]
    assert "Streak: 1 day · rounds answered: 1" in shown
    assert "Behavioral: 50% of key points over 1 round" in shown


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_no_card_hedges_a_plural(count: int) -> None:
    texts = [
        *reveal(RevealCard(4, "q", "How?", "Profile.", ("A",), (), Tally(count, count, 0, 0.5))).notes,
        *lines(stats(StatsCard("eve", 10, (), 10, count, count, (("Behavioral", 0.5, count),)))),
        *lines(board(LeaderboardCard("Board", "all time", (BoardLine(1, "ada", 5, count),)))),
    ]
    assert texts and not [plain(text) for text in texts if "(s)" in plain(text)]


def test_a_single_point_is_one_point_on_the_board_in_the_stats_and_in_the_reveal() -> None:
    (line,) = lines(board(LeaderboardCard("Board", "all time", (BoardLine(1, "ada", 1, 1),))))
    assert plain(line).endswith("ada · 1 pt (1 round)")
    doc = stats(StatsCard("eve", 1, (("votes", 1),), 1, 0, 1))
    assert doc.summary == "Your stats: 1 point"
    assert plain(lines(doc)[0]) == "1 point all time (votes 1); 1 this week"
