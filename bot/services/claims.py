"""Claims on due work and queued commands: who holds them, how a holder keeps them, and how it proves it still does.

A claim is a lease with a fencing token. The token names the process that made it (`<pid>-<host tag>-<incarnation>`
and a random part unique to the claim), so that:

- a process can tell the claims of a dead process on its own host (the same host name and PID namespace, and a pid
  that no longer runs, or its own pid under another incarnation: a restart) and take them back at once instead of
  waiting out their lease;
- the holder renews its leases while it works (short leases, renewed: a crashed process's claims lapse soon);
- right before each platform call the holder extends its claim, and the write that records what it posted is made
  only while the claim's token is still the one it holds: a holder stalled past its lease (SIGSTOP, a long pause)
  learns it lost the task before it posts, and its late records are refused by the store instead of overwriting
  what the process that took the task over recorded.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.model import Task
from bot.store.unit_of_work import Store, UnitOfWork


class ClaimLost(Exception):
    """The task's claim is no longer this run's: another process took it over (after the lease lapsed), or this
    process is stopping and hands it back. Nothing more may be posted or recorded for it."""


def _host_tag() -> str:
    """8 hex digits naming this host and PID namespace: two processes with the same tag see the same pids."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return hashlib.sha256(f"{socket.gethostname()}|{namespace}".encode()).hexdigest()[:8]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class ProcessIdentity:
    """This process as its claim tokens name it."""

    pid: int
    host: str
    incarnation: str

    @classmethod
    def current(cls) -> ProcessIdentity:
        return cls(os.getpid(), _host_tag(), uuid.uuid4().hex[:8])

    @property
    def _prefix(self) -> str:
        return f"{self.pid}-{self.host}-{self.incarnation}"

    def new_token(self) -> str:
        """A fresh claim token of this process (at most 40 characters)."""
        return self._prefix + uuid.uuid4().hex[:12]

    def made(self, token: str) -> bool:
        """Whether `token` is one of this incarnation's own."""
        return token.startswith(self._prefix)

    def held_by_the_dead(self, token: str) -> bool:
        """Whether `token` was made by a process of this host that is no longer running: an earlier incarnation of
        this process (its pid, another incarnation) or a pid that no longer runs. Tokens of other hosts, and tokens
        that do not name their process, are never taken for dead: their leases lapse."""
        parts = token.split("-")
        if len(parts) != 3 or parts[1] != self.host or not parts[0].isdigit():
            return False
        pid = int(parts[0])
        if pid == self.pid:
            return not parts[2].startswith(self.incarnation)
        return not _running(pid)


class ClaimGuard(Protocol):
    """What a service running a claimed task calls around its platform calls and records."""

    async def before_posting(self) -> None:
        """Extends the claim right before a platform call; raises ClaimLost when it is no longer held."""

    async def fence(self, uow: UnitOfWork) -> None:
        """Re-asserts the claim inside the unit of work that records a post (and holds it until that commits);
        raises ClaimLost, before anything is written, when the claim is no longer held."""


class Claim:
    """A running task's claim: `ClaimGuard` for the services, kept up by the due-work runner."""

    def __init__(self, task: Task, store: Store, clock: Callable[[], datetime], lease: timedelta,
                 stopping: Callable[[], bool]) -> None:
        self.task = task
        self._store = store
        self._clock = clock
        self._lease = lease
        self._stopping = stopping
        self.lost = False  # set when a renewal found the claim taken over
        self.handed_back = False

    def _check(self) -> None:
        if self.lost:
            raise ClaimLost(f"the claim on task {self.task.id} was taken over")
        if self._stopping():
            self.handed_back = True
            raise ClaimLost(f"stopping: task {self.task.id} handed back before its platform call")

    async def before_posting(self) -> None:
        self._check()
        async with self._store.unit_of_work() as uow:
            held = await uow.tasks.extend(self.task, self._clock() + self._lease)
            await uow.commit()
        if not held:
            self.lost = True
            raise ClaimLost(f"the claim on task {self.task.id} was taken over")

    async def fence(self, uow: UnitOfWork) -> None:
        if self.lost:
            raise ClaimLost(f"the claim on task {self.task.id} was taken over")
        if not await uow.tasks.extend(self.task, self._clock() + self._lease):
            self.lost = True
            raise ClaimLost(f"the claim on task {self.task.id} was taken over")
