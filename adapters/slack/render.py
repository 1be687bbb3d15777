"""Cards as Block Kit messages, always inside Slack's limits; long content is split across messages, never cut."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timezone
from typing import Any

from adapters.text import split_text, styled_lines
from bot import wording
from bot.cards import (
    Card,
    HelpCard,
    HomeCard,
    LeaderboardCard,
    Notice,
    NudgeCard,
    QuestionCard,
    ReminderCard,
    RevealCard,
    StatsCard,
    WelcomeCard,
)
from bot.wording import Bullets, ChannelLink, Document, Inline, Mark, Paragraph, Part, Rank, Span, Surface, Symbol, Text

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_MESSAGE = 40_000
MAX_VIEW_BLOCKS = 100  # a Home tab view
# What we allow ourselves per message, leaving room for the fallback text Slack counts separately.
MESSAGE_BUDGET = 30_000

Block = dict[str, Any]


QUESTION_EVENT = "prepbot_question"  # the message metadata event types that tag a round's messages
REVEAL_EVENT = "prepbot_reveal"
REMINDER_EVENT = "prepbot_reminder"
ROUND_EVENTS = (QUESTION_EVENT, REVEAL_EVENT, REMINDER_EVENT)
BOARD_EVENT = "prepbot_board"  # the message metadata event type that tags a board with a key


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage's worth: the notification text, the blocks, and the message metadata that tags a round's
    question or reveal so that the bot can find it again (None for other messages)."""

    text: str
    blocks: list[Block]
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class RoundTag:
    """What a round's message says it is: a question, a reveal or a reminder (its event type), of which round, and
    which of the card's messages it is (1 to `parts`)."""

    event_type: str
    round_id: int
    part: int = 1
    parts: int = 1

    def metadata(self) -> dict[str, Any]:
        """The tag as chat.postMessage's `metadata` argument."""
        payload: dict[str, Any] = {"round_id": self.round_id}
        if self.parts > 1:
            payload.update(part=self.part, parts=self.parts)
        return {"event_type": self.event_type, "event_payload": payload}


def read_tag(metadata: Any) -> RoundTag | None:
    """The round tag in a message's metadata as conversations.history returns it; None for a message without one."""
    if not isinstance(metadata, dict) or metadata.get("event_type") not in ROUND_EVENTS:
        return None
    payload = metadata.get("event_payload")
    if not isinstance(payload, dict):
        return None
    try:
        return RoundTag(str(metadata["event_type"]), int(payload["round_id"]), int(payload.get("part", 1)),
                        int(payload.get("parts", 1)))
    except (KeyError, TypeError, ValueError):
        return None


def board_metadata(key: str) -> dict[str, Any]:
    """The chat.postMessage `metadata` argument that tags the board whose key is `key`."""
    return {"event_type": BOARD_EVENT, "event_payload": {"key": key}}


def read_board_key(metadata: Any) -> str | None:
    """The key of the board a message's metadata (as conversations.history returns it) tags; None for a message
    that is not a board with a key."""
    if not isinstance(metadata, dict) or metadata.get("event_type") != BOARD_EVENT:
        return None
    payload = metadata.get("event_payload")
    key = payload.get("key") if isinstance(payload, dict) else None
    return key if isinstance(key, str) else None


def card_tag(card: QuestionCard | RevealCard | ReminderCard) -> RoundTag:
    """The tag of the card's first message."""
    if isinstance(card, ReminderCard):
        return RoundTag(REMINDER_EVENT, card.round_id)
    return RoundTag(QUESTION_EVENT if isinstance(card, QuestionCard) else REVEAL_EVENT, card.round_id)


def escape(text: str) -> str:
    """Text shown as-is in mrkdwn: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def date_token(epoch: int, fallback: str) -> str:
    """A date each member sees in their own time zone."""
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{escape(fallback)}>"


def header(text: str) -> Block:
    if len(text) > MAX_HEADER:
        text = text[: MAX_HEADER - 1] + "…"  # headers are titles we write ourselves, never member content
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def sections(text: str) -> list[Block]:
    """mrkdwn text as one or more sections of at most 3,000 characters, split at line ends where possible."""
    blocks = []
    for chunk in split_text(text, MAX_SECTION):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    return blocks


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION]}]}


def paginate(title: str, blocks: list[Block]) -> list[SlackMessage]:
    """Blocks spread over as many messages as the limits need, each with a notification text naming its part."""
    pages: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        block_size = len(str(block))
        if pages[-1] and (len(pages[-1]) >= MAX_BLOCKS or size + block_size > MESSAGE_BUDGET):
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += block_size
    if len(pages) == 1:
        return [SlackMessage(title, pages[0])]
    return [SlackMessage(f"{title} (part {i} of {len(pages)})", page) for i, page in enumerate(pages, start=1)]


SYMBOLS = {Mark.CHECKED: ":white_check_mark:", Mark.UNCHECKED: ":white_large_square:", Mark.WARNING: ":warning: "}
MEDALS = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}
SURFACE = Surface()


def _styled(text: str, span: Span) -> str:
    """Escaped words in mrkdwn styles, line by line (Slack styles do not cross a line end), with the markers
    against the words."""
    return styled_lines(text, code=span.code, italic="_" if span.italic else None, bold="*" if span.bold else None)


def inline(piece: Inline) -> str:
    """One piece of text as mrkdwn: words escaped and styled, signs as emoji codes, moments as Slack dates."""
    if isinstance(piece, Span):
        text = escape(piece.text)
        return _styled(text, piece) if piece.bold or piece.italic or piece.code else text
    if isinstance(piece, Symbol):
        return SYMBOLS[piece.mark]
    if isinstance(piece, Rank):
        return MEDALS.get(piece.place, f"{piece.place}.")
    if isinstance(piece, ChannelLink):
        return f"<#{piece.ref}>"  # Slack names the channel only to members who may see it
    return date_token(int(piece.at.timestamp()), f"{piece.at.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC")


def mrkdwn(text: Text) -> str:
    return "".join(inline(piece) for piece in text)


def _block_text(block: Paragraph | Bullets) -> str:
    if isinstance(block, Paragraph):
        return "\n".join(mrkdwn(line) for line in block.lines)
    items = [f"• {mrkdwn(item)}" for item in block.items]
    return "\n".join([mrkdwn(block.intro), *items] if block.intro else items)


def blocks_of(doc: Document) -> list[Block]:
    """A document as Block Kit: a header for its title, sections for its parts (a part with a heading in one
    run of sections), a divider for a rule, a context for its fields and footer, and one for each note."""
    blocks: list[Block] = [header(doc.title)] if doc.title else []
    if doc.lead:
        blocks += sections(mrkdwn(doc.lead))
    for part in doc.parts:
        if not isinstance(part, Part):
            blocks.append({"type": "divider"})
        elif part.heading:
            blocks += sections("\n".join([mrkdwn(part.heading), *(_block_text(b) for b in part.blocks)]))
        else:
            for block in part.blocks:
                blocks += sections(_block_text(block))
    closing = [f"{field.name} {mrkdwn(field.value)}" for field in doc.fields]
    if doc.footer:
        closing.append(mrkdwn(doc.footer))
    if closing:
        blocks.append(context(" · ".join(closing)))
    blocks += [context(mrkdwn(note)) for note in doc.notes]
    return blocks


ANSWER_ACTION = "prep_answer_private"  # the action_id of a question's "Answer privately" button
ANSWER_VIEW = "prep_private_answer"  # the callback_id of the private answer's modal
ANSWER_BLOCK, ANSWER_INPUT = "answer", "answer_text"  # where the modal's text input is, and its action_id
MAX_INPUT = 3000  # characters a plain_text_input takes at most
MAX_MODAL_TITLE = 24


def answer_button() -> Block:
    """The actions block under a question answered privately: its button opens the member's private answer."""
    return {"type": "actions", "block_id": "prep_answer", "elements": [{
        "type": "button", "action_id": ANSWER_ACTION, "style": "primary",
        "text": {"type": "plain_text", "text": wording.ANSWER_PRIVATELY_BUTTON, "emoji": True}, "value": "answer"}]}


def render_question(card: QuestionCard) -> SlackMessage:
    doc = wording.question(card, SURFACE)
    blocks = blocks_of(doc)
    if card.private and not card.closed:
        blocks.append(answer_button())
    return SlackMessage(doc.summary, blocks, None if card.closed else card_tag(card).metadata())


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def answer_modal(channel: str, thread_ts: str, current: str) -> dict[str, Any]:
    """The private answer's modal: one multiline text input, holding the member's answer so far to edit. Which
    question it answers travels in its private_metadata."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": ANSWER_INPUT, "multiline": True,
                               "max_length": MAX_INPUT}
    if current:
        element["initial_value"] = current[:MAX_INPUT]
    return {
        "type": "modal", "callback_id": ANSWER_VIEW, "title": _plain(wording.YOUR_PRIVATE_ANSWER),
        "submit": _plain(wording.SAVE_ANSWER), "close": _plain(wording.CANCEL),
        "private_metadata": json.dumps({"channel": channel, "thread_ts": thread_ts}),
        "blocks": [
            context(mrkdwn(wording.words(wording.PRIVATE_ANSWER_TERMS))),
            {"type": "input", "block_id": ANSWER_BLOCK, "label": _plain(wording.YOUR_ANSWER), "element": element},
        ],
    }


def read_answer_modal(view: dict[str, Any]) -> tuple[str, str, str] | None:
    """(channel, thread ts, text) from a submitted answer modal; None when it is not one."""
    try:
        where = json.loads(str(view.get("private_metadata") or ""))
        value = view["state"]["values"][ANSWER_BLOCK][ANSWER_INPUT].get("value")
        return str(where["channel"]), str(where["thread_ts"]), str(value or "")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def notice_modal(card: Notice) -> dict[str, Any]:
    """A modal that only says `card` (the round is closed, the answer saved), with a button to close it."""
    return {"type": "modal", "title": _plain(wording.YOUR_PRIVATE_ANSWER), "close": _plain(wording.CLOSE),
            "blocks": blocks_of(wording.notice(card))}


def render_reveal(card: RevealCard) -> list[SlackMessage]:
    doc = wording.reveal(card)
    pages = paginate(doc.summary, blocks_of(doc))
    return [SlackMessage(page.text, page.blocks, RoundTag(REVEAL_EVENT, card.round_id, part, len(pages)).metadata())
            for part, page in enumerate(pages, start=1)]


def render_board(card: LeaderboardCard) -> SlackMessage:
    doc = wording.board(card)
    return SlackMessage(doc.summary, blocks_of(doc), board_metadata(card.key) if card.key is not None else None)


def chart_comment(title: str) -> str:
    """The message that shares a board's chart, for the board titled `title` (mrkdwn text without blocks:
    files.completeUploadExternal takes none)."""
    return mrkdwn(wording.chart_comment(title))


def render_stats(card: StatsCard) -> SlackMessage:
    doc = wording.stats(card)
    return SlackMessage(doc.summary, blocks_of(doc))


def render_reminder(card: ReminderCard) -> SlackMessage:
    """The reminder in a question's thread, tagged with its round so that it can be found again."""
    doc = wording.reminder(card, SURFACE)
    return SlackMessage(doc.summary, blocks_of(doc), card_tag(card).metadata())


def render_text(card: Notice | HelpCard | NudgeCard) -> SlackMessage:
    """A notice, the help or a nudge: sections only, with the words as notification text."""
    doc = wording.document(card, SURFACE)
    return SlackMessage(doc.summary[:MAX_SECTION], blocks_of(doc))


def render_welcome(card: WelcomeCard) -> SlackMessage:
    doc = wording.welcome(card, SURFACE)
    return SlackMessage(doc.summary, blocks_of(doc))


def render_home(card: HomeCard) -> dict[str, Any]:
    """The member's App Home tab: a `home` view for views.publish, within a view's 100 blocks."""
    blocks = blocks_of(wording.home(card, SURFACE))
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = blocks[: MAX_VIEW_BLOCKS - 1] + [context(mrkdwn(wording.home_overflow(SURFACE)))]
    return {"type": "home", "blocks": blocks}


def render(card: Card) -> list[SlackMessage]:
    """The messages that show `card`: one, except for a reveal too long for one message."""
    if isinstance(card, QuestionCard):
        return [render_question(card)]
    if isinstance(card, RevealCard):
        return render_reveal(card)
    if isinstance(card, LeaderboardCard):
        return [render_board(card)]
    if isinstance(card, StatsCard):
        return [render_stats(card)]
    if isinstance(card, WelcomeCard):
        return [render_welcome(card)]
    if isinstance(card, ReminderCard):
        return [render_reminder(card)]
    return [render_text(card)]
