import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from members.models import Stage
from members.services.history import historical_stage_errors, person_load_historical_stage
from members.services.people import person_update

pytestmark = pytest.mark.django_db


def test_full_member_needs_both_dates_a_year_apart():
    assert historical_stage_errors(
        stage=Stage.FULL, since=None, joined_on=None, full_member_on=None
    )
    joined = dt.date(2023, 6, 1)
    day_short = dt.date(2024, 5, 31)
    assert historical_stage_errors(
        stage=Stage.FULL, since=None, joined_on=joined, full_member_on=day_short
    )
    assert not historical_stage_errors(
        stage=Stage.FULL, since=None, joined_on=joined, full_member_on=dt.date(2024, 6, 1)
    )


def test_only_pipeline_stages_can_be_loaded():
    assert historical_stage_errors(
        stage=Stage.REMOVED, since=None, joined_on=None, full_member_on=None
    )


def test_load_records_evidence_and_refuses_a_second_time(school):
    person_update(
        person=school.alice,
        actor=None,
        data={"joined_on": dt.date(2023, 6, 1), "full_member_on": dt.date(2024, 6, 1)},
    )
    person_load_historical_stage(
        person=school.alice,
        stage=Stage.FULL,
        since=dt.date(2024, 6, 1),
        evidence="名册.xlsx 第3行",
        actor=None,
    )
    school.alice.refresh_from_db()
    assert school.alice.stage == Stage.FULL
    change = school.alice.changes.first()
    assert change.reason == "名册.xlsx 第3行" and "stage" in change.changes
    with pytest.raises(ValidationError):
        person_load_historical_stage(
            person=school.alice, stage=Stage.PROBATIONARY, since=None, evidence="x", actor=None
        )
