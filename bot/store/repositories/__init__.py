"""Repositories: the queries the core needs, one module per aggregate, each on the unit of work's one connection."""

from __future__ import annotations

from bot.store.repositories.answers import AnswerRepository
from bot.store.repositories.channels import ChannelRepository
from bot.store.repositories.inbox import InboxRepository
from bot.store.repositories.installations import InstallationRepository, OAuthStateRepository
from bot.store.repositories.judgements import JudgementRepository
from bot.store.repositories.members import MemberRepository
from bot.store.repositories.points import PointRepository
from bot.store.repositories.results import ResultRepository
from bot.store.repositories.rounds import RoundRepository, round_from_row
from bot.store.repositories.tasks import TaskRepository
from bot.store.repositories.votes import VoteRepository
from bot.store.repositories.welcomes import WelcomeRepository

__all__ = [
    "AnswerRepository",
    "ChannelRepository",
    "InboxRepository",
    "InstallationRepository",
    "JudgementRepository",
    "MemberRepository",
    "OAuthStateRepository",
    "PointRepository",
    "ResultRepository",
    "RoundRepository",
    "TaskRepository",
    "VoteRepository",
    "WelcomeRepository",
    "round_from_row",
]
