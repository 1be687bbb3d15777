"""Text for platforms: long text split for per-message limits, never losing a character, and markdown styles."""

from __future__ import annotations


def split_text(text: str, size: int, empty: str = " ") -> list[str]:
    """`text` in pieces of at most `size` characters: split at line ends, else at a space near the end of a long
    line, and never inside an escaped character (`&amp;`) or a `<...>` token. Joined back (with the newlines that
    separated lines), the pieces are the text. An empty text gives `[empty]`."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > size:
            if current:
                pieces.append(current)
                current = ""
            cut = _safe_cut(line, size)
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > size:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current or empty)
    return pieces


def _safe_cut(line: str, size: int) -> int:
    window = line[:size]
    cut = window.rfind(" ", max(size - 200, 1)) + 1 or size
    amp, semi = window.rfind("&", 0, cut), window.rfind(";", 0, cut)
    if amp > semi and cut - amp < 8:
        cut = amp
    opening, closing = window.rfind("<", 0, cut), window.rfind(">", 0, cut)
    if opening > closing and opening > 0:
        cut = opening
    return cut if cut > 0 else size


def styled_lines(text: str, *, code: bool, italic: str | None, bold: str | None) -> str:
    """`text` in a markdown's styles, line by line (a style does not cross a line end), with the markers against
    the words and the spaces around them kept: backticks when `code`, then the `italic` and `bold` markers (None:
    not that style)."""
    lines = []
    for line in text.split("\n"):
        words = line.strip()
        if words:
            if code:
                words = f"`{words}`"
            if italic:
                words = f"{italic}{words}{italic}"
            if bold:
                words = f"{bold}{words}{bold}"
            line = line[: len(line) - len(line.lstrip())] + words + line[len(line.rstrip()):]
        lines.append(line)
    return "\n".join(lines)
