# Copy to instance/config.py. Environment variables DATABASE_URL and SECRET_KEY override these.
SECRET_KEY = "replace with the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
# DATABASE_URL = "postgresql+psycopg://tracker:secret@localhost/tracker"
