"""The production entry point: gunicorn 'wsgi:app'."""

from tracker import create_app

app = create_app()

if app.debug:
    raise RuntimeError("Refusing to serve with debug on: unset FLASK_DEBUG for production")
