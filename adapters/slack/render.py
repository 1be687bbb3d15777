"""Cards as Block Kit messages, always inside Slack's limits; long content is split across messages, never cut."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.text import split_text
from bot.cards import Card, LeaderboardCard, Notice, NoticeKind, QuestionCard, RevealCard, StatsCard, point_remark

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_MESSAGE = 40_000
# What we allow ourselves per message, leaving room for the fallback text Slack counts separately.
MESSAGE_BUDGET = 30_000

Block = dict[str, Any]


QUESTION_EVENT = "prepbot_question"  # the message metadata event types that tag a round's messages
REVEAL_EVENT = "prepbot_reveal"
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
    """What a round's message says it is: a question or a reveal (its event type), of which round, and which of
    the card's messages it is (1 to `parts`)."""

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
    if not isinstance(metadata, dict) or metadata.get("event_type") not in (QUESTION_EVENT, REVEAL_EVENT):
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


def card_tag(card: QuestionCard | RevealCard) -> RoundTag:
    """The tag of the card's first message."""
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


def render_question(card: QuestionCard) -> SlackMessage:
    epoch = int(card.deadline_at.timestamp())
    fallback = f"{card.deadline_at:%Y-%m-%d %H:%M} UTC"
    if card.closed:
        title = f"Closed: {card.level_label} question"
        blocks = [header(title), *sections(escape(card.question)),
                  context(f"Answers closed {date_token(epoch, fallback)}. The hint and feedback are in the thread.")]
        return SlackMessage(f"{title}: {card.question}", blocks)
    title = (f"Practice question for {card.requested_by}" if card.practice and card.requested_by
             else "Practice question" if card.practice else "Question of the day")
    title = f"{title} · {card.level_label}"
    blocks = [
        header(title),
        *sections(f"*{escape(card.question)}*"),
        context(f"Answers close {date_token(epoch, fallback)} · {escape(card.how_to_answer)}"),
    ]
    return SlackMessage(f"{title}: {card.question}", blocks, card_tag(card).metadata())


def render_reveal(card: RevealCard) -> list[SlackMessage]:
    checklist = "\n".join(f"• {escape(point)}" for point in card.key_points)
    blocks: list[Block] = [
        header("Hint and feedback"),
        *sections(f"*Hint:* {escape(card.hint)}"),
        *(sections(f"*A model answer:* {escape(card.model_answer)}") if card.model_answer else []),
        *sections(f"*A strong answer covers:*\n{checklist}"),
        {"type": "divider"},
    ]
    if not card.feedback:
        blocks += sections("Nobody answered this one.")
    for item in card.feedback:
        status = "on time" if item.on_time else "late"
        lines = [f"*{escape(item.member_name)}* ({status}): covered {item.covered_count} of {len(item.covered)}"
                 + (f" · *{item.total_points} pts*" if item.awards else "")]
        for point in item.covered:
            remark = point_remark(point)
            said = f" _({escape(remark)})_" if remark else ""
            lines.append(f"{':white_check_mark:' if point.covered else ':white_large_square:'} {escape(point.point)}{said}")
        lines += [escape(advice) for advice in (item.judge_says, item.did_well, item.study_next) if advice]
        if item.awards:
            lines.append(", ".join(f"+{a.amount} {a.reason} ({escape(a.detail)})" for a in item.awards))
        if item.note:
            lines.append(f"_{escape(item.note)}_")
        blocks += sections("\n".join(lines))
    if card.graded_by:
        blocks.append(context(escape(card.graded_by)))
    tally = card.tally
    blocks.append(context(
        f"{tally.answers} answer(s): {tally.on_time} on time, {tally.late} late · "
        f"average coverage {tally.average_coverage:.0%}"
    ))
    pages = paginate(f"Hint and feedback for round {card.round_id}", blocks)
    return [SlackMessage(page.text, page.blocks, RoundTag(REVEAL_EVENT, card.round_id, part, len(pages)).metadata())
            for part, page in enumerate(pages, start=1)]


def render_board(card: LeaderboardCard) -> SlackMessage:
    level = f" · {card.level_label}" if card.level_label else ""
    title = f"{card.title} · {card.period}{level}"
    medals = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}
    lines = [f"{medals.get(line.rank, f'{line.rank}.')} *{escape(line.name)}* · {line.total} pts "
             f"({line.rounds} round{'s' if line.rounds != 1 else ''})" for line in card.lines]
    body = "\n".join(lines) if lines else "No points yet. Answer today's question to get on the board!"
    return SlackMessage(title, [header(title), *sections(body)],
                        board_metadata(card.key) if card.key is not None else None)


def chart_comment(title: str) -> str:
    """The message that shares a board's chart, for the board titled `title` (mrkdwn text without blocks:
    files.completeUploadExternal takes none)."""
    return f"{escape(title)}, as a chart"


def render_stats(card: StatsCard) -> SlackMessage:
    breakdown = " · ".join(f"{reason} {amount}" for reason, amount in card.breakdown)
    lines = [
        f"*{card.total} points* all time ({breakdown}); *{card.week_total}* this week",
        f"Streak: *{card.streak_days}* day(s) · rounds answered: {card.rounds_answered}",
    ]
    lines += [f"{escape(level)}: {ratio:.0%} of key points over {count} round(s)"
              for level, ratio, count in card.coverage_by_level]
    return SlackMessage(f"Your stats: {card.total} points", [header(f"Stats for {card.member_name}"),
                                                             *sections("\n".join(lines))])


def render_notice(card: Notice) -> SlackMessage:
    prefix = ":warning: " if card.kind is NoticeKind.ERROR else ""
    text = prefix + escape(card.text)
    return SlackMessage(card.text[:MAX_SECTION], sections(text))


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
    return [render_notice(card)]
