"""Practice questions on demand.

Practice questions on demand: posted at once in the channel (or shown to the member alone), revealed after the
practice window, never the daily question, no repeat before the member's choice is exhausted, capped per day and
told so when asked."""

from __future__ import annotations

from datetime import timedelta

from bot.cards import Notice, NoticeKind, QuestionCard, RevealCard
from bot.domain.model import Speaker
from bot.domain.questions import Level
from bot.messages import AnswerAccepted
from bot.questions import QuestionBank
from tests.fakes.chat import Posted
from tests.services.team import ALICE, BOB, MONDAY, NOTHING, Team, awards_of, berlin, covering, day, \
    feedback_for

WINDOW = timedelta(minutes=30)


async def practise(team: Team, level: str, who: Speaker = ALICE) -> Posted:
    before = len(team.questions())
    reply = await team.prep(level, by=who)
    (told,) = reply.cards
    assert isinstance(told, Notice) and told.kind is NoticeKind.INFO, reply
    assert len(team.questions()) == before + 1
    return team.latest_question()


async def ask(team: Team, level: str, who: Speaker = ALICE) -> tuple[Posted, str]:
    """Asks for a practice question: what was given, and what the member was told with it."""
    reply = await team.prep(level, by=who)
    (told,) = reply.cards
    assert isinstance(told, Notice), reply
    return team.latest_question(), told.text


async def test_asking_for_an_advanced_question_posts_one_in_the_channel_with_its_own_thread(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    daily = team.latest_question()

    practice = await practise(team, "advanced")

    card = practice.card
    assert isinstance(card, QuestionCard)
    assert card.practice and card.requested_by == "alice"
    assert card.level_label == "Advanced" and team.question_of(practice).level is Level.ADVANCED
    assert card.deadline_at == berlin(MONDAY, 10, 0) + WINDOW
    assert practice.thread_ref is None and practice.ref != daily.ref
    assert card.round_id != daily.question.round_id


async def test_a_practice_question_is_revealed_in_its_thread_when_the_practice_window_ends(team: Team) -> None:
    await team.until(berlin(MONDAY, 14, 0))
    practice = await practise(team, "advanced")
    asked = team.question_of(practice)
    outcome = await team.answer(practice, covering(asked, 0))
    assert isinstance(outcome, AnswerAccepted) and outcome.on_time

    await team.until(berlin(MONDAY, 14, 29))
    assert team.reveals() == []
    await team.until(berlin(MONDAY, 14, 30))

    reveal = team.reveal_of(practice)
    alice = feedback_for(reveal, "alice")
    assert alice.covered[0].covered
    assert set(awards_of(alice)) == {"participation", "coverage"}  # no streak for practice
    ((ref, closed),) = team.chat.updates
    assert ref == practice.ref and closed.closed and closed.practice


async def test_practice_offers_questions_the_member_has_not_answered_before_any_repeat(team: Team) -> None:
    beginner = [q.id for q in team.bot.bank.at_levels([Level.BEGINNER])]
    assert len(beginner) == 5
    asked: list[str] = []
    for n in range(5):
        practice = await practise(team, "beginner")
        question = team.question_of(practice)
        asked.append(question.id)
        # every answer covers all key points except the third one, which is answered with nothing
        text = NOTHING if n == 2 else covering(question, *range(len(question.key_points)))
        await team.answer(practice, text)
        await team.until(team.now() + WINDOW)

    assert sorted(asked) == sorted(beginner)
    sixth = await practise(team, "beginner")
    assert sixth.question.question_id == asked[2]  # the one she covered worst


async def test_another_member_is_offered_questions_regardless_of_what_others_answered(team: Team) -> None:
    first = await practise(team, "beginner", who=ALICE)
    await team.answer(first, NOTHING, by=ALICE)
    await team.until(team.now() + WINDOW)
    seen_by_bob = []
    for _ in range(5):
        practice = await practise(team, "beginner", who=BOB)
        seen_by_bob.append(practice.question.question_id)
        await team.answer(practice, NOTHING, by=BOB)
        await team.until(team.now() + WINDOW)
    assert len(set(seen_by_bob)) == 5


async def test_the_fourth_scored_practice_round_of_a_day_earns_nothing_and_the_reveal_says_so(team: Team) -> None:
    await team.until(berlin(MONDAY, 12, 0))
    totals = []
    notes = []
    for _ in range(4):
        practice = await practise(team, "intermediate")
        await team.answer(practice, NOTHING)
        await team.until(team.now() + WINDOW)
        alice = feedback_for(team.reveal_of(practice), "alice")
        totals.append(alice.total_points)
        notes.append(alice.note)

    assert totals == [10, 10, 10, 0]
    assert notes[:3] == ["", "", ""]
    assert "practice cap reached" in notes[3] and "3" in notes[3]
    assert (await team.stats(ALICE)).total == 30


async def test_the_practice_cap_is_counted_per_member_and_starts_again_the_next_day(team: Team) -> None:
    await team.until(berlin(MONDAY, 12, 0))
    for _ in range(3):
        practice = await practise(team, "intermediate")
        await team.answer(practice, NOTHING)
        await team.until(team.now() + WINDOW)

    fourth = await practise(team, "intermediate")
    await team.answer(fourth, NOTHING, by=ALICE)
    await team.answer(fourth, NOTHING, by=BOB)
    await team.until(team.now() + WINDOW)
    reveal = team.reveal_of(fourth)
    assert feedback_for(reveal, "alice").total_points == 0
    assert feedback_for(reveal, "bob").total_points == 10

    await team.until(berlin(day(1), 12, 0))
    tomorrow = await practise(team, "intermediate")
    await team.answer(tomorrow, NOTHING)
    await team.until(team.now() + WINDOW)
    assert feedback_for(team.reveal_of(tomorrow), "alice").total_points == 10


async def test_a_practice_answer_does_not_count_towards_the_daily_streak(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    await team.answer(team.latest_question(), NOTHING)
    await team.until(berlin(MONDAY, 17, 0))
    await team.until(berlin(day(1), 8, 0))
    practice = await practise(team, "beginner")
    await team.answer(practice, NOTHING)
    await team.until(berlin(day(1), 10, 0))  # Tuesday's question is posted; alice skips it
    await team.until(berlin(day(2), 10, 0))
    await team.answer(team.latest_question(), NOTHING)
    await team.until(berlin(day(2), 17, 0))

    assert "streak" not in awards_of(feedback_for(team.reveal_of(team.latest_question()), "alice"))


async def test_practice_rounds_left_unanswered_do_not_use_up_the_daily_cap(team: Team) -> None:
    await team.until(berlin(MONDAY, 12, 0))
    for _ in range(3):
        await practise(team, "intermediate")  # asked for, never answered
        await team.until(team.now() + WINDOW)
    for _ in range(3):
        practice = await practise(team, "intermediate")
        await team.answer(practice, NOTHING)
        await team.until(team.now() + WINDOW)

    assert (await team.stats(ALICE)).total == 30


async def test_the_practice_day_is_the_channels_local_day(team: Team) -> None:
    await team.subscribe()  # the channel's time zone is Europe/Berlin
    await team.until(berlin(MONDAY, 22, 30))
    for _ in range(3):
        practice = await practise(team, "intermediate")
        await team.answer(practice, NOTHING)
        await team.until(team.now() + timedelta(minutes=29))

    await team.until(berlin(day(1), 0, 5))  # Tuesday in Berlin, still Monday 23:05 in UTC
    fourth = await practise(team, "intermediate")
    await team.answer(fourth, NOTHING)
    await team.until(team.now() + WINDOW)

    assert feedback_for(team.reveal_of(fourth), "alice").total_points == 10


async def test_four_beginner_questions_asked_at_the_same_moment_are_four_different_questions(team: Team) -> None:
    asked = [(await practise(team, "beginner")).question.question_id for _ in range(4)]
    assert len(set(asked)) == 4


async def test_three_random_questions_asked_at_the_same_moment_are_three_different_questions(team: Team) -> None:
    asked = [(await practise(team, "random")).question.question_id for _ in range(3)]
    assert len(set(asked)) == 3


async def test_once_every_question_of_the_choice_was_practised_it_starts_over_least_recently_practised_first(
    team: Team,
) -> None:
    first_round = []
    for _ in range(5):
        first_round.append((await practise(team, "beginner")).question.question_id)
        await team.until(team.now() + timedelta(minutes=1))
    assert len(set(first_round)) == 5

    again = [(await practise(team, "beginner")).question.question_id for _ in range(2)]
    assert again == first_round[:2]


async def test_practice_never_gives_the_channels_open_daily_question(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    daily = team.latest_question()
    level = team.question_of(daily).level
    at_level = len(team.bot.bank.at_levels([level]))

    given = [(await practise(team, level.value)).question.question_id for _ in range(at_level + 2)]
    given += [(await practise(team, "random")).question.question_id for _ in range(3)]

    assert daily.question.question_id not in given


async def test_after_its_reveal_todays_daily_question_is_still_kept_from_practice_until_the_day_is_over(
    team: Team,
) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    daily = team.latest_question()
    level = team.question_of(daily).level
    at_level = len(team.bot.bank.at_levels([level]))
    await team.until(berlin(MONDAY, 18, 0))  # revealed at 17:00

    today = [(await practise(team, level.value, who=BOB)).question.question_id for _ in range(at_level)]
    assert daily.question.question_id not in today

    await team.until(berlin(day(5), 10, 0))  # Saturday: no daily question is posted on weekends
    saturday = [(await practise(team, level.value)).question.question_id for _ in range(at_level)]
    assert daily.question.question_id in saturday


async def test_when_every_question_of_the_choice_is_the_daily_question_the_member_is_told_so(team: Team) -> None:
    only = next(q for q in team.bot.bank.all() if q.level is Level.BEHAVIORAL)
    team.bank = QuestionBank([q for q in team.bot.bank.all() if q.level is not Level.BEHAVIORAL] + [only])
    await team.restart()
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00 behavioral")
    await team.until(berlin(MONDAY, 10, 0))
    assert team.latest_question().question.question_id == only.id
    before = len(team.questions())

    reply = await team.prep("behavioral", by=ALICE)

    (told,) = reply.cards
    assert isinstance(told, Notice) and told.kind is NoticeKind.ERROR
    assert "daily question" in told.text and "another level" in told.text
    assert len(team.questions()) == before


async def test_a_member_is_told_which_scored_practice_question_of_the_day_this_is_when_asking(team: Team) -> None:
    await team.until(berlin(MONDAY, 12, 0))
    told = []
    for _ in range(3):
        practice, text = await ask(team, "intermediate")
        told.append(text)
        await team.answer(practice, NOTHING)
        await team.until(team.now() + WINDOW)
    fourth, text = await ask(team, "intermediate")
    await team.answer(fourth, NOTHING)
    await team.until(team.now() + WINDOW)

    assert told == [f"This is your {n} of 3 scored practice questions today." for n in ("1st", "2nd", "3rd")]
    assert "earns no points" in text and "3" in text
    assert feedback_for(team.reveal_of(fourth), "alice").total_points == 0


async def test_a_member_with_open_practice_questions_is_told_a_further_one_scores_only_if_one_goes_unanswered(
    team: Team,
) -> None:
    await team.until(berlin(MONDAY, 12, 0))
    texts = [(await ask(team, "intermediate"))[1] for _ in range(4)]

    assert texts[2] == "This is your 3rd of 3 scored practice questions today."
    assert "4th" in texts[3] and "only if one of your open practice questions goes unanswered" in texts[3]


async def test_an_admin_can_keep_practice_private_to_the_member_and_config_says_so(team: Team) -> None:
    assert "Practice: public" in (await team.prep("config")).cards[0].text  # type: ignore[union-attr]
    refused = await team.prep("config practice private", by=ALICE)
    assert "Only this channel's admins" in refused.cards[0].text  # type: ignore[union-attr]

    assert (await team.prep("config practice private")).cards == ()

    assert "made practice private" in team.channel_notices()[-1].text
    assert "Practice: private" in (await team.prep("config")).cards[0].text  # type: ignore[union-attr]
    again = await team.prep("config practice private")
    assert again.cards[0].text.startswith("Nothing to change")  # type: ignore[union-attr]


async def test_a_private_practice_question_and_its_hint_are_shown_only_to_the_member_who_asked(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    daily = team.latest_question()
    await team.prep("config practice private")
    in_channel = [p for p in team.chat.posts if p.private_to is None]

    practice, text = await ask(team, "advanced")

    card = practice.card
    assert isinstance(card, QuestionCard) and card.practice and card.personal
    assert practice.private_to == ALICE.ref and practice.thread_ref is None
    assert "only to you" in text and "no points" in text
    await team.until(berlin(MONDAY, 10, 30))
    (hint,) = [p for p in team.chat.posts if isinstance(p.card, RevealCard)]
    assert hint.private_to == ALICE.ref and hint.thread_ref is None
    assert isinstance(hint.card, RevealCard) and hint.card.personal
    assert hint.card.round_id == card.round_id and hint.card.hint == team.question_of(practice).hint
    assert [p for p in team.chat.posts if p.private_to is None] == in_channel  # nothing more in the channel
    assert team.chat.updates == []
    assert team.questions()[-1] is practice and daily.question.question_id != card.question_id


async def test_private_practice_questions_also_never_repeat_before_the_choice_is_exhausted(team: Team) -> None:
    await team.prep("config practice private")
    asked = [(await ask(team, "beginner"))[0].question.question_id for _ in range(5)]
    assert len(set(asked)) == 5
