"""The private answer path: what a member's answer form shows.

Before they answer, the form shows their answer so far, or that the round is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.model import ChannelAddress, RoundStatus, private_answer_ref
from bot.store.unit_of_work import Store


@dataclass(frozen=True)
class AnswerForm:
    """A round's private path as one member opens it: whether the round is answered privately, whether it still
    takes answers, and the member's private answer so far (empty when none), to edit."""

    round_id: int
    private: bool
    open: bool
    current: str = ""


async def answer_form(store: Store, address: ChannelAddress, thread_ref: str, member_ref: str,
                      now: datetime) -> AnswerForm | None:
    """The form of the round whose question started the thread `thread_ref`, for member `member_ref`; None when
    the thread is not a posted round's."""
    async with store.unit_of_work() as uow:
        channel = await uow.channels.find(address)
        if channel is None:
            return None
        round_ = await uow.rounds.by_message(channel.id, thread_ref)
        if round_ is None or round_.deadline_at is None or round_.status is RoundStatus.PENDING:
            return None
        part = await uow.answers.in_round(round_.id, private_answer_ref(member_ref))
    taking = round_.status is RoundStatus.OPEN and round_.is_on_time(now)
    current = part.text if part is not None and part.withdrawn_at is None else ""
    return AnswerForm(round_.id, round_.private, taking, current)
