"""A team in a channel, talking to the whole core.

On a real database (SQLite or PostgreSQL), with a fake chat and a fake clock.

Times are Europe/Berlin wall times (UTC+1 in November and December 2026); 2026-11-30 is a Monday.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field, replace
from functools import cache
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import PrepBot
from bot.bootstrap import bootstrap, question_folders
from bot.cards import AnswerFeedback, Card, LeaderboardCard, Notice, QuestionCard, RevealCard, StatsCard
from bot.clock import FakeClock
from bot.config import Settings
from bot.domain.model import ChannelAddress, MemberAnswer, Speaker, TaskKind, assemble_answers
from bot.domain.matching import mentioned
from bot.domain.questions import Question
from bot.judging import Judge
from bot.ports import Metrics
from bot.questions import QuestionBank, load_bank
from bot.messages import (
    AnswerCommand,
    AnswerOutcome,
    CastVote,
    CommandReply,
    EditAnswer,
    RetractVote,
    RunCommand,
    SubmitAnswer,
    VoteOutcome,
    WithdrawAnswer,
)
from tests.fakes.chat import FakeChat, Posted

BERLIN = ZoneInfo("Europe/Berlin")
GENERAL = ChannelAddress("console", "local", "general")
BOSS = Speaker("boss", "bea")  # the channel's admin
ALICE = Speaker("u1", "alice")
BOB = Speaker("u2", "bob")
CAROL = Speaker("u3", "carol")
DAVE = Speaker("u4", "dave")
HELPER_BOT = Speaker("b1", "helperbot", is_bot=True)
TEAMMATES = [Speaker(f"t{n}", f"teammate{n}") for n in range(1, 9)]

MONDAY = date(2026, 11, 30)
WEEKDAYS_AT_0930 = "subscribe 09:30 Europe/Berlin mon-fri 17:00"
# An attempt (it earns participation) that covers no key point of any question in the bank.
NOTHING = "I would first ask people whether it feels slow or fast to them, and go calmly from there."


@cache
def shipped_bank() -> QuestionBank:
    """The shipped question packs, read once per test session (parsing the YAML is the slow part of a start)."""
    return load_bank(question_folders(Settings()))


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def day(n: int) -> date:
    """The n-th day after Monday 2026-11-30."""
    return MONDAY + timedelta(days=n)


def first_term(question: Question, index: int) -> str:
    """The first term of a key point that the grader accepts on its own (not only the question's or common words)."""
    return next(t for t in question.key_points[index].terms
                if all(mentioned(f"We rely on {t} here because it changes the outcome.", question)[k] == (k == index)
                       for k in range(len(question.key_points))))


def covering(question: Question, *indexes: int) -> str:
    """An answer that explains exactly the key points at `indexes` (each by its first accepted term)."""
    return " ".join(f"We rely on {first_term(question, i)} here because it changes the outcome." for i in indexes) \
        or NOTHING


async def run_prep(bot: PrepBot, command: RunCommand) -> CommandReply:
    """Queues a command through the core's door, runs its follow-up at once, and returns the cards it replied."""
    cards: list[Card] = []

    async def keep(card: Card) -> None:
        cards.append(card)

    handled = await bot.handle_command(command, reply=keep)
    assert handled.follow_up is not None
    await handled.follow_up()
    return CommandReply(tuple(cards))


async def hand_in(bot: PrepBot, command: AnswerCommand) -> AnswerOutcome:
    """Hands a reply, edit or deletion to the core's door and runs its follow-up (the acknowledgement) at once."""
    handled = await bot.handle_answer(command)
    if handled.follow_up is not None:
        await handled.follow_up()
    return handled.outcome


@dataclass
class Team:
    database_url: str  # a SQLAlchemy URL: sqlite+aiosqlite:///path/to/file.db, postgresql+asyncpg://user@host/db
    clock: FakeClock
    chat: FakeChat = field(default_factory=lambda: FakeChat(admins={BOSS.ref}))
    settings: Settings | None = None
    bank: QuestionBank | None = None  # the shipped bank when None
    judge: Judge | None = None  # the AI judge, when the test configures one
    metrics: Metrics | None = None  # what the operators' counters are told, when the test looks
    bot: PrepBot = field(init=False)
    _refs: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.bot = self._build()

    def _build(self) -> PrepBot:
        settings = replace(self.settings or Settings(), database_url=self.database_url)
        return bootstrap(settings, self.chat, self.clock, self.bank or shipped_bank(), metrics=self.metrics,
                         judge=self.judge, monotonic=time.monotonic)

    async def restart(self, at: datetime | None = None) -> None:
        """Stops the bot, lets the clock run to `at` while it is down, and starts a new one on the same database."""
        await self.bot.close()
        if at is not None:
            self.clock.set(at)
        self.bot = self._build()
        await self.bot.start()

    # ---- commands ----

    async def prep(self, text: str, by: Speaker = BOSS) -> CommandReply:
        """Runs a command as a platform does (queued, then run), and returns the reply its member was shown."""
        return await run_prep(self.bot, RunCommand(GENERAL, by, text, channel_name="general"))

    async def subscribe(self, text: str = WEEKDAYS_AT_0930) -> None:
        reply = await self.prep(text)
        assert reply.cards == (), reply

    async def stats(self, by: Speaker) -> StatsCard:
        reply = await self.prep("stats", by=by)
        (card,) = reply.cards
        assert isinstance(card, StatsCard)
        return card

    async def board(self, args: str = "", by: Speaker = ALICE) -> LeaderboardCard:
        before = len(self.chat.posts)
        reply = await self.prep(f"leaderboard {args}".strip(), by=by)
        assert reply.cards == (), reply
        (posted,) = self.chat.posts[before:]
        assert isinstance(posted.card, LeaderboardCard) and posted.thread_ref is None
        return posted.card

    # ---- time ----

    async def until(self, when: datetime) -> int:
        return await self.bot.run_until(when, self.clock)

    def now(self) -> datetime:
        return self.clock.now()

    async def pending_posts(self) -> list[datetime]:
        """When the channel's daily questions are due to be posted, as planned now."""
        async with self.bot.store.unit_of_work() as uow:
            channel = await uow.channels.find(GENERAL)
            if channel is None:
                return []
            return await uow.tasks.pending(channel.id, TaskKind.POST_DAILY)

    # ---- answers and votes ----

    def next_ref(self) -> str:
        return f"reply{next(self._refs)}"

    async def answer(self, question: Posted, text: str, by: Speaker = ALICE, *, at: datetime | None = None,
                     ref: str | None = None) -> AnswerOutcome:
        return await hand_in(self.bot, SubmitAnswer(
            GENERAL, question.ref, ref or self.next_ref(), by, text, at or self.clock.now()))

    async def reply_ref(self, question: Posted, text: str, by: Speaker = ALICE, *, at: datetime | None = None) -> str:
        """Answers and returns the reply's message ref."""
        ref = self.next_ref()
        await self.answer(question, text, by, at=at, ref=ref)
        return ref

    async def edit(self, ref: str, text: str, at: datetime | None = None) -> AnswerOutcome:
        return await hand_in(self.bot, EditAnswer(GENERAL, ref, text, at or self.clock.now()))

    async def withdraw(self, ref: str, at: datetime | None = None) -> AnswerOutcome:
        return await hand_in(self.bot, WithdrawAnswer(GENERAL, ref, at or self.clock.now()))

    async def vote(self, ref: str, voter: Speaker, reaction: str = "+1") -> VoteOutcome:
        """Reacts to the reply `ref`; returns once the vote is stored and the voter told whatever they are told."""
        handled = await self.bot.handle_vote(CastVote(GENERAL, ref, voter, reaction, self.clock.now()))
        if handled.follow_up is not None:
            await handled.follow_up()
        return handled.outcome

    async def retract(self, ref: str, voter: Speaker, reaction: str = "+1") -> VoteOutcome:
        handled = await self.bot.handle_vote(RetractVote(GENERAL, ref, voter, reaction, self.clock.now()))
        if handled.follow_up is not None:
            await handled.follow_up()
        return handled.outcome

    # ---- what the chat shows ----

    def questions(self) -> list[Posted]:
        return self.chat.questions()

    def daily_questions(self) -> list[Posted]:
        return [p for p in self.chat.questions() if not p.question.practice]

    def latest_question(self) -> Posted:
        questions = self.questions()
        assert questions, "no question was posted"
        return questions[-1]

    def question_of(self, posted: Posted) -> Question:
        assert isinstance(posted.card, QuestionCard)
        question = self.bot.bank.get(posted.card.question_id)
        assert question is not None
        return question

    def reveals(self, question: Posted | None = None) -> list[Posted]:
        return [p for p in self.chat.posts if isinstance(p.card, RevealCard)
                and (question is None or p.thread_ref == question.ref)]

    def reveal_of(self, question: Posted) -> RevealCard:
        (posted,) = self.reveals(question)
        assert isinstance(posted.card, RevealCard)
        return posted.card

    def private_notices(self, to: Speaker) -> list[Notice]:
        return [p.card for p in self.chat.posts if p.private_to == to.ref and isinstance(p.card, Notice)]

    def channel_notices(self) -> list[Notice]:
        return [p.card for p in self.chat.posts
                if isinstance(p.card, Notice) and p.private_to is None and p.thread_ref is None]

    def boards(self) -> list[LeaderboardCard]:
        return self.chat.cards(LeaderboardCard)

    async def stored_answers(self, question: Posted) -> list[MemberAnswer]:
        assert isinstance(question.card, QuestionCard)
        async with self.bot.store.unit_of_work() as uow:
            return assemble_answers(await uow.answers.for_round(question.card.round_id))


def only_notice(reply: CommandReply) -> Notice:
    """The one card of a reply, which a test expects to be a notice."""
    (card,) = reply.cards
    assert isinstance(card, Notice), card
    return card


def notice_at(reply: CommandReply, index: int = 0) -> Notice:
    """A reply's card at `index`, which a test expects to be a notice."""
    card = reply.cards[index]
    assert isinstance(card, Notice), card
    return card


async def open_question(team: Team) -> Posted:
    """Subscribes the channel (weekdays 09:30-17:00 Berlin) unless it is subscribed already, and returns Monday's
    question, open at 10:00."""
    channel = await team.bot.find_channel(GENERAL)
    if channel is None or not channel.subscribed:
        await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    return team.latest_question()


def feedback_for(reveal: RevealCard, name: str) -> AnswerFeedback:
    found = [f for f in reveal.feedback if f.member_name == name]
    assert len(found) == 1, f"{name} has {len(found)} feedback entries in {reveal.feedback}"
    return found[0]


def awards_of(feedback: AnswerFeedback) -> dict[str, int]:
    return {a.reason: a.amount for a in feedback.awards}
