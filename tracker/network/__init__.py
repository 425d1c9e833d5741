"""The collaborative as a network, as pure functions over plain records: networkx and the standard
library only, no Flask, no database (graph.py; cache.py is a small thread-safe memo). The database
side lives in tracker.spread."""
