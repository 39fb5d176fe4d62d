#!/usr/bin/env python
"""Container health checks for docker-compose.yml (and the process smoke test).

    healthcheck.py web              GET /healthz on 127.0.0.1:$PORT (default 8000)
    healthcheck.py worker           this host's Celery worker answers a ping
    healthcheck.py beat [PIDFILE]   the beat process in PIDFILE is alive

Exit status 0 means healthy. Reads the same environment as the processes it checks.
"""

import os
import socket
import sys
import urllib.request


def check_web() -> None:
    # Production answers only to ALLOWED_HOSTS and redirects plain http to https, so ask as
    # the proxy would: with an allowed Host and X-Forwarded-Proto: https.
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",") if h.strip()]
    host = hosts[0].strip().lstrip(".").replace("*", "localhost") if hosts else "localhost"
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=5) as response:
        if response.status != 200:
            sys.exit(f"/healthz answered {response.status}")


def check_worker() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyadmin.settings.production")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from partyadmin.celery import app

    node = f"celery@{socket.gethostname()}"
    if not app.control.ping(destination=[node], timeout=5):
        sys.exit(f"{node} did not answer a ping")


def check_beat(pidfile: str) -> None:
    with open(pidfile) as f:
        os.kill(int(f.read().strip()), 0)  # raises if no such process


def main(argv: list[str]) -> None:
    what = argv[1] if len(argv) > 1 else ""
    if what == "web":
        check_web()
    elif what == "worker":
        check_worker()
    elif what == "beat":
        check_beat(argv[2] if len(argv) > 2 else "/tmp/celerybeat.pid")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except Exception as error:  # one line in `docker inspect`, not a traceback
        sys.exit(f"unhealthy: {error!r}")
