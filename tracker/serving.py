"""gunicorn's settings from the environment (gunicorn.conf.py applies them), and its JSON access log.

Pure apart from the logger class: settings() turns the environment and the number of cores into
gunicorn's settings, or a ConfigError naming every bad value.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime

from gunicorn.glogging import Logger

from .envconfig import ConfigError, parse_int

MAX_DEFAULT_WORKERS = 8  # each worker holds its own caches and database connections

# name: (gunicorn setting, default, meaning): the README's configuration table lists these too.
SERVER_SETTINGS = {
    "TRACKER_BIND": ("bind", "127.0.0.1:8000", "address and port to listen on"),
    "TRACKER_WORKERS": ("workers", None, "worker processes (default 2 × cores + 1, at most 8)"),
    "TRACKER_TIMEOUT": ("timeout", 30, "seconds a request may take before its worker is restarted"),
    "TRACKER_GRACEFUL_TIMEOUT": ("graceful_timeout", 30, "seconds workers get to finish requests on restart"),
    "TRACKER_KEEPALIVE": ("keepalive", 5, "seconds an idle keep-alive connection is held"),
    "FORWARDED_ALLOW_IPS": ("forwarded_allow_ips", "127.0.0.1,::1", "proxies gunicorn takes X-Forwarded-* from"),
    "TRACKER_ACCESS_LOG": ("accesslog", "-", "where the access log goes (- is standard output, off for none)"),
}


def default_workers(cores: int | None) -> int:
    return min(2 * (cores or 1) + 1, MAX_DEFAULT_WORKERS)


def settings(environ: Mapping[str, str], cores: int | None, problems: list[str] | None = None) -> dict[str, object]:
    """gunicorn's settings for this environment; ConfigError listing every bad value (and the problems
    already found, e.g. in the app's own settings, so start-up names them all at once)."""
    values: dict[str, object] = {}
    problems = list(problems or [])
    for name, (setting, default, _meaning) in SERVER_SETTINGS.items():
        raw = environ.get(name, "").strip()
        if not raw:
            values[setting] = default_workers(cores) if setting == "workers" else default
            continue
        if setting == "accesslog" and raw.lower() == "off":
            values[setting] = None  # e.g. for a benchmark, whose every request would be a line
            continue
        if isinstance(default, str):
            values[setting] = raw
            continue
        try:
            values[setting] = parse_int(name, raw, minimum=1)
        except ConfigError as error:
            problems.append(str(error))
    if problems:
        raise ConfigError("Spread Tracker cannot start: " + "; ".join(problems))
    return values


class JsonAccessLogger(Logger):
    """One JSON object a line per request, carrying the request id the app set (X-Request-ID)."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        headers = {name.lower(): value for name, value in resp.headers}
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": headers.get("x-request-id", "-"),
            "remote_addr": environ.get("REMOTE_ADDR", "-"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING", ""),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT", "-"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info("%s", json.dumps(line, separators=(",", ":")))
        except Exception:  # noqa: BLE001 - a log line must never fail a request
            self.exception("Could not write the access log line")
