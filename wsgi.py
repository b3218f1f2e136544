"""Entry point for gunicorn and the flask CLI: `gunicorn wsgi:app`."""

from audit_app import create_app

app = create_app()
