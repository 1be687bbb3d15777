"""The unit of work: one transaction, the repositories that share it, and rollback unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.repositories import (
    AnswerRepository,
    ChannelRepository,
    InboxRepository,
    JudgementRepository,
    InstallationRepository,
    MemberRepository,
    OAuthStateRepository,
    PointRepository,
    ResultRepository,
    RoundRepository,
    TaskRepository,
    VoteRepository,
    WelcomeRepository,
)


class UnitOfWork:
    """Use as `async with store.unit_of_work() as uow: ...; await uow.commit()`. Leaving without commit rolls back."""

    channels: ChannelRepository
    members: MemberRepository
    rounds: RoundRepository
    answers: AnswerRepository
    votes: VoteRepository
    points: PointRepository
    results: ResultRepository
    tasks: TaskRepository
    installations: InstallationRepository
    oauth_states: OAuthStateRepository
    inbox: InboxRepository
    judgements: JudgementRepository
    welcomes: WelcomeRepository

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> "UnitOfWork":
        connection = await self._engine.connect()
        self._connection = connection
        self.channels = ChannelRepository(connection)
        self.members = MemberRepository(connection)
        self.rounds = RoundRepository(connection)
        self.answers = AnswerRepository(connection)
        self.votes = VoteRepository(connection)
        self.points = PointRepository(connection)
        self.results = ResultRepository(connection)
        self.tasks = TaskRepository(connection)
        self.installations = InstallationRepository(connection)
        self.oauth_states = OAuthStateRepository(connection)
        self.inbox = InboxRepository(connection)
        self.judgements = JudgementRepository(connection)
        self.welcomes = WelcomeRepository(connection)
        return self

    async def commit(self) -> None:
        assert self._connection is not None
        await self._connection.commit()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._connection is not None
        try:
            if self._connection.in_transaction():
                await self._connection.rollback()
        finally:
            await self._connection.close()
            self._connection = None


class Store:
    """The database behind the core."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as connection:
                await connection.exec_driver_sql("SELECT 1")
        except Exception:
            return False
        return True

    async def close(self) -> None:
        await self.engine.dispose()
