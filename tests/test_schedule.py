"""The embedded default's schedule runner: the same beat entries, run in-process when due."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from core import schedule
from core.jobs import Job

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLS: list[str] = []


def _ok() -> str:
    CALLS.append("ok")
    return "done"


def _boom() -> None:
    CALLS.append("boom")
    raise RuntimeError("job failed")


def _at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def _entry(name: str) -> schedule.Entry:
    return next(e for e in schedule.schedule_entries() if e.name == name)


def test_entries_are_the_beat_jobs_without_the_worker_heartbeat():
    names = {e.name for e in schedule.schedule_entries()}
    assert names == {"lapse_sweep", "reminders", "digest", "drain_outbox"}


def test_every_entry_is_due_before_its_first_run():
    entries = schedule.schedule_entries()
    assert schedule.due_entries(entries, {}) == entries


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (_at(2026, 12, 3, 1, 29), False),  # the day after, a minute before 01:30
        (_at(2026, 12, 3, 1, 30), True),  # on the time
        (_at(2026, 12, 3, 1, 31), True),  # after it, not yet run
    ],
)
def test_a_daily_job_falls_due_at_its_time_in_shanghai(now, due):
    sweep = _entry("lapse_sweep")  # crontab(hour=1, minute=30)
    last_run = {"lapse_sweep": _at(2026, 12, 2, 1, 30)}
    with time_machine.travel(now, tick=False):
        assert (sweep in schedule.due_entries([sweep], last_run)) is due


def test_the_outbox_drain_is_due_every_minute():
    drain = _entry("drain_outbox")
    last_run = {"drain_outbox": _at(2026, 12, 2, 9, 0)}
    with time_machine.travel(_at(2026, 12, 2, 9, 0, 59), tick=False):
        assert schedule.due_entries([drain], last_run) == []
    with time_machine.travel(_at(2026, 12, 2, 9, 1, 0), tick=False):
        assert schedule.due_entries([drain], last_run) == [drain]


def test_a_failing_job_is_logged_and_does_not_stop_the_others():
    every_minute = schedule.schedule_entries()[0].schedule
    entries = [
        schedule.Entry("first", Job("first", "tests.test_schedule._boom", "-", ""), every_minute),
        schedule.Entry("second", Job("second", "tests.test_schedule._ok", "-", ""), every_minute),
    ]
    CALLS.clear()
    last_run: dict = {}
    moment = _at(2026, 12, 2, 9, 0)
    results = schedule.run_due(entries, last_run, lambda: moment)
    assert CALLS == ["boom", "ok"]
    assert results == {"first": None, "second": "done"}
    assert last_run == {"first": moment, "second": moment}  # retried at its next time only


@pytest.mark.django_db
def test_command_once_runs_every_job_in_process():
    out = io.StringIO()
    call_command("run_schedule", "--once", stdout=out)
    text = out.getvalue()
    for name in ("lapse_sweep", "reminders", "digest", "drain_outbox"):
        assert f"\n{name}: " in text
