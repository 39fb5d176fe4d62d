"""Scheduled jobs and how work reaches the Celery worker.

Jobs. Every scheduled job is a plain service function, named in JOBS; its Celery task (in the
app's tasks module) only calls it, and `manage.py run_job <name>` runs the same function by
hand, in-process. Each job is set-based, idempotent and safe to run twice or twice at once:
it reads the state of the database, never a queue of events, so a run that was missed while
Redis was down is caught up by the next one.

Enqueueing. `enqueue(task, *args)` sends a task only once the surrounding transaction has
committed (the worker must find the rows the page just wrote). If the broker cannot be
reached, the page still answers: the task is written to the outbox (core.PendingTask) and
`drain_outbox`, run by beat every minute, sends it when Redis is back.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.models import PendingTask

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    function: str  # dotted path of the service the job runs
    task: str  # the Celery task that runs it from beat
    help: str

    def load(self) -> Callable[..., Any]:
        module, _, attr = self.function.rpartition(".")
        return getattr(importlib.import_module(module), attr)


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "lapse_sweep",
            "members.services.lapses.lapse_sweep",
            "members.tasks.lapse_sweep",
            "open lapse cases at five months, flip them at six, close re-engaged ones",
        ),
        Job(
            "reminders",
            "core.notifications.registry.reminders_run",
            "core.tasks.reminders",
            "every registered deadline reminder into the notification centre",
        ),
        Job(
            "digest",
            "core.notifications.digest.digest_send",
            "core.tasks.digest",
            "the daily e-mail digest of unsent notifications, each sent at most once",
        ),
        Job(
            "drain_outbox",
            "core.jobs.drain_outbox",
            "core.tasks.drain_outbox",
            "send tasks that could not reach the broker when they were enqueued",
        ),
    )
}


def run_job(name: str) -> Any:
    if name not in JOBS:
        raise KeyError(name)
    return JOBS[name].load()()


# Enqueueing -------------------------------------------------------------------------------


def _task(name: str):
    from partyadmin.celery import app

    if name not in app.tasks:
        app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery)
    return app.tasks[name]


def send(name: str, args: list | tuple = (), kwargs: dict | None = None) -> bool:
    """Send now; on a broker error keep it in the outbox. True when it was sent."""
    try:
        # retry=False: with Redis down, fail at once instead of holding the page.
        _task(name).apply_async(args=list(args), kwargs=kwargs or {}, retry=False)
    except Exception as exc:  # kombu/redis raise many kinds; every one means "not sent"
        log.warning("broker unreachable, %s kept in the outbox: %s", name, exc)
        PendingTask.objects.create(
            task=name, args=list(args), kwargs=kwargs or {}, attempts=1, last_error=str(exc)[:255]
        )
        return False
    return True


def enqueue(name: str, *args: Any, **kwargs: Any) -> None:
    """Send task `name` after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(name, args, kwargs))


def drain_outbox(limit: int = 500) -> dict[str, int]:
    """Send what the outbox holds, oldest first. Each row is claimed with a conditional
    UPDATE before it is sent, so two drains at once never send the same task twice."""
    sent = failed = 0
    for pending in PendingTask.objects.filter(sent_at=None).order_by("id")[:limit]:
        claimed = PendingTask.objects.filter(pk=pending.pk, sent_at=None).update(
            sent_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            _task(pending.task).apply_async(args=pending.args, kwargs=pending.kwargs, retry=False)
        except Exception as exc:
            PendingTask.objects.filter(pk=pending.pk).update(
                sent_at=None, attempts=pending.attempts + 1, last_error=str(exc)[:255]
            )
            failed += 1
            break  # the broker is still down: the rest waits for the next drain
        sent += 1
    return {"sent": sent, "failed": failed}
