"""The caches of computed results: network measures, coverage figures and series.

A MetricsCache is a small in-process LRU; the running app keeps one for network results and one
for coverage (metrics_cache(), coverage_cache()), sized by config (0 turns it off).
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

    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], keep: Callable[[], bool] | None = None) -> T:
        """The cached value for key, else compute() (stored for next time, if keep() says so)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]  # type: ignore[return-value]
            self.misses += 1
        # Computed outside the lock: two threads that miss together both compute, which is harmless
        # (same key, same value), while one slow computation never holds up unrelated requests.
        value = compute()
        if self.size > 0 and (keep is None or keep()):
            with self._lock:
                self._entries[key] = value
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


CACHE_KEY = "tracker.network_cache"
COVERAGE_CACHE_KEY = "tracker.coverage_cache"


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
