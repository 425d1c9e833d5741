"""Default configuration. No secrets here: SECRET_KEY comes from instance/config.py or the environment.

Every upper-case name here is a setting, and an environment variable of the same name overrides it
(parsed by the default's type: tracker.envconfig). README.md's configuration table lists them all
(tests/test_config_env.py checks it does).
"""

from .core import trend as _trend
from .spreadsheets import csvfile as _csvfile

SECRET_KEY: str | None = None
# None means the SQLite file in the instance folder.
DATABASE_URL: str | None = None
# PostgreSQL in production: the role that owns the tables, for `flask db`, `prune`, `backup` and `restore`
# (DATABASE_URL is then the app's own role, which owns nothing: see README, Production). None: DATABASE_URL.
DATABASE_OWNER_URL: str | None = None
SQL_ECHO = False

# Request bodies larger than this are refused with 413 (CSV imports are the largest we accept).
MAX_CONTENT_LENGTH = 5 * 1024 * 1024

SESSION_COOKIE_NAME = "tracker_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Turned off automatically in debug mode or under test (plain http on loopback), unless set explicitly.
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
# ... and per client address and per subnet (/24 IPv4, /64 IPv6), before any password is hashed. Higher than
# per email: a trust's staff may share one address. The lock and window minutes are the ones above.
SIGN_IN_ADDRESS_FREE_FAILURES = 10
SIGN_IN_ADDRESS_LOCK_AFTER = 50
SIGN_IN_SUBNET_FREE_FAILURES = 30
SIGN_IN_SUBNET_LOCK_AFTER = 150
# Password checks per second, service-wide, for addresses nobody signed in from in SIGN_IN_KNOWN_ADDRESS_DAYS
# (after a burst): each costs ~0.45 s of CPU, and an attacker can have thousands of new addresses. 0: no cap.
SIGN_IN_NEW_ADDRESS_CHECKS_PER_SECOND = 2
SIGN_IN_NEW_ADDRESS_BURST = 20
SIGN_IN_KNOWN_ADDRESS_DAYS = 30

# Refused requests of people not signed in are counted (anonymous_denials), not audited one by one;
# a count stops growing at this many per hour, route and subnet, so a flood costs no writes after it.
ANONYMOUS_DENIALS_PER_HOUR = 1000

# Days to keep what `flask prune` may remove (sign-in counts, anonymous denial counts, audit entries of
# refused requests and failed sign-ins). None keeps everything.
RETENTION_DAYS: int | None = None

# MFA (administrators and project managers must use it with a password; wrong codes share the throttle above).
MFA_STEP_MINUTES = 10  # how long the second step of sign-in waits after the password was checked
# Changing a password, MFA or someone's role needs the password (and code) given within this many minutes.
REAUTH_MINUTES = 10

# Monte Carlo runs of a forecast, its backtest and the engagement search (tracker.forecast.service):
# more runs, a steadier band and slower first answers (later ones come from the coverage cache).
FORECAST_RUNS = 1000

SERVICE_NAME = "Spread Tracker"

# Coverage figures and series kept per server process (least recently used go first); 0 turns it off.
COVERAGE_CACHE_SIZE = 128
# Network measures and drawings kept per server process, likewise.
NETWORK_CACHE_SIZE = 128
# Rendered heavy pages and API answers kept per server process, in megabytes of text (tracker.page_cache);
# 0 turns it off. A national spread map page is under 1 MB.
PAGE_CACHE_MB = 32
# The regional coverage target the dashboard's trend is measured against (1.0: every open organisation).
COVERAGE_GOAL = _trend.DEFAULT_GOAL
# Adoption imports: the largest file and the most rows accepted, and how long a checked file may wait.
IMPORT_MAX_BYTES = _csvfile.MAX_BYTES
IMPORT_MAX_ROWS = _csvfile.MAX_ROWS
IMPORT_CONFIRM_SECONDS = 60 * 60  # as tracker.spreadsheets.staging.MAX_AGE_SECONDS
# The most rows an XLSX download of the events or records may hold. openpyxl writes a few thousand rows a
# second, so a workbook much past this would outlast the worker's timeout (TRACKER_TIMEOUT, 30 s) and be cut
# off half-written; above it the page offers CSV, which streams any length. Excel's own limit is 1,048,575.
XLSX_MAX_ROWS = 50_000

# Answered with 503 while the database does not answer: when clients should try again (Retry-After).
RETRY_AFTER_SECONDS = 30

# How many proxies in front of the app set each X-Forwarded-* header (werkzeug's ProxyFix). 0 trusts
# none: a client could claim any address or https. Behind one TLS-terminating proxy, FOR and PROTO are 1.
TRACKER_PROXY_FOR = 0
TRACKER_PROXY_PROTO = 0
TRACKER_PROXY_HOST = 0
TRACKER_PROXY_PORT = 0
TRACKER_PROXY_PREFIX = 0

# Sign-in with an NHS work account (OpenID Connect, e.g. Microsoft Entra ID): on when the discovery URL
# (or issuer), client id and secret and at least one allowed tenant id are set. See README.
OIDC_DISCOVERY_URL: str | None = None
OIDC_ISSUER: str | None = None
OIDC_CLIENT_ID: str | None = None
OIDC_CLIENT_SECRET: str | None = None
OIDC_ALLOWED_TENANTS: tuple[str, ...] = ()
OIDC_BUTTON_LABEL = "Sign in with your NHS work account"
# The callback's address as registered at the provider (https://HOST/sign-in/oidc/callback); None: from the request.
OIDC_REDIRECT_URI: str | None = None
# Sign-in with a password: switch off once everyone signs in with a work account.
PASSWORD_SIGN_IN = True
# Whom a person without an account should ask, as the sign-in pages name them.
ADMIN_CONTACT = "your programme's administrator"

# API tokens: the longest expiry an administrator (or `users token`) may give a new token, in days.
API_TOKEN_MAX_DAYS = 365
# How long the answer to an API write sent with an Idempotency-Key is kept for a retry, in hours.
IDEMPOTENCY_KEY_HOURS = 24
# Where pg_dump and pg_restore are, when neither PATH nor /usr/lib/postgresql/*/bin has them.
PG_BIN_DIR: str | None = None

# Reminders (tracker.reminders): a record not confirmed for this many days needs an update, and the
# weekly digest (`flask reminders send`, from cron) lists it.
STALE_AFTER_DAYS = 90
# The digest's mail server: SMTP on SMTP_HOST:SMTP_PORT, upgraded with STARTTLS when on (the usual on port
# 587), signed in with SMTP_USERNAME and SMTP_PASSWORD when set. No SMTP_HOST: no mail is sent.
SMTP_HOST: str | None = None
SMTP_PORT = 587
SMTP_STARTTLS = True
SMTP_USERNAME: str | None = None
SMTP_PASSWORD: str | None = None
# The digest's From address, e.g. "Spread Tracker <spread.tracker@nhs.net>".
MAIL_FROM: str | None = None
# The address people open the site at (https://tracker.example.nhs.uk), for the links in the digest.
SITE_URL: str | None = None
