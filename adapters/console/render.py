"""Cards as plain text for a terminal: the core's words with their markup taken off."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cards import Card, RevealCard
from bot.wording import (
    CONSOLE_USAGE,
    Bullets,
    ChannelLink,
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
    document,
    type_line,
)

SURFACE = Surface(threads=False, private_answer=type_line(CONSOLE_USAGE[":answer"]))
INDENT = "  "  # what a document's body is indented by under its title
HEADED = "    "  # and a part's lines under its heading
BULLET = "- "
SYMBOLS = {Mark.CHECKED: "[x]", Mark.UNCHECKED: "[ ]", Mark.WARNING: ""}


def local(instant: datetime, tz: str) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")


def inline(piece: Inline) -> str:
    """One piece of text as a terminal shows it: words without markup, signs in ASCII, moments in local time."""
    if isinstance(piece, Span):
        return piece.text
    if isinstance(piece, Symbol):
        return SYMBOLS[piece.mark]
    if isinstance(piece, Rank):
        return f"{piece.place}."
    if isinstance(piece, ChannelLink):
        return f"#{piece.name}"
    return f"{local(piece.at, piece.tz)} {piece.tz}"


def text(value: Text) -> str:
    return "".join(inline(piece) for piece in value)


def _indented(value: Text, indent: str) -> list[str]:
    return [indent + line for line in text(value).split("\n")]


def _block(block: Paragraph | Bullets, indent: str) -> list[str]:
    if isinstance(block, Paragraph):
        return [line for item in block.lines for line in _indented(item, indent)]
    lines = _indented(block.intro, indent) if block.intro else []
    return lines + [line for item in block.items for line in _indented(item, indent + BULLET)]


def plain_text(doc: Document) -> str:
    """A document as lines of plain text: the title, then its body indented under it."""
    lines: list[str] = []
    if doc.title:
        lines.append(f"{doc.title} ({doc.label})" if doc.label else doc.title)
    indent = INDENT if doc.title else ""
    if doc.lead:
        lines += _indented(doc.lead, indent)
    for part in doc.parts:
        if not isinstance(part, Part):
            continue
        inner = indent
        if part.heading:
            lines += _indented(part.heading, indent)
            inner = indent + HEADED
        for block in part.blocks:
            lines += _block(block, inner)
    lines += [f"{indent}{field.name} {text(field.value)}" for field in doc.fields]
    if doc.footer:
        lines += _indented(doc.footer, indent)
    for note in doc.notes:
        lines += _indented(note, indent)
    return "\n".join(lines)


def render(card: Card) -> str:
    return plain_text(document(card, SURFACE))


def render_reveal(card: RevealCard) -> str:
    return render(card)
