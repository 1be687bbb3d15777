"""The board as a picture: a valid PNG with one bar per ranked member, their names kept in its text chunks."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from PIL import Image

from adapters import chart
from adapters.chart import (
    BACKGROUND,
    BAR_LEFT,
    CHART_MAX_BARS,
    HEADER_HEIGHT,
    NAME_LEFT,
    NAME_WIDTH,
    ROW_HEIGHT,
    STRIPE,
    board_alt_text,
    board_chart,
    chart_filename,
    chart_of,
    render_board_png,
)
from bot.cards import BoardLine, LeaderboardCard
from tests.contract.charts import read_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def board(*entries: tuple[str, int], title: str = "Weekly leaderboard", period: str = "week of 30 Nov 2026",
          level: str | None = None, channel: str = "") -> LeaderboardCard:
    lines = tuple(BoardLine(rank, name, total, 2) for rank, (name, total) in enumerate(entries, start=1))
    return LeaderboardCard(title, period, lines, level, channel_name=channel)


def members(n: int) -> LeaderboardCard:
    return board(*((f"member{i:02d}", 10 * (n - i) + 5) for i in range(n)))


def test_the_chart_is_a_png_that_pillow_opens_and_verifies() -> None:
    data = render_board_png(board(("eve", 52), ("ben", 48), ("cat", 48), channel="general"))
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "RGB" and image.width >= 600 and image.height >= 200


@pytest.mark.parametrize("count", [1, 2, 3, 10, CHART_MAX_BARS])
def test_the_chart_shows_every_ranked_member_by_name_and_with_one_bar_each(count: int) -> None:
    card = members(count)

    seen = read_chart(render_board_png(card))

    assert seen.names == [line.name for line in card.lines]
    assert len(seen.bars) == count


def test_a_chart_that_draws_no_bars_would_be_caught() -> None:
    blank = Image.new("RGB", (960, 400), BACKGROUND)
    out = io.BytesIO()
    blank.save(out, format="PNG")
    assert read_chart(out.getvalue()).bars == []


def test_more_points_make_a_longer_bar_and_equal_points_an_equal_one() -> None:
    seen = read_chart(render_board_png(board(("eve", 60), ("ben", 30), ("cat", 30), ("dan", 3))))

    eve, ben, cat, dan = seen.bars
    assert eve > ben == cat > dan > 0
    assert abs(ben / eve - 0.5) < 0.05


def test_a_member_with_no_points_still_gets_a_bar_you_can_see() -> None:
    seen = read_chart(render_board_png(board(("eve", 12), ("zed", 0))))
    assert len(seen.bars) == 2 and seen.bars[1] > 0


def test_the_title_names_the_board_the_channel_the_period_and_the_level() -> None:
    seen = read_chart(render_board_png(board(("eve", 5), title="Leaderboard", period="all time", level="Behavioral",
                                             channel="#interview-prep")))
    assert seen.title == "Leaderboard · #interview-prep (all time · Behavioral)"


def test_the_same_board_always_gives_the_same_bytes() -> None:
    card = board(("eve", 52), ("Иван", 48), ("李雷", 40), channel="general")
    assert render_board_png(card) == render_board_png(card)
    assert render_board_png(card) != render_board_png(replace(card, channel_name="random"))


def test_an_empty_board_has_no_chart() -> None:
    with pytest.raises(ValueError, match="empty board"):
        render_board_png(board())


def ink_between(data: bytes, row: int, left: int, right: int) -> bool:
    """Whether anything but the background (or a row's stripe) is drawn in row `row` between x=left and x=right."""
    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
    top = HEADER_HEIGHT + row * ROW_HEIGHT
    return any(rgb.getpixel((x, y)) not in (BACKGROUND, STRIPE)
               for x in range(left, right) for y in range(top, top + ROW_HEIGHT))


def test_a_long_name_is_shortened_with_an_ellipsis_in_the_picture_only() -> None:
    long_name = "Maximiliane Alexandra von und zu Hohenzollern-Sigmaringen-Wittelsbach"
    data = render_board_png(board((long_name, 40), ("ben", 20)))

    seen = read_chart(data)

    assert seen.names == [long_name, "ben"], "the text chunk keeps the whole name"
    assert long_name in seen.description
    assert len(seen.bars) == 2
    assert ink_between(data, 0, NAME_LEFT, NAME_LEFT + 40), "the start of the name is drawn"
    assert not ink_between(data, 0, NAME_LEFT + NAME_WIDTH + 2, BAR_LEFT), "the name stops before the bars"


def test_non_latin_names_are_drawn_and_kept_as_they_are_in_the_text() -> None:
    names = ["Иван Петров", "李雷", "Ωμέγα", "محمد"]
    data = render_board_png(board(*((name, 40 - 5 * i) for i, name in enumerate(names))))

    seen = read_chart(data)

    assert seen.names == names
    assert len(seen.bars) == len(names)
    assert all(ink_between(data, row, NAME_LEFT, NAME_LEFT + NAME_WIDTH) for row in range(len(names)))


def test_names_with_line_breaks_stay_on_one_line() -> None:
    seen = read_chart(render_board_png(board(("eve\nthe\tgreat", 10))))
    assert seen.names == ["eve the great"]


def test_a_board_longer_than_the_cap_shows_the_first_members_and_says_how_many_more() -> None:
    card = members(CHART_MAX_BARS + 5)

    data = render_board_png(card)
    seen = read_chart(data)

    assert len(seen.bars) == CHART_MAX_BARS
    assert seen.names == [line.name for line in card.lines[:CHART_MAX_BARS]]
    assert seen.description.endswith("; and 5 more.")
    assert seen.size[1] > read_chart(render_board_png(members(CHART_MAX_BARS))).size[1]


def test_the_alt_text_says_what_the_chart_shows() -> None:
    text = board_alt_text(board(("eve", 52), ("ben", 48), channel="general"))
    assert text == ("Bar chart of the Weekly leaderboard · #general, week of 30 Nov 2026: "
                    "1. eve, 52 points; 2. ben, 48 points.")


def test_the_alt_text_counts_a_single_point_in_the_singular() -> None:
    text = board_alt_text(board(("eve", 1), ("ben", 0), channel="general"))
    assert text.endswith(": 1. eve, 1 point; 2. ben, 0 points.")


def test_the_alt_text_fits_the_platforms_limits_however_many_long_names() -> None:
    text = board_alt_text(board(*((f"{'x' * 80}{i}", 100 - i) for i in range(CHART_MAX_BARS))))
    assert len(text) <= 1000 and text.endswith("…")


def test_the_file_name_is_plain_ascii_and_names_the_board() -> None:
    assert chart_filename(board(("eve", 1))) == "weekly-leaderboard-week-of-30-nov-2026.png"
    name = chart_filename(board(("eve", 1), title="Leaderboard", period="December 2026", level="Behavioral"))
    assert name == "leaderboard-december-2026-behavioral.png"
    assert re.fullmatch(r"[a-z0-9-]+\.png", name)


def test_the_attached_image_carries_the_chart_its_file_name_and_its_alt_text() -> None:
    card = board(("eve", 52), ("ben", 48), channel="general")
    image = board_chart(card)
    assert image.data == render_board_png(card)
    assert image.filename == chart_filename(card)
    assert image.alt_text == board_alt_text(card)
    assert image.media_type == "image/png"
    assert "PNG" not in repr(image), "the bytes stay out of the repr (and out of test failure messages)"


def test_the_chart_of_an_empty_board_is_none_and_of_any_other_board_its_picture() -> None:
    assert chart_of(board()) is None
    card = board(("eve", 52), channel="general")
    assert chart_of(card) == board_chart(card)


def test_a_chart_that_cannot_be_drawn_is_left_out_and_logged(monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    def broken(board: LeaderboardCard) -> bytes:
        raise OSError("the font is missing")

    monkeypatch.setattr(chart, "render_board_png", broken)

    assert chart_of(board(("eve", 52), channel="general")) is None
    assert "could not draw the chart of Weekly leaderboard" in caplog.text and "the font is missing" in caplog.text
