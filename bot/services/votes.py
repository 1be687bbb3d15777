"""Votes: teammates' reactions on an answer, open until the round's reveal."""

from __future__ import annotations

import logging

from bot.cards import Notice
from bot.domain.model import RoundStatus
from bot.messages import CastVote, Ignored, RetractVote, VoteCounted, VoteOutcome, VotingClosed
from bot.ports import ChatError, ChatPort
from bot.store.unit_of_work import Store

log = logging.getLogger("prepbot")

VOTING_CLOSED = "Voting on round {round_id} closed at the reveal; points are final, so {change}."
CAST_AFTER_THE_REVEAL = "your reaction adds no points"
TAKEN_BACK_AFTER_THE_REVEAL = "taking your reaction back takes no points away"


async def record_vote(command: CastVote | RetractVote, *, store: Store) -> VoteOutcome:
    """Counts (or takes back) a reaction on an answer while its round takes votes: until the reveal, whose points
    are final. The author's own and bots' reactions never count."""
    if command.voter.is_bot:
        return Ignored("bots do not vote")
    async with store.unit_of_work() as uow:
        channel = await uow.channels.find(command.channel)
        if channel is None:
            return Ignored("not a channel prepbot knows")
        part = await uow.answers.by_message(channel.id, command.message_ref)
        if part is None:
            return Ignored("not an answer")
        members = await uow.members.get_many([part.member_id])
        if members[part.member_id].ref == command.voter.ref:
            return Ignored("your own answer")
        if await uow.votes.hold_round(part.round_id) is RoundStatus.CLOSED:
            return VotingClosed(part.round_id, cast=isinstance(command, CastVote))
        if isinstance(command, CastVote) or command.voter.name:
            voter = await uow.members.upsert(command.channel.platform, command.channel.workspace, command.voter)
        else:  # a removal that does not say who the voter is by name: do not rename them
            found = await uow.members.find(command.channel.platform, command.channel.workspace, command.voter.ref)
            if found is None:
                return Ignored("no such vote")
            voter = found
        if isinstance(command, CastVote):
            changed = await uow.votes.add(part.round_id, part.message_ref, part.member_id, voter.id, command.reaction,
                                          command.at)
        else:
            changed = await uow.votes.remove(part.round_id, part.message_ref, voter.id, command.reaction)
        voters = (await uow.votes.voters_by_author(part.round_id)).get(part.member_id, 0)
        await uow.commit()
    return VoteCounted(part.round_id, part.member_id, voters, changed)


def voting_closed_notice(outcome: VotingClosed) -> Notice:
    """What a member who voted after the reveal reads."""
    change = CAST_AFTER_THE_REVEAL if outcome.cast else TAKEN_BACK_AFTER_THE_REVEAL
    return Notice(VOTING_CLOSED.format(round_id=outcome.round_id, change=change))


async def tell_voter(chat: ChatPort, command: CastVote | RetractVote, outcome: VotingClosed) -> None:
    """Tells the voter, privately, that their vote came after the reveal; a platform's refusal is logged."""
    try:
        await chat.tell_member(command.channel, command.voter.ref, voting_closed_notice(outcome))
    except ChatError as error:
        log.warning("could not tell a voter that voting on round %d is closed: %s", outcome.round_id, error)
