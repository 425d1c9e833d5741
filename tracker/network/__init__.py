"""The collaborative as a network: pure functions over plain records (networkx and the standard library only)."""
