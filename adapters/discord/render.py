"""Cards as Discord messages (embeds), inside Discord's documented limits; long content is split, never cut."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import discord

from adapters.chart import CardImage, chart_of
from adapters.text import split_text
from bot.cards import (
    Card,
    LeaderboardCard,
    Notice,
    NoticeKind,
    QuestionCard,
    RevealCard,
    StatsCard,
    point_remark,
)

MAX_CONTENT = 2000
MAX_DESCRIPTION = 4096
MAX_TITLE = 256
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
OPEN_COLOUR = discord.Colour.blurple()
CLOSED_COLOUR = discord.Colour.dark_grey()
MARKER_ROOM = 100  # characters kept free in each message of a round's card for the round marker in its footer
QUESTION = "question"
REVEAL = "reveal"
REVEAL_LABEL = "hint and feedback"
# The footer that marks a round's message, so that the bot can find it again: "Round 42", "Round 42 · hint and
# feedback", either with ", part 2 of 3" when the card takes several messages, and then " · " and more text, or not.
MARKER = re.compile(rf"^Round (\d+)( · {REVEAL_LABEL})?(?:, part (\d+) of (\d+))?(?: · |$)")
# The footer that marks a board with a key (the weekly board), so that the bot can find it again: "Board week:...".
BOARD_MARKER = re.compile(r"^Board (\S+)(?: · |$)")


@dataclass
class DiscordMessage:
    """One message's worth: its content, its embeds, and a picture sent with it as an attachment (which an embed
    may show as `attachment://FILENAME`)."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    image: CardImage | None = None

    def file(self) -> discord.File | None:
        """The picture as a new discord.File (a File is used up by one send), with its alt text as the attachment's
        description; None without a picture."""
        if self.image is None:
            return None
        return discord.File(io.BytesIO(self.image.data), filename=self.image.filename,
                            description=self.image.alt_text)

    def without_image(self) -> DiscordMessage:
        """The same message with neither the attachment nor any embed image that shows it."""
        embeds = []
        for embed in self.embeds:
            copy = embed.copy()
            if copy.image.url and copy.image.url.startswith("attachment://"):
                copy.set_image(url=None)
            embeds.append(copy)
        return DiscordMessage(self.content, embeds)


def attachment_url(image: CardImage) -> str:
    """How an embed in the same message refers to the attached picture."""
    return f"attachment://{image.filename}"


def timestamp(epoch: int) -> str:
    """A time each member sees in their own zone, and how far away it is."""
    return f"<t:{epoch}:F> (<t:{epoch}:R>)"


def _pieces(text: str, size: int) -> list[str]:
    return split_text(text, size, empty="\u200b")


def _embed_size(embed: discord.Embed) -> int:
    return len(embed)


def pack(embeds: list[discord.Embed], reserve: int = 0) -> list[DiscordMessage]:
    """Embeds spread over as many messages as the 10-embed and 6,000-character limits need, keeping `reserve`
    characters of each message free."""
    messages: list[DiscordMessage] = [DiscordMessage()]
    total = 0
    for embed in embeds:
        size = _embed_size(embed)
        current = messages[-1]
        if current.embeds and (len(current.embeds) >= MAX_EMBEDS or total + size > MAX_EMBED_TOTAL - reserve):
            messages.append(DiscordMessage())
            total = 0
        messages[-1].embeds.append(embed)
        total += size
    return messages


@dataclass(frozen=True)
class RoundMarker:
    """What a round's message says it is: the question or the reveal (`kind`) of a round, and which of the card's
    messages (1 to `parts`)."""

    kind: str
    round_id: int
    part: int = 1
    parts: int = 1

    def text(self) -> str:
        label = f" · {REVEAL_LABEL}" if self.kind == REVEAL else ""
        part = f", part {self.part} of {self.parts}" if self.parts > 1 else ""
        return f"Round {self.round_id}{label}{part}"


def read_marker(message: dict[str, object]) -> RoundMarker | None:
    """The round marker of a message as the API returns it (the footer of one of its embeds); None without one."""
    embeds = message.get("embeds")
    for embed in embeds if isinstance(embeds, list) else []:
        footer = embed.get("footer") if isinstance(embed, dict) else None
        found = MARKER.match(str(footer.get("text") or "")) if isinstance(footer, dict) else None
        if found:
            return RoundMarker(REVEAL if found.group(2) else QUESTION, int(found.group(1)),
                               int(found.group(3) or 1), int(found.group(4) or 1))
    return None


def board_marker(key: str) -> str:
    """The footer text that marks the board whose key is `key`."""
    return f"Board {key}"


def read_board_key(message: dict[str, object]) -> str | None:
    """The key of the board a message shows, as the API returns it (the footer of one of its embeds); None for a
    message that is not a board with a key."""
    embeds = message.get("embeds")
    for embed in embeds if isinstance(embeds, list) else []:
        footer = embed.get("footer") if isinstance(embed, dict) else None
        found = BOARD_MARKER.match(str(footer.get("text") or "")) if isinstance(footer, dict) else None
        if found:
            return found.group(1)
    return None


def card_marker(card: QuestionCard | RevealCard) -> RoundMarker:
    """The marker of the card's first message."""
    return RoundMarker(QUESTION if isinstance(card, QuestionCard) else REVEAL, card.round_id)


def _marked(messages: list[DiscordMessage], kind: str, round_id: int) -> list[DiscordMessage]:
    """Marks each message of a round's card in the footer of its last embed, before any footer text it has."""
    for part, message in enumerate(messages, start=1):
        last = message.embeds[-1]
        marker = RoundMarker(kind, round_id, part, len(messages)).text()
        footer = last.footer.text
        last.set_footer(text=f"{marker} · {footer}" if footer else marker)
    return messages


def _title(text: str) -> str:
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def question_embeds(card: QuestionCard) -> list[discord.Embed]:
    """The question as one embed, or, for a question longer than one description, several in the same message."""
    epoch = int(card.deadline_at.timestamp())
    pieces = _pieces(card.question, MAX_DESCRIPTION)
    colour = CLOSED_COLOUR if card.closed else OPEN_COLOUR
    if card.closed:
        title = f"Closed: {card.level_label} question"
    else:
        kind = (f"Practice question for {card.requested_by}" if card.practice and card.requested_by
                else "Practice question" if card.practice else "Question of the day")
        title = f"{kind} · {card.level_label}"
    embeds = [discord.Embed(title=_title(title) if i == 0 else None, description=piece, colour=colour)
              for i, piece in enumerate(pieces)]
    last = embeds[-1]
    if card.closed:
        last.add_field(name="Answers closed", value=f"<t:{epoch}:F>. The hint and feedback are in the thread.")
    else:
        last.add_field(name="Answers close", value=timestamp(epoch), inline=False)
        last.set_footer(text="Reply in this question's thread, or press Answer. "
                             "Several replies add up; edit or delete them freely.")
    return embeds


def question_messages(card: QuestionCard) -> list[DiscordMessage]:
    """The question as one message (more only for a question over about 5,000 characters), each marked."""
    return _marked(pack(question_embeds(card), MARKER_ROOM), QUESTION, card.round_id)


def reveal_messages(card: RevealCard) -> list[DiscordMessage]:
    checklist = "\n".join(f"• {point}" for point in card.key_points)
    embeds: list[discord.Embed] = []
    model = f"\n\n**A model answer:** {card.model_answer}" if card.model_answer else ""
    for i, piece in enumerate(_pieces(f"**Hint:** {card.hint}{model}\n\n**A strong answer covers:**\n{checklist}",
                                      MAX_DESCRIPTION)):
        embeds.append(discord.Embed(title="Hint and feedback" if i == 0 else None, description=piece,
                                    colour=OPEN_COLOUR))
    if not card.feedback:
        embeds.append(discord.Embed(description="Nobody answered this one."))
    for item in card.feedback:
        status = "on time" if item.on_time else "late"
        lines = []
        for point in item.covered:
            remark = point_remark(point)
            said = f" *({remark})*" if remark else ""
            lines.append(f"{'✅' if point.covered else '⬜'} {point.point}{said}")
        lines += [advice for advice in (item.judge_says, item.did_well, item.study_next) if advice]
        if item.awards:
            lines.append(", ".join(f"+{a.amount} {a.reason} ({a.detail})" for a in item.awards))
        if item.note:
            lines.append(f"*{item.note}*")
        heading = f"{item.member_name} ({status}): covered {item.covered_count} of {len(item.covered)}"
        if item.awards:
            heading += f" · {item.total_points} pts"
        for i, piece in enumerate(_pieces("\n".join(lines) or "\u200b", MAX_DESCRIPTION)):
            embeds.append(discord.Embed(title=_title(heading) if i == 0 else None, description=piece))
    if card.graded_by:
        embeds.append(discord.Embed(description=card.graded_by))
    tally = card.tally
    embeds.append(discord.Embed(description=(
        f"{tally.answers} answer(s): {tally.on_time} on time, {tally.late} late · "
        f"average coverage {tally.average_coverage:.0%}"
    )))
    messages = _marked(pack(embeds, MARKER_ROOM), REVEAL, card.round_id)
    if card.note:
        messages[0].content = card.note[:MAX_CONTENT]
    return messages


def board_embed(card: LeaderboardCard, image: CardImage | None = None) -> discord.Embed:
    level = f" · {card.level_label}" if card.level_label else ""
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    lines = [f"{medals.get(line.rank, f'{line.rank}.')} **{line.name}** · {line.total} pts "
             f"({line.rounds} round{'s' if line.rounds != 1 else ''})" for line in card.lines]
    embed = discord.Embed(title=_title(f"{card.title} · {card.period}{level}"),
                          description="\n".join(lines) or "No points yet. Answer today's question to get on the board!",
                          colour=discord.Colour.gold())
    if image is not None:
        embed.set_image(url=attachment_url(image))
    if card.key is not None:
        embed.set_footer(text=board_marker(card.key))
    return embed


def stats_embed(card: StatsCard) -> discord.Embed:
    breakdown = " · ".join(f"{reason} {amount}" for reason, amount in card.breakdown)
    lines = [f"**{card.total} points** all time ({breakdown}); **{card.week_total}** this week",
             f"Streak: **{card.streak_days}** day(s) · rounds answered: {card.rounds_answered}"]
    lines += [f"{level}: {ratio:.0%} of key points over {count} round(s)" for level, ratio, count in
              card.coverage_by_level]
    return discord.Embed(title=_title(f"Stats for {card.member_name}"), description="\n".join(lines))


def render(card: Card) -> list[DiscordMessage]:
    """The messages that show `card`."""
    if isinstance(card, QuestionCard):
        return question_messages(card)
    if isinstance(card, RevealCard):
        return reveal_messages(card)
    if isinstance(card, LeaderboardCard):
        image = chart_of(card)
        return [DiscordMessage(embeds=[board_embed(card, image)], image=image)]
    if isinstance(card, StatsCard):
        return [DiscordMessage(embeds=[stats_embed(card)])]
    return notice_messages(card)


def notice_messages(card: Notice) -> list[DiscordMessage]:
    prefix = "⚠️ " if card.kind is NoticeKind.ERROR else ""
    return [DiscordMessage(content=piece) for piece in _pieces(prefix + card.text, MAX_CONTENT)]
