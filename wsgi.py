"""The production entry point: `gunicorn -c gunicorn.conf.py wsgi:app` (README: Production)."""

import gc

from tracker import create_app

app = create_app()

if app.debug:
    raise RuntimeError("Refusing to serve with debug on: unset FLASK_DEBUG for production")

# What starting made (modules, the app, its metadata) lives as long as the worker: move it out of
# the collector's full passes, which otherwise rescan it every few requests (75 ms each measured
# on the dashboard, see bench/coverage.py).
gc.freeze()
