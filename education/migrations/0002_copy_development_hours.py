"""Copy the training and volunteer hours recorded in development/ before education/ became
their source, so the pipeline's rules read the same totals as before. Kept apart from the
generated schema migration so it survives a regeneration of 0001."""

from django.db import migrations


def copy_hours(apps, schema_editor):
    TrainingRecord = apps.get_model("development", "TrainingRecord")
    VolunteerRecord = apps.get_model("development", "VolunteerRecord")
    TrainingResult = apps.get_model("education", "TrainingResult")
    VolunteerService = apps.get_model("education", "VolunteerService")
    done = set(
        TrainingResult.objects.exclude(development_record=None).values_list(
            "development_record_id", flat=True
        )
    )
    TrainingResult.objects.bulk_create(
        TrainingResult(
            person_id=r.person_id,
            course_name=r.course,
            kind=r.kind,
            start=r.start,
            end=r.end,
            days=r.days,
            hours=r.hours,
            passed=r.passed,
            evidence=r.evidence,
            development_record_id=r.pk,
            actor_id=r.actor_id,
        )
        for r in TrainingRecord.objects.exclude(pk__in=done).iterator()
    )
    done = set(
        VolunteerService.objects.exclude(development_record=None).values_list(
            "development_record_id", flat=True
        )
    )
    VolunteerService.objects.bulk_create(
        VolunteerService(
            person_id=r.person_id,
            on=r.on,
            hours=r.hours,
            activity=r.activity,
            evidence=r.evidence,
            development_record_id=r.pk,
            actor_id=r.actor_id,
        )
        for r in VolunteerRecord.objects.exclude(pk__in=done).iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0001_initial"),
        ("development", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_hours, migrations.RunPython.noop)]
