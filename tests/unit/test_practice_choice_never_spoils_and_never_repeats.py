"""The practice choice never spoils and never repeats.

Which practice question a member gets next: never the daily question in play, no repeat before their choice is
exhausted, the unseen first, then their weakest, then the least recently practised; and what a request means for
the daily cap on scored practice."""

from datetime import datetime, timedelta, timezone

from bot.domain.practice import PracticeHistory, Practised, choose_practice, practice_allowance
from bot.domain.questions import KeyPoint, Level, Question

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def questions(count: int) -> list[Question]:
    return [
        Question(f"q-{n:02d}", Level.BEGINNER, f"Question {n}?", "A hint.", (KeyPoint("A point", ("term",)),))
        for n in range(1, count + 1)
    ]


def given(question: Question, history: PracticeHistory, at: datetime) -> PracticeHistory:
    before = history.practised.get(question.id)
    practised = {**history.practised, question.id: Practised((before.times if before else 0) + 1, at)}
    return PracticeHistory(practised, history.best_coverage)


def test_a_member_asking_again_and_again_at_the_same_moment_walks_every_question_before_any_repeat() -> None:
    bank = questions(6)
    history = PracticeHistory()
    picked = []
    for _ in range(12):
        question = choose_practice(bank, history, withheld=(), member_id=7, now=NOW)
        assert question is not None
        picked.append(question.id)
        history = given(question, history, NOW)
    assert sorted(picked[:6]) == sorted(q.id for q in bank)
    assert sorted(picked[6:]) == sorted(q.id for q in bank)


def test_the_daily_question_in_play_is_never_given() -> None:
    bank = questions(3)
    history = PracticeHistory()
    for n in range(10):
        question = choose_practice(bank, history, withheld={"q-02"}, member_id=7, now=NOW + timedelta(minutes=n))
        assert question is not None and question.id != "q-02"
        history = given(question, history, NOW + timedelta(minutes=n))


def test_when_every_candidate_is_withheld_there_is_no_practice_question() -> None:
    assert choose_practice(questions(2), PracticeHistory(), withheld={"q-01", "q-02"}, member_id=7, now=NOW) is None
    assert choose_practice([], PracticeHistory(), withheld=(), member_id=7, now=NOW) is None


def test_unseen_questions_come_before_answered_ones_even_those_answered_badly() -> None:
    bank = questions(4)
    history = PracticeHistory(best_coverage={"q-01": 0.0, "q-02": 0.5, "q-04": 0.1})  # answered as daily questions
    assert choose_practice(bank, history, withheld=(), member_id=7, now=NOW) == bank[2]


def test_after_the_unseen_ones_the_weakest_question_comes_first() -> None:
    bank = questions(4)
    history = PracticeHistory(best_coverage={"q-01": 0.9, "q-02": 0.25, "q-03": 0.5, "q-04": 1.0})
    assert choose_practice(bank, history, withheld=(), member_id=7, now=NOW) == bank[1]



def test_between_questions_equally_weakest_the_draw_picks_only_among_them() -> None:
    bank = questions(4)
    history = PracticeHistory(best_coverage={"q-01": 0.5, "q-02": 0.25, "q-03": 1.0, "q-04": 0.25})
    picks = {choose_practice(bank, history, withheld=(), member_id=m, now=NOW) for m in range(30)}
    assert {q.id for q in picks if q is not None} == {"q-02", "q-04"}

def test_a_question_practised_but_never_answered_counts_as_the_weakest() -> None:
    bank = questions(2)
    history = PracticeHistory(practised={"q-01": Practised(1, NOW), "q-02": Practised(1, NOW)},
                              best_coverage={"q-01": 0.2})
    assert choose_practice(bank, history, withheld=(), member_id=7, now=NOW) == bank[1]


def test_a_question_practised_fewer_times_comes_before_a_weaker_one_practised_more() -> None:
    bank = questions(2)
    history = PracticeHistory(practised={"q-01": Practised(2, NOW), "q-02": Practised(1, NOW)},
                              best_coverage={"q-01": 0.0, "q-02": 0.8})
    assert choose_practice(bank, history, withheld=(), member_id=7, now=NOW) == bank[1]


def test_between_equally_weak_questions_the_least_recently_practised_comes_first() -> None:
    bank = questions(3)
    history = PracticeHistory(practised={q.id: Practised(1, NOW - timedelta(hours=n)) for n, q in enumerate(bank)})
    assert choose_practice(bank, history, withheld=(), member_id=7, now=NOW) == bank[2]


def test_two_members_do_not_walk_the_bank_in_the_same_order() -> None:
    bank = questions(20)
    firsts = {choose_practice(bank, PracticeHistory(), withheld=(), member_id=m, now=NOW) for m in range(10)}
    assert len(firsts) > 1



def test_the_same_member_asking_at_the_same_moment_gets_the_same_question() -> None:
    bank = questions(10)
    first = choose_practice(bank, PracticeHistory(), withheld=(), member_id=3, now=NOW)
    again = choose_practice(list(bank), PracticeHistory(), withheld=(), member_id=3, now=NOW)
    assert first is not None and first == again

def test_the_first_practice_requests_of_a_day_are_counted_against_the_cap() -> None:
    first = practice_allowance(scored_today=0, open_today=0, cap=3)
    third = practice_allowance(scored_today=1, open_today=1, cap=3)
    assert (first.ordinal, first.scores, first.cannot_score) == (1, True, False)
    assert (third.ordinal, third.scores, third.cannot_score) == (3, True, False)


def test_a_request_beyond_the_cap_scores_only_while_open_ones_may_go_unanswered() -> None:
    maybe = practice_allowance(scored_today=1, open_today=2, cap=3)
    never = practice_allowance(scored_today=3, open_today=0, cap=3)
    assert (maybe.ordinal, maybe.scores, maybe.cannot_score) == (4, False, False)
    assert (never.ordinal, never.scores, never.cannot_score) == (4, False, True)


def test_the_request_is_told_its_place_in_words() -> None:
    from bot.wording import ordinal, practice_allowance_words

    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]
    assert practice_allowance_words(practice_allowance(1, 0, 3)) == "This is your 2nd of 3 scored practice questions today."
    assert "earn no points" in practice_allowance_words(practice_allowance(0, 0, 0))
