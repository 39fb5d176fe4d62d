"""The beat schedule without beat, for the embedded default (no Redis, so no Celery beat).

`manage.py run_schedule` (started by scripts/run beside the web server) reads the same
CELERY_BEAT_SCHEDULE that beat reads and runs each entry's job in-process when it falls due,
in the school's time zone. At start every job runs once: the jobs are idempotent and read
the state of the database, so running one that is not due changes nothing but catches up
on whatever was missed while the server was stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery.schedules import BaseSchedule, schedule
from django.conf import settings

from core.jobs import JOBS, Job

log = logging.getLogger(__name__)
POLL_SECONDS = 30.0  # the shortest entry (the outbox) is every minute


@dataclass(frozen=True)
class Entry:
    name: str
    job: Job
    schedule: BaseSchedule


def schedule_entries() -> list[Entry]:
    """The schedule's entries that run a job (core.jobs.JOBS); beat-only ones such as the
    worker heartbeat have nothing to do without a worker."""
    from partyadmin.celery import app

    by_task = {job.task: job for job in JOBS.values()}
    entries = []
    for name, spec in settings.CELERY_BEAT_SCHEDULE.items():
        job = by_task.get(spec["task"])
        if job is None:
            continue
        every = spec["schedule"]
        if not isinstance(every, BaseSchedule):
            every = schedule(dt.timedelta(seconds=float(every)))
        every.app = app  # the app's time zone (Asia/Shanghai), as beat would use
        entries.append(Entry(name, job, every))
    return entries


def due_entries(entries: list[Entry], last_run: dict[str, dt.datetime]) -> list[Entry]:
    """The entries to run now: never run yet, or due since their last run."""
    return [e for e in entries if e.name not in last_run or e.schedule.is_due(last_run[e.name])[0]]


def run_due(
    entries: list[Entry],
    last_run: dict[str, dt.datetime],
    now: Callable[[], dt.datetime],
) -> dict[str, Any]:
    """Run what is due and note when. A failing job is logged and retried at its next time,
    as beat would; it never stops the others."""
    results: dict[str, Any] = {}
    for entry in due_entries(entries, last_run):
        try:
            results[entry.name] = entry.job.load()()
        except Exception:  # one job's failure must not stop the schedule
            log.exception("scheduled job %s failed", entry.name)
            results[entry.name] = None
        last_run[entry.name] = now()
    return results
