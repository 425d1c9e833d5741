"""The running app's cache of network measures, shared by the API and the map page."""

from __future__ import annotations

from flask import current_app

from ..network.cache import DEFAULT_SIZE, MetricsCache

CACHE_KEY = "tracker.network_cache"


def metrics_cache() -> MetricsCache:
    """This app's cache of network results (NETWORK_CACHE_SIZE entries; 0 turns it off)."""
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = current_app.extensions.setdefault(
            CACHE_KEY, MetricsCache(current_app.config.get("NETWORK_CACHE_SIZE", DEFAULT_SIZE))
        )
    return cache
