"""Run the beat schedule in this process: what the embedded default uses instead of beat."""

import json
import time

from django.core.management.base import BaseCommand

from core.schedule import POLL_SECONDS, run_due, schedule_entries


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs in-process when they fall due (every job once at start). "
        "For the embedded default, which has no Redis and so no Celery beat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due, then stop")

    def handle(self, *args, once=False, **options):
        entries = schedule_entries()
        now = entries[0].schedule.now if entries else None
        last_run: dict = {}
        self.stdout.write("schedule: " + ", ".join(e.name for e in entries))
        while True:
            for name, result in run_due(entries, last_run, now).items():
                self.stdout.write(f"{name}: {json.dumps(result, ensure_ascii=False, default=str)}")
            self.stdout.flush()
            if once:
                return
            time.sleep(POLL_SECONDS)
