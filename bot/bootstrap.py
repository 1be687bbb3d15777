"""The core wired together from the ports it is given: the outer ring picks their implementations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.app import PrepBot
from bot.config import Settings
from bot.judging import Judge
from bot.metrics import CountingChat
from bot.ports import ChatPort, Clock, Metrics, NoMetrics
from bot.questions import QuestionBank, load_bank
from bot.services.answers import AnswerRules, Answers
from bot.services.directory import Directory
from bot.store.engine import make_engine
from bot.store.intake import ArrivalsLane
from bot.store.unit_of_work import Store
from questions import SHIPPED_PACKS


def question_folders(settings: Settings) -> list[Path]:
    folders = [SHIPPED_PACKS]
    if settings.questions_dir:
        folders.append(Path(settings.questions_dir).expanduser())
    return folders


def bootstrap(
    settings: Settings, chat: ChatPort, clock: Clock, bank: QuestionBank | None = None, store: Store | None = None,
    metrics: Metrics | None = None, judge: Judge | None = None, *, monotonic: Callable[[], float],
) -> PrepBot:
    """A PrepBot on the configured database (or `store`) and question packs; call `await bot.start()` before use.
    `judge` is the AI judge the outer ring built when one is configured (the core never builds it); `monotonic`
    reads seconds on a clock that never goes back (time.monotonic in a process), which times and bounds work.

    Raises PackError when a question pack is broken.
    """
    store = store or Store(make_engine(settings.database_url))
    bank = bank or load_bank(question_folders(settings))
    directory = Directory()
    metrics = metrics or NoMetrics()
    chat = CountingChat(chat, metrics)
    rules = AnswerRules(settings.answer_max_chars, directory)
    lane = ArrivalsLane(store, rules)
    return PrepBot(
        store=store,
        chat=chat,
        clock=clock,
        bank=bank,
        settings=settings,
        answers=Answers(lane, rules, store, chat, metrics),
        lane=lane,
        directory=directory,
        monotonic=monotonic,
        metrics=metrics,
        judge=judge,
    )
