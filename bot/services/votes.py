"""Votes: teammates' reactions on an answer."""

from __future__ import annotations

from bot.config import Settings
from bot.messages import CastVote, Ignored, RetractVote, VoteCounted
from bot.services.scoring import rescore_votes
from bot.store.unit_of_work import Store


async def record_vote(
    command: CastVote | RetractVote, *, store: Store, settings: Settings
) -> VoteCounted | Ignored:
    """Counts (or takes back) a reaction on an answer; the author's own and bots' reactions never count."""
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
        if isinstance(command, CastVote) or command.voter.name:
            voter = await uow.members.upsert(command.channel.platform, command.channel.workspace, command.voter)
        else:  # a removal that does not say who the voter is by name: do not rename them
            found = await uow.members.find(command.channel.platform, command.channel.workspace, command.voter.ref)
            if found is None:
                return Ignored("no such vote")
            voter = found
        if isinstance(command, CastVote):
            await uow.votes.add(part.round_id, part.message_ref, part.member_id, voter.id, command.reaction, command.at)
        else:
            await uow.votes.remove(part.round_id, part.message_ref, voter.id, command.reaction)
        round_ = await uow.rounds.get(part.round_id)
        await rescore_votes(uow, round_, part.member_id, settings, command.at)
        voters = (await uow.votes.voters_by_author(round_.id)).get(part.member_id, 0)
        await uow.commit()
    return VoteCounted(round_.id, part.member_id, voters)
