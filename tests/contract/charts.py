"""Reading a board chart back the way a person (or a screen reader) would: its text chunks, and its bars in pixels."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from adapters.chart import BAR_COLOUR, BAR_LEFT, BAR_THICKNESS, MIN_BAR


@dataclass(frozen=True)
class SeenChart:
    """What a chart holds: the names, title and description in its text chunks, its size, and the bars found in its
    pixels (each bar's length in pixels, top to bottom)."""

    names: list[str]
    title: str
    description: str
    size: tuple[int, int]
    bars: list[int]


def read_chart(data: bytes) -> SeenChart:
    """Opens `data` as a PNG (it must pass Pillow's verify()) and finds its bars: runs of the bar colour a bar's
    thickness tall in a column every bar crosses, each measured to where the colour ends."""
    with Image.open(io.BytesIO(data)) as probe:
        assert probe.format == "PNG", probe.format
        probe.verify()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        text = dict(getattr(image, "text", {}))
        pixels = image.convert("RGB")
    width, height = pixels.size
    column = BAR_LEFT + MIN_BAR // 2
    runs: list[tuple[int, int]] = []  # (first row, rows) of each vertical run of the bar colour
    start: int | None = None
    for y in range(height + 1):
        inside = y < height and pixels.getpixel((column, y)) == BAR_COLOUR
        if inside and start is None:
            start = y
        elif not inside and start is not None:
            runs.append((start, y - start))
            start = None
    bars = []
    for first, rows in runs:
        if rows < BAR_THICKNESS - 2:
            continue
        middle = first + rows // 2
        x = BAR_LEFT
        while x < width and pixels.getpixel((x, middle)) == BAR_COLOUR:
            x += 1
        bars.append(x - BAR_LEFT)
    names = text.get("Names", "")
    return SeenChart(names.split("\n") if names else [], text.get("Title", ""), text.get("Description", ""),
                     (width, height), bars)
