"""Run one scheduled job by hand, in this process: `manage.py run_job lapse_sweep`."""

import json

from django.core.management.base import BaseCommand, CommandError

from core.jobs import JOBS, run_job


class Command(BaseCommand):
    help = "Run a scheduled job now, in-process (the same service its Celery task runs)."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="the job; leave out to list them")
        parser.add_argument(
            "--all",
            action="store_true",
            help="run every job once, in schedule order (the embedded default has no beat)",
        )

    def handle(self, *args, name=None, **options):
        if options["all"]:
            for job in JOBS.values():
                result = run_job(job.name)
                self.stdout.write(f"{job.name}: {json.dumps(result, ensure_ascii=False)}")
            return
        if not name:
            for job in JOBS.values():
                self.stdout.write(f"{job.name:14} {job.help}")
            return
        if name not in JOBS:
            raise CommandError(f"no job {name!r}; jobs: {', '.join(JOBS)}")
        result = run_job(name)
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
