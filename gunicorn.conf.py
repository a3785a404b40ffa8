"""gunicorn's settings for Parcours, from the environment (read by `make serve`, the
Procfile and deploy/parcours-web.service)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Two-core default: 2 × cores + 1, at most 8; requests are short, PDFs a few hundred ms.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then (a slow leak never grows), not all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
wsgi_app = "parcours.wsgi:application"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
logger_class = "parcours.access_log.PrivateAccessLogger"
access_log_format = 'method=%(m)s path="%(U)s" status=%(s)s ms=%(M)s bytes=%(B)s'
# Behind the TLS proxy on the same host, trust its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Web requests, not the worker's long jobs, get a statement timeout and persistent
# connections (parcours/settings.py reads these).
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "15000")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")
