"""Jobs and enqueueing: every job has a task, a beat entry and `manage.py run_job`; tasks go
out only after commit; with the broker down they wait in the outbox and are sent later."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from core import jobs
from core.models import PendingTask
from partyadmin.celery import app

pytestmark = pytest.mark.django_db


def test_every_job_has_a_registered_task_and_a_beat_entry():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for job in jobs.JOBS.values():
        assert job.task in app.tasks, job.name
        assert job.task in scheduled, job.name
        assert callable(job.load())


def test_no_task_outlives_the_visibility_timeout():
    app.loader.import_default_modules()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for name, task in app.tasks.items():
        if name.startswith(("core.", "members.", "development.")):
            limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
            assert limit < visibility, name


def test_run_job_by_hand():
    out = io.StringIO()
    call_command("run_job", stdout=out)
    assert "lapse_sweep" in out.getvalue() and "digest" in out.getvalue()
    out = io.StringIO()
    call_command("run_job", "lapse_sweep", stdout=out)
    assert set(json.loads(out.getvalue())) >= {"opened", "lapsed", "closed"}
    out = io.StringIO()
    call_command("run_job", all=True, stdout=out)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == list(jobs.JOBS)


def test_enqueue_waits_for_commit_and_forgets_a_rollback(monkeypatch):
    sent = []
    monkeypatch.setattr(jobs, "send", lambda name, args, kwargs: sent.append((name, args)))
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue("core.tasks.add", 1, 2)
        raise RuntimeError("rolled back")
    assert sent == []


def test_enqueue_runs_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.enqueue("core.tasks.add", 1, 2)
    assert len(callbacks) == 1
    callbacks[0]()  # eager here: runs in-process, nothing in the outbox
    assert not PendingTask.objects.exists()


def test_broker_down_fails_soft_then_the_outbox_drains(monkeypatch):
    task = jobs._task("core.tasks.add")
    calls = []

    def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(task, "apply_async", down)
    assert jobs.send("core.tasks.add", (2, 3)) is False
    assert jobs.send("core.tasks.add", (4, 5)) is False
    assert jobs.drain_outbox() == {"sent": 0, "failed": 1}  # still down: nothing lost
    assert PendingTask.objects.filter(sent_at=None).count() == 2
    monkeypatch.setattr(task, "apply_async", lambda **kw: calls.append(kw["args"]))
    assert jobs.drain_outbox() == {"sent": 2, "failed": 0}
    assert calls == [[2, 3], [4, 5]]
    assert jobs.drain_outbox() == {"sent": 0, "failed": 0}  # each sent once
