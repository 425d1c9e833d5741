"""gunicorn's configuration for Spread Tracker: `gunicorn wsgi:app` from this folder reads it.

Every value comes from the environment (README.md, Configuration); a bad one, for gunicorn or for
the app, stops start-up here with one clear message before any worker starts.
"""

import os
import sys

from tracker import config as _app_config
from tracker.envconfig import ConfigError, problems_in, settings_from
from tracker.serving import settings

try:
    _values, _problems = problems_in(settings_from(_app_config), os.environ)
    globals().update(settings(os.environ, os.cpu_count(), _problems))
except ConfigError as _error:
    sys.exit(str(_error))

# Structured access log: one JSON object a line, with the request id also shown on error pages.
logger_class = "tracker.serving.JsonAccessLogger"
errorlog = "-"
# Workers are started fresh, not forked from a loaded app: a deploy's new code is what they load.
preload_app = False
# No runtime control socket (gunicorn 24+): it sits at one path per user, which a second instance on
# the same host would fight over, and nothing here uses gunicornc.
control_socket_disable = True
