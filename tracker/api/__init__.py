"""The JSON API, version 1: the blueprint and URL table are in routes.py, the views in topical modules."""
