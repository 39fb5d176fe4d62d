from celery import shared_task


@shared_task(name="members.tasks.lapse_sweep")
def lapse_sweep() -> dict:
    """The lapse job (members.services.lapses.lapse_sweep), from beat."""
    from members.services.lapses import lapse_sweep as sweep

    return sweep()
