"""The driver diagram's layout (tracker.core.driver_layout): any package's tree in, boxes and lines out that
never overlap, read left to right, join every idea to the aim and hold their text."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.core.driver_layout import (
    COLUMNS,
    PAD_X,
    SHADES,
    Driver,
    DriverDiagramLayout,
    Idea,
    char_width,
    column_x,
    driver_layout,
    shade_of,
    wrap,
)

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-'/() ", min_size=1, max_size=140)
counts = st.integers(min_value=0, max_value=40)


@st.composite
def trees(draw):
    """A package: up to 4 primary drivers, each with up to 3 secondaries and ideas at either level,
    and up to 3 ideas not yet placed."""
    number = iter(range(1, 10_000))

    def ideas(most):
        return tuple(
            Idea(f"ID-{next(number):02d}", draw(words), draw(counts), draw(counts))
            for _ in range(draw(st.integers(0, most)))
        )

    primaries = []
    for _ in range(draw(st.integers(0, 4))):
        secondaries = tuple(Driver(str(next(number)), draw(words), ideas(3)) for _ in range(draw(st.integers(0, 3))))
        primaries.append(Driver(str(next(number)), draw(words), ideas(2), secondaries))
    return draw(words), primaries, ideas(3)


def overlap(a, b) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def crosses(segment, box) -> bool:
    """Whether an upright or level segment runs through the inside of a box."""
    (x1, y1), (x2, y2) = segment
    left, right, top, bottom = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    return left < box.right and box.x < right and top < box.bottom and box.y < bottom


def assert_sound(layout: DriverDiagramLayout) -> None:
    boxes = {box.key: box for box in layout.boxes}
    assert len(boxes) == len(layout.boxes), "box keys are unique"
    # Nothing overlaps, and everything lies inside the drawing, below the column titles.
    for k, a in enumerate(layout.boxes):
        assert a.x >= 0 and a.right <= layout.width and layout.headings[0].y < a.y and a.bottom <= layout.height
        for b in layout.boxes[k + 1 :]:
            assert not overlap(a, b), (a.key, b.key)
    # Columns are ordered: each box sits in its column, and every line runs left to right into the next box.
    for box in layout.boxes:
        assert box.x == column_x(box.column) and box.width == COLUMNS[box.column][1]
    for line in layout.connectors:
        source, target = boxes[line.source], boxes[line.target]
        assert source.column < target.column
        assert line.points[0] == (source.right, source.middle_y) and line.points[-1] == (target.x, target.middle_y)
        xs = [x for x, _ in line.points]
        assert xs == sorted(xs)
        for a, b in zip(line.points, line.points[1:], strict=False):
            assert a[0] == b[0] or a[1] == b[1], "right-angled"
            for other in layout.boxes:
                if other.key not in (source.key, target.key):
                    assert not crosses((a, b), other), f"{line.source}→{line.target} runs through {other.key}"
    # Every box, and so every idea, is reached from the aim by lines; each box but the aim has one parent.
    children = defaultdict(list)
    for line in layout.connectors:
        children[line.source].append(line.target)
    reached, todo = set(), ["aim"]
    while todo:
        key = todo.pop()
        reached.add(key)
        todo += children[key]
    assert reached == set(boxes)
    assert len(layout.connectors) == len(boxes) - 1
    # The text fits its box: across by the estimate, and down.
    for box in layout.boxes:
        assert box.lines
        for line in box.lines:
            assert line.x == box.x + PAD_X
            assert len(line.text) * char_width(line.style) <= box.width - 2 * PAD_X, (box.key, line.text)
            assert box.y + 12 <= line.y <= box.bottom - 5
        assert [line.y for line in box.lines] == sorted({line.y for line in box.lines})


@settings(max_examples=150, deadline=None)
@given(trees())
def test_any_package_is_laid_out_soundly(tree):
    aim, primaries, unplaced = tree
    layout = driver_layout(aim, primaries, unplaced)
    assert_sound(layout)
    ideas = [i for p in primaries for i in (*p.ideas, *(i for s in p.children for i in s.ideas))] + list(unplaced)
    assert [box.idea_code for box in layout.ideas] == [i.code for i in ideas], "ideas in reading order"


def test_a_package_reads_aim_then_drivers_then_ideas_left_to_right():
    layout = driver_layout(
        "Cut restraint by a third in 18 months",
        [
            Driver(
                "1",
                "Patients shape their own care",
                (Idea("RP-07", "Patient-led community meeting", 3, 1),),
                (Driver("2", "Care plans written with patients", (Idea("RP-05", "Safety huddles", 12),)),),
            ),
            Driver("3", "Calm ward environment", (), (Driver("4", "Sensory rooms"),)),
        ],
    )
    assert_sound(layout)
    assert [h.text for h in layout.headings] == ["Aim", "Primary drivers", "Secondary drivers", "Change ideas"]
    aim, primary, direct, secondary = (layout.box(k) for k in ("aim", "driver-1", "idea-RP-07", "driver-2"))
    assert aim.x < primary.x < secondary.x < direct.x
    assert (primary.kind, secondary.kind, direct.kind) == ("primary", "secondary", "idea")
    # A driver sits level with the middle of what hangs from it.
    huddles = layout.box("idea-RP-05")
    assert secondary.middle_y == pytest.approx(huddles.middle_y)
    assert primary.y <= (direct.y + secondary.bottom) / 2 <= primary.bottom
    # The idea hung straight from the primary driver has a row of its own, above the secondary driver.
    assert direct.bottom < secondary.y
    # An empty secondary driver says so, in the ideas' column.
    empty = layout.box("empty-4")
    assert (
        empty.kind == "empty" and empty.column == 3 and [line.text for line in empty.lines] == ["No change ideas yet"]
    )


def test_each_idea_is_shaded_by_its_trusts_and_says_how_many():
    layout = driver_layout(
        "Aim", [Driver("1", "Driver", (Idea("A-1", "Zero"), Idea("A-2", "Two", 2, 4), Idea("A-3", "Many", 11)))]
    )
    zero, two, many = (layout.box(f"idea-A-{n}") for n in (1, 2, 3))
    assert (zero.shade, two.shade, many.shade) == (0, 1, 4)
    assert (zero.fill, two.fill, many.fill) == (SHADES[0].fill, SHADES[1].fill, SHADES[4].fill)
    assert [line.text for line in zero.lines][-1] == "Not in use yet"
    assert [line.text for line in two.lines][-2:] == ["In use at 2 trusts", "4 more considering or testing"]
    assert many.text_colour == "#ffffff" and "In use at 11 trusts" in [line.text for line in many.lines]
    assert two.label == "A-2 Two: in use at 2 trusts, 4 more considering or testing"
    assert layout.box("idea-A-1").label == "A-1 Zero: not in use yet"


def test_the_shades_cover_every_count_once_and_darken_in_order():
    assert [shade_of(n) for n in (0, 1, 2, 3, 5, 6, 9, 10, 500)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    for before, after in zip(SHADES, SHADES[1:], strict=False):
        assert after.low == before.high + 1
    assert [s.label for s in SHADES] == [
        "No trusts",
        "1 to 2 trusts",
        "3 to 5 trusts",
        "6 to 9 trusts",
        "10 or more trusts",
    ]

    def luminance(colour: str) -> float:
        def channel(c: int) -> float:
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(int(colour[k : k + 2], 16)) for k in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lightness = [luminance(s.fill) for s in SHADES]
    assert lightness == sorted(lightness, reverse=True), "a sequential scale: each band darker than the last"
    for shade in SHADES:  # WCAG 1.4.3: the count written on the shade is readable
        high, low = sorted((luminance(shade.fill), luminance(shade.text)), reverse=True)
        assert (high + 0.05) / (low + 0.05) >= 4.5, shade


def test_gaps_are_shown_honestly():
    nothing = driver_layout("", [])
    assert_sound(nothing)
    assert [line.text for line in nothing.box("aim").lines] == ["No aim recorded yet"]
    assert " ".join(line.text for line in nothing.box("no-drivers").lines) == "No drivers or change ideas recorded yet"

    unplaced = driver_layout("Aim", [], [Idea("RP-01", "Collaborative care planning")])
    assert_sound(unplaced)
    assert " ".join(line.text for line in unplaced.box("no-drivers").lines) == "No drivers recorded yet"
    group = unplaced.box("unplaced")
    assert " ".join(line.text for line in group.lines) == "Not yet placed under a driver"
    assert group.bottom < unplaced.box("idea-RP-01").bottom
    assert ("unplaced", "idea-RP-01") in [(c.source, c.target) for c in unplaced.connectors]

    empty_primary = driver_layout("Aim", [Driver("9", "Leadership")])
    assert " ".join(line.text for line in empty_primary.box("empty-9").lines) == (
        "No secondary drivers or change ideas yet"
    )
    assert empty_primary.box("empty-9").column == 2


def test_long_words_and_titles_wrap_inside_the_box():
    title = "Supercalifragilisticexpialidocious-and-then-some " * 4
    layout = driver_layout(title, [Driver("1", title, (Idea("X-1", title, 1),))])
    assert_sound(layout)
    assert len(layout.box("aim").lines) > 5
    assert wrap("a  b\n c", 100) == ["a b c"]
