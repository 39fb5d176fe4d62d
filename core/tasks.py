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
