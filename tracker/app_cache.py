"""The running app's caches of computed results: one for network measures, one for coverage.

Each is a tracker.network.cache.MetricsCache kept on the app, sized by config (0 turns it off).
Entries are keyed by everything a result depends on, so they never go stale.
"""

from __future__ import annotations

from flask import current_app

from .network.cache import DEFAULT_SIZE, MetricsCache

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
