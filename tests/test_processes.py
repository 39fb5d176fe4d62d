"""Smoke test of the production processes of docker-compose.yml, started for real here:
gunicorn, a Celery worker and Celery beat, on production settings, PostgreSQL and Redis."""

import os
import re
import secrets
import subprocess
from contextlib import ExitStack

import psycopg
import pytest
import redis
from celery import Celery
from django.conf import settings

from tests.plugins.processes import (
    BASE_DIR,
    PYTHON,
    clean_env,
    free_port,
    http_get,
    start,
    wait_for_http,
    with_path,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

SMOKE_REDIS_DB = "14"  # not the worker test's (13) nor the app's (0)


@pytest.fixture
def smoke_database_url():
    """A PostgreSQL database of its own (pytest-django's test database is another one)."""
    server = settings.DATABASES["default"]  # host, port and user of the test run
    name = f"partyadmin_smoke_{secrets.token_hex(4)}"
    admin = psycopg.connect(
        host=server["HOST"] or "127.0.0.1",
        port=server["PORT"] or 5432,
        user=server["USER"],
        password=server["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield with_path(os.environ["DATABASE_URL"], name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_web_worker_and_beat_serve_pages_run_tasks_and_schedule(tmp_path, smoke_database_url):
    redis_url = with_path(settings.TEST_REDIS_URL, SMOKE_REDIS_DB)
    broker_db = redis.Redis.from_url(redis_url)
    broker_db.flushdb()  # a dedicated db: it holds nothing but this test's messages
    port = free_port()
    env = clean_env(
        DJANGO_SETTINGS_MODULE="partyadmin.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=smoke_database_url,
        REDIS_URL=redis_url,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",  # plain http on loopback; behind TLS in production
        FIELD_ENCRYPTION_KEY=secrets.token_hex(16),
        BLIND_INDEX_KEY=secrets.token_hex(32),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "uploads"),
        CELERY_HEARTBEAT_SECONDS="1",  # so beat has something due within the test
        PORT=str(port),
    )

    def manage(*args: str) -> None:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")

    celery = [PYTHON, "-m", "celery", "-A", "partyadmin"]
    with ExitStack() as stack:
        stack.callback(broker_db.flushdb)
        procs = []
        for name, args in [
            ("web", [PYTHON, "-m", "gunicorn", "partyadmin.wsgi", "--bind", f"127.0.0.1:{port}"]),
            ("worker", [*celery, "worker", "--loglevel", "INFO", "--concurrency", "1"]),
            (
                "beat",
                [*celery, "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat")]
                + ["--pidfile", str(tmp_path / "beat.pid")],
            ),
        ]:
            proc = start(name, args, env, tmp_path)
            stack.callback(proc.stop)  # runs even when an assertion below fails
            procs.append(proc)
        web, worker, beat = procs
        base = f"http://127.0.0.1:{port}"

        # gunicorn: health, the login page, and the page's static files through WhiteNoise.
        status, body = wait_for_http(f"{base}/healthz", web, timeout=60)
        assert (status, body) == (200, '{"status": "ok"}'), body
        status, login = http_get(f"{base}/accounts/login/")
        assert status == 200
        assert 'name="csrfmiddlewaretoken"' in login and 'name="password"' in login
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', login)
        assert stylesheet, "the login page links no stylesheet"
        assert http_get(base + stylesheet[1])[0] == 200
        healthcheck = [PYTHON, "scripts/healthcheck.py"]
        check = subprocess.run([*healthcheck, "web"], cwd=BASE_DIR, env=env, timeout=30)
        assert check.returncode == 0

        # worker: a task through the broker, and its result back.
        worker.wait_for(r"\bready\.", timeout=60)
        client = Celery("client", broker=redis_url, backend=redis_url, set_as_current=False)
        stack.callback(client.close)
        assert client.send_task("core.tasks.add", (2, 3)).get(timeout=30) == 5
        check = subprocess.run([*healthcheck, "worker"], cwd=BASE_DIR, env=env, timeout=60)
        assert check.returncode == 0

        # beat: starts, sends the due heartbeat, and the worker runs it.
        beat.wait_for(r"beat: Starting", timeout=30)
        beat.wait_for(r"Sending due task heartbeat \(core\.tasks\.heartbeat\)", timeout=30)
        worker.wait_for(r"Task core\.tasks\.heartbeat\[[0-9a-f-]+\] succeeded", timeout=30)
        pidfile = str(tmp_path / "beat.pid")
        check = subprocess.run([*healthcheck, "beat", pidfile], cwd=BASE_DIR, env=env, timeout=30)
        assert check.returncode == 0

        for proc in procs:
            assert proc.running(), f"{proc.name} died:\n{proc.tail()}"
    for proc in procs:
        assert not proc.running(), f"{proc.name} was left running"
