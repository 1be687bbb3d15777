"""Who and where, by platform identity: channel ids and members, remembered once they are committed."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Generic, TypeVar

from bot.domain.model import Channel, ChannelAddress, Member, Speaker
from bot.domain.schedule import Schedule
from bot.store.unit_of_work import UnitOfWork

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        self._items.pop(key, None)


class Directory:
    """Ids never change once stored, so they are cached; but only what a committed unit of work wrote.

    Use `learn()` to collect what a unit of work found, and `remember()` after its commit.
    """

    def __init__(self, size: int = 100_000) -> None:
        self._channels: LruCache[ChannelAddress, int] = LruCache(size)
        self._members: LruCache[tuple[str, str, str], Member] = LruCache(size)

    async def channel_id(self, uow: UnitOfWork, address: ChannelAddress, learned: "Learned") -> int | None:
        """The id of a known channel, or None when prepbot has never seen it."""
        channel_id = self._channels.get(address)
        if channel_id is None:
            channel = await uow.channels.find(address)
            if channel is None:
                return None
            channel_id = channel.id
            learned.channels.append((address, channel_id))
        return channel_id

    async def channel(
        self, uow: UnitOfWork, address: ChannelAddress, name: str, default: Schedule, now: datetime,
        learned: "Learned",
    ) -> Channel:
        """The channel at `address`, created (unsubscribed, with `default`) on first sight."""
        channel_id = self._channels.get(address)
        if channel_id is not None:
            return await uow.channels.get(channel_id)
        channel = await uow.channels.get_or_create(address, name, default, now)
        learned.channels.append((address, channel.id))
        return channel

    async def member(self, uow: UnitOfWork, address: ChannelAddress, speaker: Speaker, learned: "Learned") -> Member:
        """The member for `speaker`, created on first sight; a changed display name is stored (but not the bare
        member ref that stands in when the platform could not say the name)."""
        key = (address.platform, address.workspace, speaker.ref)
        member = self._members.get(key)
        name_unknown = speaker.name in ("", speaker.ref)
        if member is None or (member.display_name != speaker.name and not name_unknown):
            member = await uow.members.upsert(address.platform, address.workspace, speaker)
            learned.members.append((key, member))
        return member

    def remember(self, learned: "Learned") -> None:
        for address, channel_id in learned.channels:
            self._channels.put(address, channel_id)
        for key, member in learned.members:
            self._members.put(key, member)


class Learned:
    """What one unit of work found out; remembered only if it commits."""

    def __init__(self) -> None:
        self.channels: list[tuple[ChannelAddress, int]] = []
        self.members: list[tuple[tuple[str, str, str], Member]] = []

    @property
    def wrote(self) -> bool:
        return bool(self.channels or self.members)
