"""bench/due_list.py's hand-written query gives the selector's due list (PostgreSQL): on a
population with every stage, refusals, notices, vetoes, training, approvals and extensions,
for a college and the whole school, on days around the clocks' boundaries."""

import datetime as dt

import pytest

from development import services as s
from members.models import Role, Stage
from tests.factories import make_user
from tests.test_dev_helpers import D, Pipeline
from tests.test_dev_selectors import _population

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_hand_written_query_lists_what_the_selector_lists(school):
    from bench import due_list  # PostgreSQL-only SQL; imported where it can run

    pipe = Pipeline(school)
    people = _population(pipe)
    probationary = [p for p in people if p.stage == Stage.PROBATIONARY]
    if probationary:
        s.probation_extend(person=probationary[0], months=6, on=probationary[0].joined_on +
                           dt.timedelta(days=200), reason="考察", actor=pipe.office)  # fmt: skip
    users = [
        make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a),
        make_user(role=Role.SCHOOL_ADMIN, unit=school.school),
    ]
    days = [D(2021, 1, 1) + dt.timedelta(days=n) for n in range(0, 2000, 83)]
    seen = 0
    for user in users:
        for today in days:
            listed = due_list.selector(user, today)
            assert due_list.hand_sql(user, today) == listed, (user.username, today)
            seen += len(listed)
    assert seen
