from celery import shared_task
from django.utils import timezone


@shared_task(name="core.tasks.heartbeat")
def heartbeat() -> str:
    """Proves a worker is alive and reads the clock in the school's zone."""
    return timezone.localtime().isoformat()


@shared_task(name="core.tasks.add")
def add(a: int, b: int) -> int:
    """A task with a checkable result, used by the process smoke test."""
    return a + b


# Scheduled jobs: each task only runs its service (core.jobs.JOBS); `manage.py run_job` runs
# the same service by hand. acks_late + reject_on_worker_lost (settings): a worker killed
# mid-run leaves the message unacknowledged and Redis hands it to another worker, whose run
# finishes the work because every job is idempotent.


@shared_task(name="core.tasks.reminders")
def reminders() -> dict:
    from core.notifications.registry import reminders_run

    return reminders_run()


@shared_task(name="core.tasks.digest")
def digest() -> dict:
    from core.notifications.digest import digest_send

    return digest_send()


@shared_task(name="core.tasks.drain_outbox")
def drain_outbox() -> dict:
    from core.jobs import drain_outbox as drain

    return drain()


@shared_task(
    name="core.tasks.email_now",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def email_now(user_id: int, key: str) -> int:
    """E-mail one notification at once (a written notice); claimed first, so a retry or a
    second delivery of this task never sends it twice."""
    from core.notifications.digest import email_one

    return email_one(user_id, key)
