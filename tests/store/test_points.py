"""Points: one amount per round, member and reason; standings add them up by member, level and dates."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.leaderboard import Standing
from bot.domain.model import Channel, ChannelAddress, Member, RoundKind
from bot.domain.questions import Level
from bot.domain.scoring import Award
from bot.store.unit_of_work import Store, UnitOfWork
from tests.store.records import MONDAY, NOW, a_channel, a_member, a_round


async def _scored(uow: UnitOfWork, channel: Channel, member: Member, day: date, level: Level,
                  question_id: str, *awards: Award) -> None:
    round_ = await uow.rounds.daily(channel.id, day)
    if round_ is None:
        round_ = await a_round(uow, channel, day=day, level=level, question_id=question_id)
    await uow.points.award(round_, member.id, list(awards), NOW)


async def test_awarding_points_for_the_same_round_member_and_reason_replaces_the_earlier_amount(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        alice = await a_member(uow, "u1", "alice")
        round_ = await a_round(uow, channel)
        await uow.points.award(round_, alice.id, [Award("participation", 10, "answered on time"),
                                                  Award("votes", 4, "2 teammate votes")], NOW)
        await uow.points.award(round_, alice.id, [Award("votes", 6, "3 teammate votes")], NOW)
        await uow.commit()
        stored = await uow.points.for_round(round_.id)
        by_reason, in_period = await uow.points.totals(channel.id, alice.id, MONDAY, MONDAY)

    assert stored == {alice.id: [Award("participation", 10, "answered on time"), Award("votes", 6, "3 teammate votes")]}
    assert (by_reason, in_period) == ({"participation": 10, "votes": 6}, 16)


async def test_standings_add_up_each_members_points_over_rounds_and_reasons(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        alice = await a_member(uow, "u1", "alice")
        bob = await a_member(uow, "u2", "bob")
        await _scored(uow, channel, alice, MONDAY, Level.BEGINNER, "beginner-01",
                      Award("participation", 10, ""), Award("coverage", 15, ""))
        await _scored(uow, channel, bob, MONDAY, Level.BEGINNER, "beginner-01", Award("participation", 10, ""))
        await _scored(uow, channel, alice, MONDAY + timedelta(days=1), Level.ADVANCED, "advanced-01",
                      Award("participation", 10, ""), Award("coverage", 30, ""), Award("streak", 2, ""))
        await uow.commit()
        standings = await uow.points.standings(channel.id, None, None, None)

    assert sorted(standings, key=lambda s: s.member_id) == [
        Standing(alice.id, "alice", total=67, coverage=45, rounds=2),
        Standing(bob.id, "bob", total=10, coverage=0, rounds=1),
    ]


async def test_standings_for_one_level_count_only_rounds_of_that_level(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        alice = await a_member(uow, "u1", "alice")
        bob = await a_member(uow, "u2", "bob")
        await _scored(uow, channel, alice, MONDAY, Level.BEGINNER, "beginner-01", Award("participation", 10, ""))
        await _scored(uow, channel, alice, MONDAY + timedelta(days=1), Level.ADVANCED, "advanced-01",
                      Award("participation", 10, ""), Award("coverage", 20, ""))
        await _scored(uow, channel, bob, MONDAY, Level.BEGINNER, "beginner-01", Award("participation", 10, ""))
        await uow.commit()
        advanced = await uow.points.standings(channel.id, None, None, Level.ADVANCED)
        behavioral = await uow.points.standings(channel.id, None, None, Level.BEHAVIORAL)

    assert advanced == [Standing(alice.id, "alice", total=30, coverage=20, rounds=1)]
    assert behavioral == []


async def test_standings_for_a_date_range_include_both_ends_and_nothing_outside(store: Store) -> None:
    week = [MONDAY + timedelta(days=n) for n in range(-1, 8)]  # Sunday before .. Monday after
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        alice = await a_member(uow, "u1", "alice")
        for day in week:
            await _scored(uow, channel, alice, day, Level.BEGINNER, "beginner-01", Award("participation", 1, ""))
        await uow.commit()
        standings = await uow.points.standings(channel.id, MONDAY, MONDAY + timedelta(days=6), None)

    assert standings == [Standing(alice.id, "alice", total=7, coverage=0, rounds=7)]


async def test_standings_show_a_member_who_opted_out_as_anonymous(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        alice = await a_member(uow, "u1", "alice")
        await _scored(uow, channel, alice, MONDAY, Level.BEGINNER, "beginner-01", Award("participation", 10, ""))
        await uow.members.set_opted_out(alice.id, True)
        await uow.commit()
        standings = await uow.points.standings(channel.id, None, None, None)
    assert [s.name for s in standings] == ["anonymous"]


async def test_standings_of_one_channel_leave_out_points_earned_in_another(store: Store) -> None:
    async with store.unit_of_work() as uow:
        general = await a_channel(uow)
        random = await a_channel(uow, ChannelAddress("console", "local", "random"))
        alice = await a_member(uow, "u1", "alice")
        await _scored(uow, general, alice, MONDAY, Level.BEGINNER, "beginner-01", Award("participation", 10, ""))
        practice = await a_round(uow, random, kind=RoundKind.PRACTICE)
        await uow.points.award(practice, alice.id, [Award("participation", 99, "")], NOW)
        await uow.commit()
        standings = await uow.points.standings(general.id, None, None, None)
    assert [s.total for s in standings] == [10]


async def test_a_boards_count_and_a_members_place_on_it_count_only_its_channel_level_and_dates(store: Store) -> None:
    async with store.unit_of_work() as uow:
        general = await a_channel(uow)
        random = await a_channel(uow, ChannelAddress("console", "local", "random"))
        alice = await a_member(uow, "u1", "alice")
        bob = await a_member(uow, "u2", "bob")
        carol = await a_member(uow, "u3", "carol")
        await _scored(uow, general, alice, MONDAY, Level.BEGINNER, "beginner-01", Award("participation", 10, ""))
        await _scored(uow, general, bob, MONDAY, Level.BEGINNER, "beginner-01", Award("participation", 10, ""),
                      Award("coverage", 5, ""))
        await _scored(uow, general, carol, MONDAY + timedelta(days=1), Level.ADVANCED, "advanced-01",
                      Award("participation", 10, ""), Award("coverage", 30, ""))
        elsewhere = await a_round(uow, random, kind=RoundKind.PRACTICE)
        await uow.points.award(elsewhere, alice.id, [Award("participation", 99, "")], NOW)
        await uow.commit()
        points = uow.points
        everyone = await points.ranked_count(general.id, None, None, None)
        beginner = await points.ranked_count(general.id, None, None, Level.BEGINNER)
        monday = await points.ranked_count(general.id, MONDAY, MONDAY, None)
        alice_overall = await points.place(general.id, alice.id, None, None, None)
        alice_beginner = await points.place(general.id, alice.id, None, None, Level.BEGINNER)
        carol_beginner = await points.place(general.id, carol.id, None, None, Level.BEGINNER)
        alice_random = await points.place(random.id, alice.id, None, None, None)

    assert (everyone, beginner, monday) == (3, 2, 2)
    assert alice_overall is not None and (alice_overall.rank, alice_overall.of) == (3, 3)
    assert alice_beginner is not None and (alice_beginner.rank, alice_beginner.of) == (2, 2)
    assert alice_beginner.standing == Standing(alice.id, "alice", total=10, coverage=0, rounds=1)
    assert carol_beginner is None
    assert alice_random is not None and (alice_random.rank, alice_random.of, alice_random.standing.total) == (1, 1, 99)
