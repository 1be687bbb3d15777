"""Cards as Discord messages (embeds), inside Discord's documented limits; long content is split, never cut."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import discord

from adapters.chart import CardImage, chart_of
from adapters.text import split_text, styled_lines
from bot import wording
from bot.cards import (
    Card,
    HelpCard,
    LeaderboardCard,
    Notice,
    NudgeCard,
    QuestionCard,
    ReminderCard,
    RevealCard,
    StatsCard,
    WelcomeCard,
)
from bot.wording import (
    ANSWER_BUTTON,
    Bullets,
    ChannelLink,
    CommandSpelling,
    Document,
    Inline,
    Mark,
    Paragraph,
    Part,
    Rank,
    Span,
    Surface,
    Symbol,
    Text,
    admins_with,
    press,
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
REMINDER = "reminder"
REVEAL_LABEL = "hint and feedback"
LABELS = {REVEAL: REVEAL_LABEL, REMINDER: "reminder"}  # a question's marker has no label
# The footer that marks a round's message, so that the bot can find it again: "Round 42", "Round 42 · hint and
# feedback", "Round 42 · reminder", any with ", part 2 of 3" when the card takes several messages, and then " · "
# and more text, or not.
MARKER = re.compile(rf"^Round (\d+)(?: · ({REVEAL_LABEL}|reminder))?(?:, part (\d+) of (\d+))?(?: · |$)")
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
    """What a round's message says it is: the question, the reveal or the reminder (`kind`) of a round, and which of
    the card's messages (1 to `parts`)."""

    kind: str
    round_id: int
    part: int = 1
    parts: int = 1

    def text(self) -> str:
        label = f" · {LABELS[self.kind]}" if self.kind in LABELS else ""
        part = f", part {self.part} of {self.parts}" if self.parts > 1 else ""
        return f"Round {self.round_id}{label}{part}"


def read_marker(message: dict[str, object]) -> RoundMarker | None:
    """The round marker of a message as the API returns it (the footer of one of its embeds); None without one."""
    embeds = message.get("embeds")
    for embed in embeds if isinstance(embeds, list) else []:
        footer = embed.get("footer") if isinstance(embed, dict) else None
        found = MARKER.match(str(footer.get("text") or "")) if isinstance(footer, dict) else None
        if found:
            kind = {label: kind for kind, label in LABELS.items()}.get(found.group(2) or "", QUESTION)
            return RoundMarker(kind, int(found.group(1)), int(found.group(3) or 1), int(found.group(4) or 1))
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


def card_marker(card: QuestionCard | RevealCard | ReminderCard) -> RoundMarker:
    """The marker of the card's first message."""
    if isinstance(card, ReminderCard):
        return RoundMarker(REMINDER, card.round_id)
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


SYMBOLS = {Mark.CHECKED: "✅", Mark.UNCHECKED: "⬜", Mark.WARNING: "⚠️ "}
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
SURFACE = Surface(answer_button=True, private_answer=press(ANSWER_BUTTON), commands=CommandSpelling(
    practice=("/prep practice [level]",),
    board="/prep leaderboard [period] [level]",
    stats="/prep stats",
    opt_out="/prep optout",
    opt_in="/prep optin",
    admins=admins_with("Manage Server"),
    admin=("/prep-admin subscribe [time] [timezone] [days] [deadline] [levels]", "/prep-admin unsubscribe",
           "/prep-admin pause", "/prep-admin resume", "/prep-admin skip", "/prep-admin holidays",
           "/prep-admin config"),
    subscribe_example="/prep-admin subscribe time:09:30 timezone:Europe/Berlin days:mon-fri deadline:17:00",
    answers_in_threads="/prep-admin config setting:answers value:thread",
))


def _styled(text: str, span: Span) -> str:
    """Words in Discord markdown styles, line by line, with the markers against the words."""
    return styled_lines(text, code=span.code, italic="*" if span.italic else None, bold="**" if span.bold else None)


def inline(piece: Inline, styled: bool = True) -> str:
    """One piece of text as Discord markdown (or, where markdown is not shown, `styled` False, as plain words):
    signs as emoji, moments as Discord timestamps."""
    if isinstance(piece, Span):
        return _styled(piece.text, piece) if styled and (piece.bold or piece.italic or piece.code) else piece.text
    if isinstance(piece, Symbol):
        return SYMBOLS[piece.mark]
    if isinstance(piece, Rank):
        return MEDALS.get(piece.place, f"{piece.place}.")
    if isinstance(piece, ChannelLink):
        return f"<#{piece.ref}>" if styled else f"#{piece.name}"  # titles and footers show no mentions
    return timestamp(int(piece.at.timestamp()))


def markdown(text: Text) -> str:
    return "".join(inline(piece) for piece in text)


def words_only(text: Text) -> str:
    """Text for an embed title or footer, which show no markdown."""
    return "".join(inline(piece, styled=False) for piece in text)


def _block_text(block: Paragraph | Bullets) -> str:
    if isinstance(block, Paragraph):
        return "\n".join(markdown(line) for line in block.lines)
    items = [f"• {markdown(item)}" for item in block.items]
    return "\n".join([markdown(block.intro), *items] if block.intro else items)


def embeds_of(doc: Document, colour: discord.Colour | None = None) -> list[discord.Embed]:
    """A document as embeds: its first part under its title (in `colour`), each part with a heading under that
    heading, any other part on its own, each split over as many embeds as its length needs; then one embed per
    note. The fields and the footer go on the last embed before the notes."""
    embeds: list[discord.Embed] = []
    first = True
    for part in doc.parts:
        if not isinstance(part, Part):
            continue
        if part.heading:
            title: str | None = words_only(part.heading)
            body = "\n".join(_block_text(block) for block in part.blocks)
        else:
            title = doc.title if first and doc.title else None
            body = "\n\n".join(_block_text(block) for block in part.blocks)
        for i, piece in enumerate(_pieces(body or "\u200b", MAX_DESCRIPTION)):
            embeds.append(discord.Embed(title=_title(title) if title and i == 0 else None, description=piece,
                                        colour=colour if first else None))
        first = False
    last = embeds[-1]
    for field in doc.fields:
        last.add_field(name=field.name, value=markdown(field.value), inline=False)
    if doc.footer:
        last.set_footer(text=words_only(doc.footer))
    embeds += [discord.Embed(description=piece) for note in doc.notes
               for piece in _pieces(markdown(note), MAX_DESCRIPTION)]
    return embeds


def question_embeds(card: QuestionCard) -> list[discord.Embed]:
    """The question as one embed, or, for a question longer than one description, several in the same message."""
    return embeds_of(wording.question(card, SURFACE), CLOSED_COLOUR if card.closed else OPEN_COLOUR)


def question_messages(card: QuestionCard) -> list[DiscordMessage]:
    """The question as one message (more only for a question over about 5,000 characters), each marked."""
    return _marked(pack(question_embeds(card), MARKER_ROOM), QUESTION, card.round_id)


def reveal_messages(card: RevealCard) -> list[DiscordMessage]:
    doc = wording.reveal(card)
    messages = _marked(pack(embeds_of(doc, OPEN_COLOUR), MARKER_ROOM), REVEAL, card.round_id)
    if doc.lead:
        messages[0].content = markdown(doc.lead)[:MAX_CONTENT]
    return messages


def reminder_messages(card: ReminderCard) -> list[DiscordMessage]:
    """The reminder as one message, marked with its round so that it can be found again."""
    return _marked(pack(embeds_of(wording.reminder(card, SURFACE), OPEN_COLOUR), MARKER_ROOM), REMINDER,
                   card.round_id)


def board_embed(card: LeaderboardCard, image: CardImage | None = None) -> discord.Embed:
    [embed] = embeds_of(wording.board(card), discord.Colour.gold())
    if image is not None:
        embed.set_image(url=attachment_url(image))
    if card.key is not None:
        embed.set_footer(text=board_marker(card.key))
    return embed


def stats_embed(card: StatsCard) -> discord.Embed:
    [embed] = embeds_of(wording.stats(card))
    return embed


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
    if isinstance(card, WelcomeCard):
        return [DiscordMessage(embeds=embeds_of(wording.welcome(card, SURFACE), OPEN_COLOUR))]
    if isinstance(card, ReminderCard):
        return reminder_messages(card)
    return text_messages(card)


def content_of(doc: Document) -> str:
    """A document without a title as message content: its parts' text, one block a line."""
    return "\n".join(_block_text(block) for part in doc.parts if isinstance(part, Part) for block in part.blocks)


def text_messages(card: Notice | HelpCard | NudgeCard) -> list[DiscordMessage]:
    """A notice, the help or a nudge as plain messages, split at Discord's content limit."""
    return [DiscordMessage(content=piece) for piece in _pieces(content_of(wording.document(card, SURFACE)),
                                                              MAX_CONTENT)]
