"""Celery: a real worker against Redis, and in-process tasks in the embedded default."""

import json
import subprocess
import uuid

import pytest
from celery import Celery
from django.conf import settings

from core.tasks import add
from partyadmin.celery import app
from tests.plugins.processes import BASE_DIR, PYTHON, clean_env, start, with_path

WORKER_REDIS_DB = "13"  # a Redis database of its own: the worker never sees other tests' tasks


def django_settings_in_subprocess(tmp_path, **env: str) -> dict:
    """Load partyadmin.settings.local in a fresh interpreter with exactly ``env``; send
    core.tasks.add only when tasks run in-process (there is no broker to reach)."""
    code = """
import json, django
django.setup()
from django.conf import settings
from partyadmin.celery import app
from core.tasks import add
out = {"eager": settings.CELERY_TASK_ALWAYS_EAGER, "broker": app.conf.broker_url}
if out["eager"]:
    result = add.delay(2, 3)
    out.update(result=type(result).__name__, value=result.get(timeout=5))
print(json.dumps(out))
"""
    env = clean_env(
        DJANGO_SETTINGS_MODULE="partyadmin.settings.local",
        PARTYADMIN_VAR_DIR=str(tmp_path / "var"),
        **env,
    )
    done = subprocess.run(
        [PYTHON, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_embedded_default_runs_tasks_in_process(tmp_path):
    """No REDIS_URL: no broker at all, .delay() runs the task right here."""
    out = django_settings_in_subprocess(tmp_path)
    assert out == {"eager": True, "broker": "memory://", "result": "EagerResult", "value": 5}


def test_redis_url_sends_tasks_to_the_broker(tmp_path):
    """With REDIS_URL, tasks are queued for a worker, not run in-process."""
    out = django_settings_in_subprocess(tmp_path, REDIS_URL="redis://127.0.0.1:6379/13")
    assert out == {"eager": False, "broker": "redis://127.0.0.1:6379/13"}


def test_unit_tests_run_tasks_eagerly():
    """partyadmin.settings.test keeps tasks in-process even when REDIS_URL is set."""
    result = add.delay(20, 22)
    assert type(result).__name__ == "EagerResult"
    assert result.get() == 42


def test_celery_configuration_is_sane():
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    # Redis re-delivers an unacknowledged task after the visibility timeout: if that came
    # before the hard time limit, a long task would run twice.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility


def test_every_scheduled_task_exists():
    """Beat's schedule lives in code; each entry must name a registered task."""
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r}: no task {entry['task']!r}"


@pytest.mark.redis
def test_real_worker_round_trip(tmp_path):
    """Start `celery -A partyadmin worker` against Redis, send it tasks, read the results."""
    redis_url = with_path(settings.TEST_REDIS_URL, WORKER_REDIS_DB)
    queue = f"partyadmin-test-{uuid.uuid4().hex[:8]}"
    node = f"{queue}@localhost"
    env = clean_env(
        DJANGO_SETTINGS_MODULE="partyadmin.settings.local",
        PARTYADMIN_VAR_DIR=str(tmp_path / "var"),
        REDIS_URL=redis_url,
    )
    args = [PYTHON, "-m", "celery", "-A", "partyadmin", "worker", "--loglevel", "INFO"]
    args += ["--pool", "solo", "--queues", queue, "--hostname", node]
    args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker = start("worker", args, env, tmp_path)
    client = Celery("client", broker=redis_url, backend=redis_url, set_as_current=False)
    try:
        worker.wait_for(r"\bready\.", timeout=60)
        assert client.send_task("core.tasks.add", (20, 22), queue=queue).get(timeout=30) == 42
        # The worker reads the clock in the school's zone.
        stamp = client.send_task("core.tasks.heartbeat", queue=queue).get(timeout=30)
        assert stamp.endswith("+08:00"), stamp
        # The worker itself queues tasks: eager mode is off there.
        conf = client.control.inspect([node], timeout=10).conf() or {}  # its Django settings
        assert conf[node]["CELERY_TASK_ALWAYS_EAGER"] is False
        worker.wait_for(r"Task core\.tasks\.add\[[0-9a-f-]+\] succeeded", timeout=10)
    finally:
        client.close()
        worker.stop()
    assert not worker.running()
