"""gunicorn settings for production (`make serve`, or `gunicorn --config gunicorn.conf.py
wsgi:app`). Every value can be changed from the environment.

Run it behind a reverse proxy that ends TLS (nginx, a load balancer): see the README.
"""

import multiprocessing
import os

# Where to listen: the proxy connects here. 127.0.0.1 keeps it off the network.
bind = f"{os.environ.get('BIND_ADDRESS', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"

# Two workers a core plus one, gunicorn's rule of thumb for sync workers waiting on the
# database; WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# A request taking longer than this is stuck: its worker is killed and replaced. Case
# imports (5 MB) and report downloads finish well inside it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced after this many requests, so a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200

# Load the app before forking: a missing SECRET_KEY or a broken setting stops gunicorn at
# once with its message, instead of workers failing one after another.
preload_app = True

# X-Forwarded-Proto (and the other forwarded headers) are believed only from these
# addresses: the proxy's. Anyone else sending them is ignored.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# gunicorn's runtime control socket is not used; off, so no socket file is left in $HOME.
control_socket_disable = True

# One JSON object a line: the access log (stdout) without query strings or client
# addresses, and gunicorn's own messages (stderr), both with the request id.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
logger_class = "audit_app.logs.GunicornLogger"


def post_fork(server, worker):
    """Each worker opens its own database connections, never the parent's."""
    from audit_app.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
