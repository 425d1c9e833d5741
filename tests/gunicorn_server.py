"""gunicorn with gunicorn.conf.py on loopback, for the tests that need a real server (not fixtures).

Its output is read as it comes by one thread per stream, so a full pipe never stalls the server:
each line is echoed to this process's standard output (pytest shows it under a failing test) and
queued for the test that wants it (the access log's lines).
"""

from __future__ import annotations

import http.cookiejar
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
START_SECONDS = 60


class _Unfollowed(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer, as the Flask test client gives it


class Browser:
    """One person's HTTP client: one cookie jar, whichever server it talks to (cookies ignore ports).

    Redirects are answers, not followed: a test sees the 302 and its Location.
    """

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _Unfollowed)

    def request(self, url: str, data: dict | bytes | None = None, **headers):
        """(status, headers, text) of a GET, or of a POST of a form (dict) or of a ready body (bytes)."""
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


class Server:
    def __init__(self, process: subprocess.Popen, port: int, output: queue.Queue[str]):
        self.process, self.port, self.output = process, port, output
        self.browser = Browser()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, path: str, data: dict | None = None, **headers):
        return self.browser.request(self.url(path), data, **headers)

    def stdout_line(self) -> str:
        """The next line the server writes to its standard output (the access log): waits for it."""
        return self.output.get(timeout=START_SECONDS)


def _echo(stream, name: str, into: queue.Queue[str] | None) -> None:
    for line in stream:
        sys.stdout.write(f"[{name}] {line}")
        if into is not None:
            into.put(line)


@contextmanager
def gunicorn(environ: Mapping[str, str], name: str = "gunicorn") -> Iterator[Server]:
    """A gunicorn on a free loopback port with this environment (over the test run's own, less TRACKER_/FLASK_)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "FLASK_"))},
        "TRACKER_BIND": "127.0.0.1:0",
        "TRACKER_WORKERS": "1",
        **environ,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors: queue.Queue[str] = queue.Queue()
    output: queue.Queue[str] = queue.Queue()
    readers = [
        threading.Thread(target=_echo, args=(process.stderr, name, errors), daemon=True),
        threading.Thread(target=_echo, args=(process.stdout, name, output), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        while True:
            line = errors.get(timeout=START_SECONDS)
            if match := LISTENING.search(line):
                break
        # Once listening, connections queue until the worker has loaded the app: no waiting needed.
        yield Server(process, int(match.group(1)), output)
    finally:
        process.terminate()
        process.wait(timeout=START_SECONDS)
        for reader in readers:
            reader.join(timeout=START_SECONDS)  # the pipes end with the process
        process.stdout.close()
        process.stderr.close()
