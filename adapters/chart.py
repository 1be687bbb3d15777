"""The board as a picture: a PNG bar chart drawn with Pillow and the fonts prepbot ships.

The chat adapters that show a board's chart draw it here.

The output is a pure function of the board card (its lines, title, period, level, channel's name and how many more
members it ranks): no clock, no system fonts, no randomness, so the same board always gives the same bytes. Each
ranked member gets one horizontal bar, longest for the most points, with their rank, name and points. At most
CHART_MAX_BARS members are drawn (the service's boards are shorter: their first ten places); after the bars the
picture says how many more members the board ranks ("and N more"). Long names are shortened with an ellipsis in the
picture only: the full names are stored in the PNG's text chunks ("Names", one a line) with the alt text
("Description"). Names are drawn in their own script, each character in the first shipped font that has it
(`adapters.typefaces`); a character none of them has is drawn as a box, and the text chunks and the alt text keep it
as it is.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from adapters.typefaces import Lettering
from bot.cards import BoardLine, LeaderboardCard
from bot.wording import chart_alt_text, more_ranked, plain, points_count

log = logging.getLogger("prepbot.chart")

CHART_MAX_BARS = 25
ALT_TEXT_MAX = 1000  # Slack's limit for a file's alt text; Discord allows 1,024 for an attachment's description

WIDTH = 960
MARGIN = 32
TITLE_SIZE = 32
SUBTITLE_SIZE = 22
ROW_FONT_SIZE = 22
HEADER_HEIGHT = 120
ROW_HEIGHT = 44
BAR_THICKNESS = 28
BADGE_DIAMETER = 32
RANK_CENTRE = MARGIN + 20
NAME_LEFT = MARGIN + 52
NAME_WIDTH = 250
BAR_LEFT = NAME_LEFT + NAME_WIDTH + 16
POINTS_WIDTH = 120
BAR_SPAN = WIDTH - MARGIN - POINTS_WIDTH - BAR_LEFT
MIN_BAR = 8  # a member with few (or no) points still gets a bar you can see
FOOTER_HEIGHT = 40

Colour = tuple[int, int, int]
BACKGROUND: Colour = (255, 255, 255)
STRIPE: Colour = (243, 245, 249)
INK: Colour = (31, 35, 40)
MUTED: Colour = (96, 104, 114)
BAR_COLOUR: Colour = (52, 103, 196)
MEDALS: dict[int, Colour] = {1: (201, 150, 14), 2: (130, 138, 148), 3: (168, 101, 48)}
ELLIPSIS = "…"


@dataclass(frozen=True)
class CardImage:
    """A picture that goes with a card: PNG bytes, the file name to give them, and a text alternative that says
    what the picture shows (for screen readers, and where the platform cannot show it)."""

    data: bytes = field(repr=False)
    filename: str
    alt_text: str
    media_type: str = "image/png"


@lru_cache(maxsize=8)
def _font(size: int) -> Lettering:
    return Lettering(size)


def _one_line(text: str) -> str:
    """Text on one line: line breaks, tabs and runs of spaces become single spaces."""
    return " ".join(text.split())


def fit(text: str, font: Lettering, width: float) -> str:
    """`text` as drawn in at most `width` pixels: whole, or as long a start as fits followed by an ellipsis."""
    if font.length(text) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if font.length(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS


def chart_title(board: LeaderboardCard) -> str:
    """The chart's first line: the board's title and, when known, the channel."""
    name = _one_line(board.channel_name).lstrip("#")
    return f"{board.title} · #{name}" if name else board.title


def chart_subtitle(board: LeaderboardCard) -> str:
    """The chart's second line: the period and, for a level's board, the level."""
    return f"{board.period} · {board.level_label}" if board.level_label else board.period


def drawn_lines(board: LeaderboardCard) -> tuple[tuple[BoardLine, ...], int]:
    """The board lines the chart draws (at most CHART_MAX_BARS, in board order) and how many members the board ranks
    after them: the lines it leaves out and the members the board itself ranks below its lines."""
    shown = board.lines[:CHART_MAX_BARS]
    return shown, len(board.lines) - len(shown) + board.more


def board_alt_text(board: LeaderboardCard) -> str:
    """What the chart shows, as one sentence for screen readers; at most ALT_TEXT_MAX characters."""
    shown, more = drawn_lines(board)
    bars = tuple((line.rank, _one_line(line.name), line.total) for line in shown)
    text = chart_alt_text(chart_title(board), chart_subtitle(board), bars, more)
    return text if len(text) <= ALT_TEXT_MAX else text[: ALT_TEXT_MAX - 1] + ELLIPSIS


def chart_filename(board: LeaderboardCard) -> str:
    """A file name for the chart made of ASCII letters, digits and dashes, e.g.
    "weekly-leaderboard-week-of-30-nov-2026.png"."""
    words = " ".join(part for part in (board.title, board.period, board.level_label or "") if part)
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")
    return f"{slug or 'board'}.png"


def _text(draw: ImageDraw.ImageDraw, x: float, middle: float, text: str, font: Lettering, fill: Colour,
          align: Literal["left", "centre"] = "left") -> None:
    """Draws one line of text with its capitals centred on `middle` (so every line of a row shares a baseline),
    starting at `x` or centred on it."""
    if align == "centre":
        x -= font.length(text) / 2
    font.draw(draw, x, middle + font.cap_height() / 2, text, fill)


def render_board_png(board: LeaderboardCard) -> bytes:
    """The board as PNG bytes: a title (board title, channel, period) and one horizontal bar per ranked member,
    drawn in board order with rank, name and points.

    Raises ValueError for a board without lines: an empty board has no chart.
    """
    if not board.lines:
        raise ValueError("an empty board has no chart")
    shown, more = drawn_lines(board)
    height = HEADER_HEIGHT + len(shown) * ROW_HEIGHT + (FOOTER_HEIGHT if more else 0) + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font, subtitle_font, row_font = _font(TITLE_SIZE), _font(SUBTITLE_SIZE), _font(ROW_FONT_SIZE)
    text_width = WIDTH - 2 * MARGIN

    _text(draw, MARGIN, MARGIN + TITLE_SIZE / 2, fit(chart_title(board), title_font, text_width),
          title_font, INK)
    _text(draw, MARGIN, MARGIN + TITLE_SIZE + 14 + SUBTITLE_SIZE / 2,
          fit(chart_subtitle(board), subtitle_font, text_width), subtitle_font, MUTED)

    most = max(max(line.total for line in shown), 1)
    for index, line in enumerate(shown):
        top = HEADER_HEIGHT + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        if index % 2 == 0:
            draw.rectangle((MARGIN - 8, top, WIDTH - MARGIN + 8, top + ROW_HEIGHT - 1), fill=STRIPE)
        medal = MEDALS.get(line.rank)
        if medal is not None:
            radius = BADGE_DIAMETER / 2
            draw.ellipse((RANK_CENTRE - radius, middle - radius, RANK_CENTRE + radius, middle + radius), fill=medal)
            _text(draw, RANK_CENTRE, middle, str(line.rank), row_font, BACKGROUND, align="centre")
        else:
            _text(draw, RANK_CENTRE, middle, str(line.rank), row_font, MUTED, align="centre")
        _text(draw, NAME_LEFT, middle, fit(_one_line(line.name), row_font, NAME_WIDTH), row_font, INK)
        length = MIN_BAR + round((BAR_SPAN - MIN_BAR) * max(line.total, 0) / most)
        draw.rectangle((BAR_LEFT, middle - BAR_THICKNESS / 2, BAR_LEFT + length - 1, middle + BAR_THICKNESS / 2 - 1),
                       fill=BAR_COLOUR)
        _text(draw, BAR_LEFT + length + 10, middle, points_count(line.total), row_font, INK)
    if more:
        _text(draw, NAME_LEFT, HEADER_HEIGHT + len(shown) * ROW_HEIGHT + FOOTER_HEIGHT / 2,
              plain(more_ranked(more)), row_font, MUTED)

    info = PngInfo()
    info.add_text("Title", f"{chart_title(board)} ({chart_subtitle(board)})")
    info.add_text("Description", board_alt_text(board))
    info.add_text("Names", "\n".join(_one_line(line.name) for line in shown))  # iTXt when a name is not Latin-1
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, compress_level=1)  # fast: a board is drawn while a member waits
    return out.getvalue()


def board_chart(board: LeaderboardCard) -> CardImage:
    """The board's chart as an image to attach to its card: PNG bytes, a file name and the alt text.

    Raises ValueError for a board without lines.
    """
    return CardImage(render_board_png(board), chart_filename(board), board_alt_text(board))


def chart_of(board: LeaderboardCard) -> CardImage | None:
    """The chart that goes with `board`, or None for an empty board. A chart that cannot be drawn is logged and left
    out: the board goes out without it rather than not at all."""
    if not board.lines:
        return None
    try:
        return board_chart(board)
    except (OSError, ValueError) as error:
        log.warning("could not draw the chart of %s (%s) in channel %s: %s", board.title, board.period,
                    board.channel_name, error)
        return None
