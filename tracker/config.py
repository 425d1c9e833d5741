"""Default configuration. No secrets here: SECRET_KEY comes from instance/config.py or the environment."""

SECRET_KEY: str | None = None
# None means the SQLite file in the instance folder.
DATABASE_URL: str | None = None
SQL_ECHO = False

# Request bodies larger than this are refused with 413 (CSV imports are the largest we accept).
MAX_CONTENT_LENGTH = 5 * 1024 * 1024

SESSION_COOKIE_NAME = "tracker_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Turned off automatically when the app runs in debug mode or under test (plain http on loopback).
SESSION_COOKIE_SECURE = True
PERMANENT_SESSION_LIFETIME = 8 * 60 * 60
WTF_CSRF_TIME_LIMIT = 8 * 60 * 60

# pbkdf2:sha256, as required of us; 600,000 iterations is the OWASP 2023 floor.
PASSWORD_HASH_ITERATIONS = 600_000

# Sign-in throttling, counted per email address in the database so every server process shares it.
SIGN_IN_FREE_FAILURES = 3  # failures before each further attempt must wait
SIGN_IN_LOCK_AFTER = 10  # failures before the address is locked
SIGN_IN_LOCK_MINUTES = 15
SIGN_IN_WINDOW_MINUTES = 15  # failures older than this are forgotten

# MFA (administrators and project managers must use it with a password; wrong codes share the throttle above).
MFA_STEP_MINUTES = 10  # how long the second step of sign-in waits after the password was checked
# Changing a password, MFA or someone's role needs the password (and code) given within this many minutes.
REAUTH_MINUTES = 10

# Monte Carlo runs of a forecast, its backtest and the engagement search (tracker.forecast.service):
# more runs, a steadier band and slower first answers (later ones come from the coverage cache).
FORECAST_RUNS = 1000

SERVICE_NAME = "Spread Tracker"
