"""A channel's answer mode: how `/prep config` shows it, and an admin's switch between thread and private answers."""

from __future__ import annotations

from bot.cards import Notice
from bot.domain.model import AnswerMode, Channel, Member
from bot.messages import CommandReply, SetAnswerMode
from bot.ports import ChatPort
from bot.store.unit_of_work import Store


def answer_mode_text(mode: AnswerMode) -> str:
    """How the channel's questions are answered, as `/prep config` says it."""
    if mode is AnswerMode.PRIVATE:
        return ("Answers: private (each member answers through the question's private path; nobody sees another's "
                'answer until the reveal). To have answers in the thread instead, an admin sets the config setting '
                '"answers" to "thread".')
    return ("Answers: replies in the question's thread, which everyone reads. To keep them private until the reveal, "
            'an admin sets the config setting "answers" to "private".')


async def set_answer_mode(parsed: SetAnswerMode, channel: Channel, member: Member, *, store: Store,
                          chat: ChatPort) -> CommandReply:
    """Switches how the channel's next questions are answered and tells the channel; a question already posted
    keeps the mode it was posted with."""
    if parsed.mode is channel.answer_mode:
        return CommandReply((Notice(f"Nothing to change. {answer_mode_text(channel.answer_mode)}"),))
    async with store.unit_of_work() as uow:
        await uow.channels.set_answer_mode(channel.id, parsed.mode)
        await uow.commit()
    if parsed.mode is AnswerMode.PRIVATE:
        text = (f"{member.display_name} made answers private: from the next question on, each member answers "
                "through the question's private path, and nobody sees another's answer until the reveal, which "
                "shows them all.")
    else:
        text = (f"{member.display_name} switched answers to the thread: from the next question on, members answer "
                "by replying in the question's thread.")
    await chat.post_message(channel.address, Notice(text))
    return CommandReply()
