# Copy to instance/config.py. Environment variables of the same names override DATABASE_URL, SECRET_KEY and the sign-in settings below.
SECRET_KEY = "replace with the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
# DATABASE_URL = "postgresql+psycopg://tracker_app:secret@localhost/spread_tracker"
# The role that owns the tables, for `flask db`, `prune`, `backup` and `restore`: README, "Two database roles".
# DATABASE_OWNER_URL = "postgresql+psycopg://tracker_owner:another-secret@localhost/spread_tracker"

# Sign-in with an NHS work account (Microsoft Entra ID): README, "Sign-in with NHS work accounts".
# OIDC_DISCOVERY_URL = "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"
# OIDC_CLIENT_ID = "the app registration's Application (client) ID"
# OIDC_CLIENT_SECRET = "a client secret of the app registration"
# OIDC_ALLOWED_TENANTS = ("the Directory (tenant) ID of each organisation whose staff may sign in",)
# ADMIN_CONTACT = "the Spread Tracker team (spread.tracker@nhs.net)"
# PASSWORD_SIGN_IN = False
