"""Numbered pages of a long list: which rows a page holds and which page numbers its navigation shows.

Pure: the views read the page number from the address (tracker/paged.py) and pass the total they counted.
"""

from __future__ import annotations

from dataclasses import dataclass

# Rows on a page: a collaborative of about twenty organisations still sees its whole list on the first.
PAGE_SIZE = 50
# Page numbers shown either side of the current one before the navigation skips with an ellipsis.
NEIGHBOURS = 1


class BadPage(ValueError):
    """A page number that is not a page of the list: the message says what would be."""


class PastTheEnd(BadPage):
    """A page after the last (the list has shrunk since its link was made): `last` is the last page."""

    def __init__(self, message: str, last: int):
        super().__init__(message)
        self.last = last


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        """How many pages the list has (an empty list has one, empty, page)."""
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_row(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last_row(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None

    def rows(self, items: list) -> list:
        """This page's share of a list already in memory."""
        return items[self.offset : self.offset + self.size]

    def numbers(self) -> list[int | None]:
        """The page numbers to link: the first, the last, and the current one's neighbours; None for a gap."""
        shown = {1, self.count, *range(self.number - NEIGHBOURS, self.number + NEIGHBOURS + 1)}
        result: list[int | None] = []
        for number in sorted(n for n in shown if 1 <= n <= self.count):
            if result and number - result[-1] == 2:
                result.append(number - 1)  # a gap of one page shows the page rather than an ellipsis
            elif result and number - result[-1] > 2:
                result.append(None)
            result.append(number)
        return result


# More digits than any list has pages: longer is no page number (and int() of thousands of digits raises).
MOST_DIGITS = 9


def page_number(raw: str) -> int | None:
    """The whole number from 1 that a page value writes, None when it writes none."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > MOST_DIGITS or int(raw) < 1:
        return None
    return int(raw)


def page(raw: str | None, total: int, size: int = PAGE_SIZE) -> Page:
    """The page a `page` value from an address asks for; no value is the first page.

    Raises BadPage for anything but a whole number from 1, PastTheEnd for a number after the last page.
    """
    last = Page(1, size, total).count
    if raw is None or raw == "":
        return Page(1, size, total)
    number = page_number(raw)
    if number is None:
        raise BadPage(f"“{raw[:20]}” is not a page number. Pages are numbered from 1 to {last}.")
    if number > last:
        raise PastTheEnd(f"There is no page {number}: this list has {last} page{'s' if last != 1 else ''}.", last)
    return Page(number, size, total)
