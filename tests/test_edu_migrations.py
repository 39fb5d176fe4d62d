"""Hours recorded in development/ before education/ became their source are copied over."""

import pytest

from tests.test_migrations import back_to_the_latest_schema, migrate  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_hours_recorded_before_education_are_copied():
    apps = migrate([("education", "0001_initial")])
    OrgUnit = apps.get_model("members", "OrgUnit")
    Person = apps.get_model("members", "Person")
    TrainingRecord = apps.get_model("development", "TrainingRecord")
    VolunteerRecord = apps.get_model("development", "VolunteerRecord")
    unit = OrgUnit.objects.create(name="支部", kind="branch", path="00000001.", depth=1)
    person = Person.objects.create(name="旧记录", unit=unit)
    training = TrainingRecord.objects.create(
        person=person,
        kind="candidate",
        course="分党校",
        start="2024-03-01",
        end="2024-03-03",
        days=3,
        hours=24,
    )
    service = VolunteerRecord.objects.create(person=person, on="2024-05-01", hours=6, activity="x")

    apps = migrate([("education", "0002_copy_development_hours")])
    result = apps.get_model("education", "TrainingResult").objects.get()
    assert (result.development_record_id, result.hours, result.kind) == (
        training.pk,
        24,
        "candidate",
    )
    copied = apps.get_model("education", "VolunteerService").objects.get()
    assert (copied.development_record_id, copied.hours) == (service.pk, 6)
