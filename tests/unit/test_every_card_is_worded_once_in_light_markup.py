"""Every card is worded once, in light markup.

Every word a member reads is written once, in bot/wording.py: each card becomes a document in light markup, and
text members wrote is never read as markup."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.cards import (
    AnswerFeedback,
    AwardLine,
    BoardLine,
    Card,
    HelpCard,
    LeaderboardCard,
    Notice,
    NoticeKind,
    NudgeCard,
    QuestionCard,
    ReminderCard,
    RevealCard,
    StatsCard,
    Tally,
)
from bot.domain.matching import PointCoverage, PointStatus
from bot.wording import (
    Bullets,
    CommandSpelling,
    Mark,
    Moment,
    Paragraph,
    Part,
    Rank,
    Rule,
    Span,
    Surface,
    Symbol,
    Text,
    board,
    document,
    help_text,
    notice,
    plain,
    question,
    reminder,
    reveal,
    stats,
    words,
)

DEADLINE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)


def lines_of(part: Part | Rule) -> list[Text]:
    assert isinstance(part, Part)
    found: list[Text] = []
    for block in part.blocks:
        if isinstance(block, Bullets):
            found += [block.intro, *block.items]
        else:
            found += list(block.lines)
    return found


# ---- the light markup ----


def test_bold_italic_and_code_in_a_template_become_styled_spans() -> None:
    assert words("*bold* _italic_ `code *kept*`") == (
        Span("bold", bold=True), Span(" "), Span("italic", italic=True), Span(" "), Span("code *kept*", code=True))


def test_a_value_is_never_read_as_markup_and_takes_the_style_around_it() -> None:
    assert words("*{name}* wrote {text}", name="_ada_", text="*not bold* `x`") == (
        Span("_ada_", bold=True), Span(" wrote *not bold* `x`"))


def test_neighbouring_words_of_one_style_are_one_span() -> None:
    assert words(" · *{points} pts*", points=25) == (Span(" · "), Span("25 pts", bold=True))


def test_a_backslash_keeps_a_markup_character_as_it_is() -> None:
    assert words(r"a \* b") == (Span("a * b"),)


def test_an_unclosed_marker_is_refused() -> None:
    with pytest.raises(ValueError, match="unclosed"):
        words("*never closed")


# ---- each card's words ----


def question_card(**changes: object) -> QuestionCard:
    values: dict[str, object] = dict(round_id=3, question_id="b-01", level_label="Behavioral",
                                     question="Tell me about a time.", deadline_at=DEADLINE, tz="Europe/Berlin")
    values.update(changes)
    return QuestionCard(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("changes, title", [
    ({}, "Question of the day · Behavioral"),
    ({"practice": True, "requested_by": "ben"}, "Practice question for ben · Behavioral"),
    ({"practice": True}, "Practice question · Behavioral"),
    ({"practice": True, "requested_by": None}, "Practice question · Behavioral"),
    ({"closed": True}, "Closed: Behavioral question"),
])
def test_a_question_is_titled_by_its_kind_and_level_and_never_for_nobody(changes: dict[str, object],
                                                                         title: str) -> None:
    doc = question(question_card(**changes), Surface())
    assert doc.title == title
    assert "None" not in doc.title
    assert doc.summary == f"{title}: Tell me about a time."


def test_an_open_question_says_when_answers_close_and_how_to_answer_on_each_surface() -> None:
    card = question_card()
    threaded = question(card, Surface())
    assert [(f.name, f.value) for f in threaded.fields] == [("Answers close", (Moment(DEADLINE, "Europe/Berlin"),))]
    assert plain(threaded.footer) == ("Reply in this thread before the deadline. Several replies add up; edit or "
                                      "delete them freely.")
    assert plain(question(card, Surface(answer_button=True)).footer).startswith(
        "Reply in this thread (or press Answer) before the deadline.")
    assert plain(question(card, Surface(threads=False)).footer).startswith("Reply by typing a line before")
    assert lines_of(threaded.parts[0]) == [(Span("Tell me about a time."),)]


def test_a_reminder_points_to_the_thread_or_to_the_private_path_the_round_is_answered_by() -> None:
    in_thread = ReminderCard(1, DEADLINE, "UTC", timedelta(hours=2), 3)
    private = ReminderCard(1, DEADLINE, "UTC", timedelta(hours=2), 3, private=True)

    assert plain(lines_of(reminder(in_thread, Surface()).parts[0])[0]) == (
        "Reminder: 2 h left · 3 answers so far. Not answered yet? Reply in this thread.")
    for surface, path in ((Surface(), "Press Answer privately"), (Surface(private_answer="press *Answer*"),
                                                                   "Press Answer")):
        said = plain(lines_of(reminder(private, surface).parts[0])[0])
        assert said == (f"Reminder: 2 h left · 3 answers so far. Not answered yet? {path} to answer: nobody sees "
                        "your answer before the reveal.")
        assert "thread" not in said


def test_a_closed_question_says_when_answers_closed_and_where_the_feedback_is() -> None:
    doc = question(question_card(closed=True), Surface())
    assert [f.name for f in doc.fields] == ["Answers closed"]
    assert plain(doc.footer) == "The hint and feedback are in the thread."


def test_a_reveal_gives_the_hint_the_model_answer_the_checklist_and_each_answers_feedback() -> None:
    covered = (PointCoverage("Profiles first", True, "profiling", PointStatus.EXPLAINED),
               PointCoverage("Quantizes", False, "INT8", PointStatus.NAMED),
               PointCoverage("Batches", False, None, PointStatus.MISSED))
    item = AnswerFeedback("ada", True, covered, (AwardLine("participation", 10, "answered on time"),
                                                 AwardLine("coverage", 5, "covered 1 of 3 key points")),
                          note="edited after the deadline", did_well="Did well: profiling.",
                          judge_says="The AI judge says: good.")
    card = RevealCard(4, "q", "How?", "Profile.", ("Profiles first", "Quantizes", "Batches"), (item,),
                      Tally(1, 1, 0, 0.33), model_answer="Profile, then quantize.", graded_by="Scored by x.",
                      note="The thread was deleted.")
    doc = reveal(card)
    assert (doc.title, doc.summary) == ("Hint and feedback", "Hint and feedback for round 4")
    assert plain(doc.lead) == "The thread was deleted."
    intro, rule, answer = doc.parts
    assert isinstance(rule, Rule)
    assert [plain(line) for line in lines_of(intro)] == [
        "Hint: Profile.", "A model answer: Profile, then quantize.", "A strong answer covers:", "Profiles first",
        "Quantizes", "Batches"]
    assert isinstance(answer, Part)
    assert answer.heading == (Span("ada", bold=True), Span(" (on time): covered 1 of 3 · "),
                              Span("15 pts", bold=True))
    shown = lines_of(answer)
    assert shown[0] == (Symbol(Mark.CHECKED), Span(" Profiles first "), Span('(said "profiling")', italic=True))
    assert shown[1][0] == Symbol(Mark.UNCHECKED) and plain(shown[1]) == ' Quantizes (named "INT8" without explaining it)'
    assert shown[2] == (Symbol(Mark.UNCHECKED), Span(" Batches"))
    assert [plain(line) for line in shown[3:]] == [
        "The AI judge says: good.", "Did well: profiling.",
        "+10 participation (answered on time), +5 coverage (covered 1 of 3 key points)",
        "edited after the deadline"]
    assert shown[-1] == (Span("edited after the deadline", italic=True),)
    assert [plain(note) for note in doc.notes] == ["Scored by x.",
                                                   "1 answer: 1 on time, 0 late · average coverage 33%"]


def test_a_reveal_nobody_answered_says_so() -> None:
    doc = reveal(RevealCard(4, "q", "How?", "Profile.", ("A",), (), Tally(0, 0, 0, 0.0)))
    assert [plain(line) for line in lines_of(doc.parts[-1])] == ["Nobody answered this one."]
    assert plain(doc.lead) == ""


def test_a_board_ranks_members_with_their_points_and_rounds() -> None:
    card = LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026",
                           (BoardLine(1, "*ada*", 40, 2), BoardLine(4, "ben", 5, 1)), "Behavioral")
    doc = board(card)
    assert doc.title == doc.summary == "Weekly leaderboard · week of 30 Nov 2026 · Behavioral"
    first, fourth = lines_of(doc.parts[0])
    assert first == (Rank(1), Span(" "), Span("*ada*", bold=True), Span(" · 40 pts (2 rounds)"))
    assert fourth[0] == Rank(4) and plain(fourth) == " ben · 5 pts (1 round)"


def test_an_empty_board_invites_members_to_answer() -> None:
    doc = board(LeaderboardCard("Leaderboard", "all time", ()))
    assert [plain(line) for line in lines_of(doc.parts[0])] == [
        "No points yet. Answer today's question to get on the board!"]


def test_stats_give_the_points_with_their_reasons_the_streak_and_coverage_by_level() -> None:
    doc = stats(StatsCard("eve", 44, (("participation", 10), ("coverage", 34)), 12, 3, 2,
                          (("Behavioral", 0.5, 2),)))
    assert (doc.title, doc.summary) == ("Stats for eve", "Your stats: 44 points")
    assert [plain(line) for line in lines_of(doc.parts[0])] == [
        "44 points all time (participation 10 · coverage 34); 12 this week",
        "Streak: 3 days · rounds answered: 2",
        "Behavioral: 50% of key points over 2 rounds"]


def test_a_notice_is_its_text_and_an_error_carries_a_warning_sign() -> None:
    assert lines_of(notice(Notice("Done *now*")).parts[0]) == [(Span("Done *now*"),)]
    assert lines_of(notice(Notice("No.", NoticeKind.ERROR)).parts[0]) == [(Symbol(Mark.WARNING), Span("No."))]


def test_the_help_names_every_command_as_the_platform_spells_it_and_the_levels() -> None:
    spelling = CommandSpelling(practice=("/p x",), board="/p b", stats="/p s", opt_out="/p o", opt_in="/p i",
                               admins="Owners", admin=("/a one", "/a two"), nudge="/p n")
    doc = help_text(HelpCard(("behavioral", "scenario")), Surface(answer_button=True, commands=spelling))
    shown = [plain(line) for line in lines_of(doc.parts[0])]
    assert shown == [
        "prepbot: a question of the day for the team, answered privately until the reveal, or in its thread, as the "
        "channel chooses.",
        "/p x: a practice question now (behavioral, scenario)",
        "/p b: the board",
        "/p s: your points, their reasons, your streak and coverage by level",
        "/p o / /p i: hide or show your name on boards",
        "/p n: a private nudge before the deadline when you have not answered yet",
        "Owners: /a one, /a two"]
    codes = [p.text for line in lines_of(doc.parts[0]) for p in line if isinstance(p, Span) and p.code]
    assert codes == ["/p x", "/p b", "/p s", "/p o", "/p i", "/p n", "/a one", "/a two"]


def test_every_card_has_a_document() -> None:
    cards: list[Card] = [question_card(), RevealCard(1, "q", "Q", "H", (), (), Tally(0, 0, 0, 0.0)),
             LeaderboardCard("L", "all time", ()), StatsCard("e", 0, (), 0, 0, 0), HelpCard(("a",)), Notice("n"),
             ReminderCard(1, question_card().deadline_at, "UTC", timedelta(hours=2), 3),
             NudgeCard(1, "Q", question_card().deadline_at, "UTC", timedelta(hours=2), "general")]
    for card in cards:
        doc = document(card, Surface())
        assert doc.summary and doc.parts
        assert all(isinstance(block, Paragraph | Bullets) for part in doc.parts if isinstance(part, Part)
                   for block in part.blocks)
