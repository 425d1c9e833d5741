"""The caches of computed results: network measures, coverage figures and series, rendered pages.

A MetricsCache is a small in-process LRU; the running app keeps one for network results, one
for coverage (metrics_cache(), coverage_cache()), sized by config in entries (0 turns it off), and
one for rendered pages and API answers (page_cache(), tracker.page_cache), sized in bytes.
tracker.models.versions.cached keys a result by the data version as well, so a write makes a new key.

Entries are keyed by everything a result depends on, so an entry is never stale: a changed link
or a new adoption event makes a different key, and the old entry simply ages out of the LRU. That
also keeps it right across several worker processes, each with a cache of its own. Values are
shared between requests, so they must be immutable (tuples, frozen dataclasses, MappingProxyType).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")

DEFAULT_SIZE = 128


class MetricsCache:
    """A thread-safe least-recently-used map from keys to computed values."""

    def __init__(self, size: int = DEFAULT_SIZE, weigh: Callable[[object], int] | None = None):
        """size: the most entries kept, or with weigh (an entry's weight, e.g. its length), the most weight."""
        self.size = size
        self.hits = 0
        self.misses = 0
        self._weigh = weigh or (lambda _value: 1)
        self._weight = 0
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def weight(self) -> int:
        """What the kept entries weigh together (their number, without a weigh function)."""
        return self._weight

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], keep: Callable[[], bool] | None = None) -> T:
        """The cached value for key, else compute() (stored for next time, if keep() says so)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key][0]  # type: ignore[return-value]
            self.misses += 1
        # Computed outside the lock: two threads that miss together both compute, which is harmless
        # (same key, same value), while one slow computation never holds up unrelated requests.
        value = compute()
        if 0 < self._weigh(value) <= self.size and (keep is None or keep()):
            self.put(key, value)
        return value

    def get(self, key: Hashable) -> object | None:
        """The value kept for key (counted as a hit), or None (a miss)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: object) -> None:
        """Keep value for key, replacing what was kept, and drop the least recently used past the size."""
        weight = self._weigh(value)
        if not 0 < weight <= self.size:
            return
        with self._lock:
            if key in self._entries:
                self._weight -= self._entries.pop(key)[1]
            self._entries[key] = (value, weight)
            self._weight += weight
            while self._weight > self.size:
                _key, (_value, dropped) = self._entries.popitem(last=False)
                self._weight -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = self.hits = self.misses = 0


CACHE_KEY = "tracker.network_cache"
COVERAGE_CACHE_KEY = "tracker.coverage_cache"
PAGE_CACHE_KEY = "tracker.page_cache"


def _cache(key: str, size_setting: str) -> MetricsCache:
    cache = current_app.extensions.get(key)
    if cache is None:
        cache = current_app.extensions.setdefault(key, MetricsCache(current_app.config.get(size_setting, DEFAULT_SIZE)))
    return cache


def metrics_cache() -> MetricsCache:
    """This app's cache of network results (NETWORK_CACHE_SIZE entries)."""
    return _cache(CACHE_KEY, "NETWORK_CACHE_SIZE")


def coverage_cache() -> MetricsCache:
    """This app's cache of coverage figures and series (COVERAGE_CACHE_SIZE entries)."""
    return _cache(COVERAGE_CACHE_KEY, "COVERAGE_CACHE_SIZE")


def page_cache() -> MetricsCache:
    """This app's cache of rendered pages and API answers: PAGE_CACHE_MB megabytes of them at most."""
    cache = current_app.extensions.get(PAGE_CACHE_KEY)
    if cache is None:
        budget = int(current_app.config.get("PAGE_CACHE_MB", 0) * 1_000_000)
        cache = current_app.extensions.setdefault(PAGE_CACHE_KEY, MetricsCache(budget, weigh=len))
    return cache
