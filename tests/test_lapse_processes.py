"""The faults of issue 6 with real processes: a Celery worker on Redis, killed in the middle
of the lapse job; Redis down while a page enqueues work, then back; two runs of the same job
at once. PostgreSQL (the worker shares the test database) and Redis db 12 (or a Redis server
of the test's own on port 6390 for the Redis-down case; the machine's Redis is never
stopped)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
import uuid
from contextlib import contextmanager

import psycopg
import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import jobs
from core.models import Notification, PendingTask
from members.models import LapseCase, LapseStatus, LapseStep, Person, Role
from partyadmin.celery import app
from tests.factories import School, make_person, make_user
from tests.plugins.processes import PYTHON, clean_env, start, with_path

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

LAPSE_REDIS_DB = "12"  # the lapse tests' own db (13 and 14 belong to the other process tests)
OWN_REDIS_PORT = 6390


def database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}"


def start_worker(tmp_path, redis_url: str, queue: str, name: str = "worker", concurrency: int = 1):
    env = clean_env(
        DJANGO_SETTINGS_MODULE="partyadmin.settings.test",
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
    )
    args = [PYTHON, "-m", "celery", "-A", "partyadmin", "worker", "--loglevel", "INFO"]
    args += ["--queues", queue, "--hostname", f"{name}-{queue}@localhost"]
    args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    args += ["--pool", "solo"] if concurrency == 1 else ["--concurrency", str(concurrency)]
    worker = start(name, args, env, tmp_path)
    worker.wait_for(r"\bready\.", timeout=60)
    return worker


def kill(proc) -> None:
    """SIGKILL, as when a container is killed: no warm shutdown, no acknowledgement."""
    os.killpg(proc.popen.pid, signal.SIGKILL)
    proc.popen.wait(10)


def wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def sending_to(broker_url: str, queue: str):
    """This process sends for real (not eagerly) to `broker_url`, on `queue`."""
    conf = app.conf
    saved = (conf.broker_url, conf.task_always_eager, conf.task_default_queue)
    conf.broker_url, conf.task_always_eager, conf.task_default_queue = broker_url, False, queue
    app._pool = None
    app.amqp.__dict__.pop("_producer_pool", None)
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager, conf.task_default_queue = saved
        app._pool = None
        app.amqp.__dict__.pop("_producer_pool", None)


def population(n_lapsed: int) -> tuple:
    """Members whose org life and dues lapsed long ago, plus one warning due to flip today."""
    s = School()
    secretary = make_user("proc_secretary", role=Role.BRANCH_SECRETARY, unit=s.branch_a1)
    today = timezone.localdate()
    long_ago = today - dt.timedelta(days=400)
    for i in range(n_lapsed):
        person = make_person(s.branch_a1, f"党员{i}", stage="full", joined_on=long_ago)
        Person.objects.filter(pk=person.pk).update(
            last_org_life_on=long_ago,
            dues_paid_through=today.replace(day=1),
            last_work_done_on=today,
        )
    flipping = make_person(s.branch_a1, "即将满六个月", stage="full", joined_on=long_ago)
    Person.objects.filter(pk=flipping.pk).update(
        last_org_life_on=long_ago, dues_paid_through=today.replace(day=1), last_work_done_on=today
    )
    warning = LapseCase.objects.create(
        person=flipping,
        count="org_life",
        gap_since=long_ago,
        lapses_on=today,
        status=LapseStatus.WARNING,
        opened_on=today - dt.timedelta(days=20),
    )
    return secretary, warning


LOCK_WAITS = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"


def assert_complete(secretary, n_lapsed: int) -> None:
    total = n_lapsed + 1
    assert LapseCase.objects.count() == total
    assert LapseCase.objects.filter(status=LapseStatus.LAPSED).count() == total
    for kind in (LapseStep.Kind.OPENED, LapseStep.Kind.LAPSED):
        assert LapseStep.objects.filter(kind=kind).count() == total
    # Each case's "lapsed" event once; the pre-existing warning was never notified.
    assert Notification.objects.filter(user=secretary, kind="lapse_lapsed").count() == total


def test_a_worker_killed_in_the_lapse_job_and_two_runs_at_once(tmp_path):
    n = 25
    secretary, warning = population(n)
    redis_url = with_path(settings.TEST_REDIS_URL, LAPSE_REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    queue = f"lapse-{uuid.uuid4().hex[:8]}"
    client = Celery("client", broker=redis_url, backend=redis_url, set_as_current=False)
    db = settings.DATABASES["default"]
    blocker = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
        password=db["PASSWORD"] or None, dbname=db["NAME"],
    )  # fmt: skip
    watcher = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
        password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=True,
    )  # fmt: skip
    worker = start_worker(tmp_path, redis_url, queue)
    try:
        # Hold the warning's row: the job blocks on its flip, half-way through its work.
        blocker.execute("SELECT id FROM members_lapsecase WHERE id = %s FOR UPDATE", [warning.pk])
        client.send_task("members.tasks.lapse_sweep", queue=queue)
        wait_until(
            lambda: watcher.execute(LOCK_WAITS, [db["NAME"]]).fetchone()[0],
            30,
            "the job to block on the held row",
        )
        kill(worker)
        blocker.rollback()
        # Killed mid-transaction: nothing half-done is left.
        assert LapseCase.objects.count() == 1 and not LapseStep.objects.exists()

        # The next run (the next beat tick) finishes the work; two at once equal one.
        worker = start_worker(tmp_path, redis_url, queue, name="worker2", concurrency=2)
        results = [client.send_task("members.tasks.lapse_sweep", queue=queue) for _ in range(2)]
        done = [r.get(timeout=60) for r in results]
        assert sorted(d["opened"] for d in done) == [0, n]
        assert_complete(secretary, n)
        again = client.send_task("members.tasks.lapse_sweep", queue=queue).get(timeout=60)
        assert again == {"closed": 0, "opened": 0, "lapsed": 0, "steps": 0, "notifications": 0}
    finally:
        blocker.close()
        watcher.close()
        client.close()
        if worker.running():
            worker.stop()


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own on port 6390, which it may stop and start."""
    procs = []

    def up():
        args = ["redis-server", "--port", str(OWN_REDIS_PORT), "--save", "", "--appendonly", "no"]
        args += ["--dir", str(tmp_path)]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        r = redis.Redis(port=OWN_REDIS_PORT)
        wait_until(lambda: _pings(r), 10, "redis on 6390")

    def down():
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)

    yield up, down
    down()


def _pings(r) -> bool:
    try:
        return bool(r.ping())
    except redis.ConnectionError:
        return False


def test_redis_down_pages_work_tasks_wait_and_jobs_catch_up(tmp_path, own_redis, client):
    up, down = own_redis
    n = 5
    secretary, _ = population(n)
    redis_url = f"redis://127.0.0.1:{OWN_REDIS_PORT}/{LAPSE_REDIS_DB}"
    queue = f"lapse-down-{uuid.uuid4().hex[:8]}"
    with sending_to(redis_url, queue):
        # Redis is down: the page answers, and what it enqueued waits in the outbox.
        client.force_login(secretary)
        began = time.monotonic()
        with transaction.atomic():
            jobs.enqueue("members.tasks.lapse_sweep")
        assert time.monotonic() - began < 10  # fails soft, fast
        assert client.get("/lapses/").status_code == 200
        assert PendingTask.objects.filter(sent_at=None).count() == 1
        assert jobs.drain_outbox() == {"sent": 0, "failed": 1}  # still down: kept
        assert LapseCase.objects.count() == 1  # only the fixture's warning

        # Redis returns: the outbox drains to a real worker, and the job catches up.
        up()
        worker = start_worker(tmp_path, redis_url, queue)
        try:
            assert jobs.drain_outbox() == {"sent": 1, "failed": 0}
            wait_until(
                lambda: LapseStep.objects.filter(kind="lapsed").count() == n + 1, 60, "the job"
            )
            assert_complete(secretary, n)
            assert jobs.drain_outbox() == {"sent": 0, "failed": 0}
        finally:
            worker.stop()
            down()
