"""gunicorn settings for one Stride app server (``gunicorn -c deploy/gunicorn_conf.py``).

Every value can be overridden from the environment (the systemd unit's EnvironmentFile).
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
# Behind nginx on the same host use 127.0.0.1:8000; an app server that several nginx hosts
# (or a load balancer) reach listens on its private address instead.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: two per core measured best in `make bench` (the app waits little on I/O).
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count())))
timeout = 30
graceful_timeout = 20
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500
# nginx sets X-Forwarded-Proto; Django trusts it through SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
