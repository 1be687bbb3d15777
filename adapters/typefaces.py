"""Text in many scripts for the pictures the adapters draw: each character in the first shipped font that has it.

The fonts live in `adapters/fonts/` (their README says what each covers, its licence and where it came from) and are
installed with prepbot, so a picture never depends on the fonts of the machine that draws it. Pillow draws a run of
text in one font; a line is cut into runs by font, and the runs are drawn one after the other on a shared baseline.
A character no shipped font has is drawn by the first font, as its missing-glyph box.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageDraw, ImageFont

FONTS = Path(__file__).with_name("fonts")
# In the order they are tried: Latin, Greek, Cyrillic, Hebrew, Arabic and more; then Chinese, Japanese and Korean;
# then the scripts of South and South-East Asia and Ethiopia.
FONT_FILES = ("DejaVuSans.ttf", "DroidSansFallback.ttf") + tuple(
    f"NotoSans{script}-Regular.ttf"
    for script in ("Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Tamil", "Telugu", "Kannada", "Malayalam",
                   "Sinhala", "Thai", "Lao", "Khmer", "Myanmar", "Ethiopic")
)

Colour = tuple[int, int, int]


@lru_cache(maxsize=None)
def covered(font_file: str) -> frozenset[int]:
    """The code points `font_file` has a glyph for (read once, when a character first needs it)."""
    with TTFont(FONTS / font_file, lazy=True) as font:
        return frozenset(font.getBestCmap())


def font_file_for(char: str) -> str | None:
    """The first shipped font that has a glyph for `char`, or None when none has."""
    return next((name for name in FONT_FILES if ord(char) in covered(name)), None)


def missing(text: str) -> str:
    """The characters of `text` that no shipped font has, each once, in order (spaces, controls and invisible
    format characters aside)."""
    absent = (char for char in text
              if not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf") and font_file_for(char) is None)
    return "".join(dict.fromkeys(absent))


@lru_cache(maxsize=32)
def _face(font_file: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / font_file), size)


def _attaches(char: str) -> bool:
    """Whether `char` belongs with the character before it (a combining mark, a joiner, a variation selector)."""
    return unicodedata.category(char) in ("Mn", "Me", "Cf")


@dataclass(frozen=True)
class Lettering:
    """The shipped fonts at one size, in pixels: text measured and drawn character by character in the first font
    that has each."""

    size: int

    def runs(self, text: str) -> list[tuple[str, ImageFont.FreeTypeFont]]:
        """`text` (composed, NFC) cut where the font changes: each run with the font that draws it."""
        runs: list[tuple[str, str]] = []
        for char in unicodedata.normalize("NFC", text):
            chosen = font_file_for(char) or FONT_FILES[0]
            if runs and (runs[-1][1] == chosen or (_attaches(char) and ord(char) in covered(runs[-1][1]))):
                runs[-1] = (runs[-1][0] + char, runs[-1][1])
            else:
                runs.append((char, chosen))
        return [(run, _face(name, self.size)) for run, name in runs]

    def length(self, text: str) -> float:
        """How wide `text` is drawn, in pixels."""
        return sum(face.getlength(run) for run, face in self.runs(text))

    def cap_height(self) -> float:
        """How far a capital H rises above the baseline, in pixels."""
        _, top, _, _ = _face(FONT_FILES[0], self.size).getbbox("H", anchor="ls")
        return float(-top)

    def draw(self, draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, fill: Colour) -> None:
        """Draws `text` from `x` on the baseline at `baseline`."""
        for run, face in self.runs(text):
            draw.text((x, baseline), run, font=face, fill=fill, anchor="ls")
            x += face.getlength(run)
