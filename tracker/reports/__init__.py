"""The coverage report: its service (service.py, plain data for the page, the downloads, the API and
the dashboard), its SQL (queries.py; the arithmetic is tracker.core.coverage) and its page (routes.py, forms.py)."""
