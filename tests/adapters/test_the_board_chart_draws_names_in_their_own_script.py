"""The board's chart draws every name in its own script, with the shipped fonts.

The board's chart draws a name as it is written, in Latin with accents, Polish, Cyrillic, Greek, Chinese, Japanese
or Korean: every character is drawn with a shipped font that has it, never as the missing-glyph box ("tofu"). The
fonts are installed with prepbot, so the picture is the same wherever it is drawn. A board that ranks more members
than it shows says how many more, in the picture and in its alt text."""

from __future__ import annotations

import io
import tomllib
import unicodedata
from fnmatch import fnmatch
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from adapters import typefaces
from adapters.chart import (
    BACKGROUND,
    FOOTER_HEIGHT,
    HEADER_HEIGHT,
    INK,
    MUTED,
    NAME_LEFT,
    NAME_WIDTH,
    ROW_FONT_SIZE,
    ROW_HEIGHT,
    board_alt_text,
    render_board_png,
)
from adapters.typefaces import FONT_FILES, FONTS, Lettering, font_file_for, missing
from bot.cards import BoardLine, LeaderboardCard
from tests.contract.charts import read_chart

REPO = Path(__file__).resolve().parents[2]
NAMES = ["Zoë", "Müller", "Łukasz", "Юлия", "山田", "Ωμέγα", "さくら", "김민준", "Zoe\u0308",  # the last: ë decomposed
         "สมชาย", "प्रिया", "ரவி", "ঋতু", "ሰላም", "ស្រី"]
NO_FONT_HAS_IT = "\U0010fffd"  # a private-use code point: every font draws its missing-glyph box for it


def drawn(char: str, draw_with: Lettering | ImageFont.FreeTypeFont) -> Image.Image:
    """`char` alone, drawn in black on white as the chart draws text (one baseline, the shipped fonts in order), or
    with a single Pillow font."""
    image = Image.new("RGB", (3 * ROW_FONT_SIZE, 2 * ROW_FONT_SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    if isinstance(draw_with, Lettering):
        draw_with.draw(draw, 4, 1.5 * ROW_FONT_SIZE, char, (0, 0, 0))
    else:
        draw.text((4, 1.5 * ROW_FONT_SIZE), char, font=draw_with, fill=(0, 0, 0), anchor="ls")
    return image


def same_picture(one: Image.Image, other: Image.Image) -> bool:
    return ImageChops.difference(one, other).getbbox() is None


def board(*names: str, more: int = 0) -> LeaderboardCard:
    lines = tuple(BoardLine(rank, name, 50 - rank, 2) for rank, name in enumerate(names, start=1))
    return LeaderboardCard("Leaderboard", "week of 30 Nov 2026", lines, more=more)


def ink_in_row(data: bytes, row: int) -> Image.Image:
    """The name column of a row of the chart, as drawn."""
    with Image.open(io.BytesIO(data)) as image:
        top = HEADER_HEIGHT + row * ROW_HEIGHT
        return image.convert("RGB").crop((NAME_LEFT, top, NAME_LEFT + NAME_WIDTH, top + ROW_HEIGHT))


@pytest.mark.parametrize("name", NAMES)
def test_every_character_of_a_name_is_drawn_from_a_font_that_has_it_and_not_as_a_box(name: str) -> None:
    lettering = Lettering(ROW_FONT_SIZE)
    tofu = drawn(NO_FONT_HAS_IT, lettering)

    assert missing(name) == ""
    for char in unicodedata.normalize("NFC", name):
        assert font_file_for(char) is not None, f"{char!r} (U+{ord(char):04X}) has no font"
        assert not same_picture(drawn(char, lettering), tofu), f"{char!r} (U+{ord(char):04X}) is drawn as a box"


@pytest.mark.parametrize("char", ["ë", "Ł", "Ю", "山"])
def test_the_box_check_would_catch_a_font_without_the_letters(char: str) -> None:
    """Pillow's own default font, which the chart drew with before, has no glyph for these: it draws each as its
    missing-glyph box, so the comparison above fails for it; a plain letter it has is told apart from the box."""
    latin_only = ImageFont.load_default(size=ROW_FONT_SIZE)
    assert isinstance(latin_only, ImageFont.FreeTypeFont)
    tofu = drawn(NO_FONT_HAS_IT, latin_only)
    assert same_picture(drawn(char, latin_only), tofu)
    assert not same_picture(drawn("e", latin_only), tofu)


def test_a_name_in_two_scripts_is_drawn_on_one_baseline_across_the_fonts() -> None:
    lettering = Lettering(ROW_FONT_SIZE)
    runs = lettering.runs("Anna 山田 Юлия")
    assert [(text, Path(str(font.path)).name) for text, font in runs] == [
        ("Anna ", FONT_FILES[0]), ("山田", FONT_FILES[1]), (" Юлия", FONT_FILES[0])]
    assert lettering.length("Anna 山田 Юлия") == sum(font.getlength(text) for text, font in runs)


def test_a_combining_mark_stays_with_its_letter() -> None:
    assert [text for text, _ in Lettering(ROW_FONT_SIZE).runs("Zoe\u0308")] == ["Zoë"]


def test_a_character_no_shipped_font_has_is_reported_missing_and_drawn_as_the_first_fonts_box() -> None:
    assert missing(f"ok {NO_FONT_HAS_IT}{NO_FONT_HAS_IT}") == NO_FONT_HAS_IT
    assert font_file_for(NO_FONT_HAS_IT) is None
    [(text, font)] = Lettering(ROW_FONT_SIZE).runs(NO_FONT_HAS_IT)
    assert Path(str(font.path)).name == FONT_FILES[0]


def test_a_chart_of_names_in_many_scripts_draws_each_name_in_ink() -> None:
    data = render_board_png(board(*NAMES))

    seen = read_chart(data)

    assert seen.names == NAMES and len(seen.bars) == len(NAMES)
    for row in range(len(NAMES)):
        colours = {colour for _, colour in ink_in_row(data, row).getcolors(maxcolors=4096) or []}
        assert INK in colours, f"the name in row {row} is drawn"


def test_a_board_that_ranks_more_members_than_it_shows_says_how_many_more_in_the_picture_and_its_alt_text() -> None:
    card = board("eve", "ben", more=22)

    data = render_board_png(card)
    seen = read_chart(data)

    assert seen.description == board_alt_text(card)
    assert seen.description.endswith("; and 22 more.")
    assert len(seen.bars) == 2
    assert seen.size[1] == read_chart(render_board_png(board("eve", "ben"))).size[1] + FOOTER_HEIGHT
    with Image.open(io.BytesIO(data)) as image:
        footer = image.convert("RGB").crop((NAME_LEFT, HEADER_HEIGHT + 2 * ROW_HEIGHT, NAME_LEFT + NAME_WIDTH,
                                            HEADER_HEIGHT + 2 * ROW_HEIGHT + FOOTER_HEIGHT))
    assert MUTED in {colour for _, colour in footer.getcolors(maxcolors=4096) or []}
    assert footer.getpixel((0, 0)) == BACKGROUND


def test_the_fonts_and_their_licences_are_installed_with_prepbot_and_so_are_in_the_image() -> None:
    shipped = sorted(p.name for p in FONTS.iterdir() if p.is_file())
    assert FONTS == REPO / "adapters" / "fonts" and Path(typefaces.__file__).parent == REPO / "adapters"
    for font in FONT_FILES:
        assert font in shipped and font.removesuffix(".ttf") + "-LICENSE.txt" in shipped
        assert font in (FONTS / "README.md").read_text(encoding="utf-8"), "the README says where it came from"
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = project["tool"]["setuptools"]["package-data"]["adapters"]
    assert all(any(fnmatch(f"fonts/{name}", glob) for glob in globs) for name in shipped), (
        "every file in adapters/fonts is package data, so a wheel (the image installs one) carries it")
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY adapters/ adapters/" in dockerfile
    assert any(dep.lower().startswith("fonttools") for dep in project["project"]["dependencies"])
