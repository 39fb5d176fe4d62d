"""The notification centre (own notifications only, mark read, unread count in the header in
one query) and the daily digest (in Chinese, each notification e-mailed at most once, also
when two digests run at once or a run dies between claiming and sending)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from core.models import Notification
from core.notifications import digest
from core.notifications.services import notify, unread_count
from members.models import LapseCase, Role
from tests.factories import School, make_person, make_user

pytestmark = pytest.mark.django_db


def make_case(person) -> LapseCase:
    return LapseCase.objects.create(
        person=person,
        count="org_life",
        gap_since=dt.date(2026, 5, 1),
        lapses_on=dt.date(2026, 11, 1),
        status="lapsed",
        opened_on=dt.date(2026, 11, 1),
    )


@pytest.fixture
def world(db):
    s = School()
    secretary = make_user(
        "sec", role=Role.BRANCH_SECRETARY, unit=s.branch_a1, email="sec@example.edu.cn"
    )
    other = make_user("other", email="other@example.edu.cn")
    case = make_case(make_person(s.branch_a1, "党员丁", stage="full"))
    return s, secretary, other, case


def lapse_notice(user, case, key="k1"):
    return notify(
        user_ids=[user.pk],
        key=f"lapse:{case.pk}:{key}",
        kind="lapse_lapsed",
        object_id=case.pk,
        subject=case.person.name,
        due_on=case.lapses_on,
    )


def test_one_notification_per_event_and_recipient(world):
    _, secretary, _, case = world
    assert lapse_notice(secretary, case) == 1
    assert lapse_notice(secretary, case) == 0
    assert Notification.objects.count() == 1


def test_centre_shows_own_links_to_the_case_and_marks_read(client, world):
    _, secretary, other, case = world
    lapse_notice(secretary, case)
    notify(user_ids=[other.pk], key="x", kind="lapse_answer", object_id=case.pk, subject="别人的")
    client.force_login(secretary)
    page = client.get(reverse("notification_list")).content.decode()
    assert "党员丁" in page and "别人的" not in page
    assert 'data-unread="1"' in page  # the header's count
    mine = Notification.objects.get(user=secretary)
    response = client.post(reverse("notification_open", args=[mine.pk]))
    assert response["Location"] == reverse("lapse_case_detail", args=[case.pk])
    mine.refresh_from_db()
    assert mine.read_at is not None and unread_count(secretary) == 0
    theirs = Notification.objects.get(user=other)
    assert client.post(reverse("notification_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_ones_own(client, world):
    _, secretary, other, case = world
    lapse_notice(secretary, case)
    lapse_notice(other, case)
    client.force_login(secretary)
    assert client.post(reverse("notification_read_all")).status_code == 302
    assert unread_count(secretary) == 0 and unread_count(other) == 1


def test_anonymous_is_sent_to_login(client, world):
    for name, method in (("notification_list", "get"), ("notification_read_all", "post")):
        response = getattr(client, method)(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("n", [2, 40])
def test_centre_query_count_is_fixed(client, world, django_assert_num_queries, n):
    _, secretary, _, case = world
    for i in range(n):
        lapse_notice(secretary, case, key=str(i))
    client.force_login(secretary)
    # session, user, menu scope (4), own person, unread count, page count and rows, session (3)
    with django_assert_num_queries(NOTIFICATION_LIST_QUERIES):
        assert client.get(reverse("notification_list")).status_code == 200


NOTIFICATION_LIST_QUERIES = 10


def test_digest_in_chinese_once(world):
    _, secretary, other, case = world
    lapse_notice(secretary, case)
    lapse_notice(secretary, case, key="k2")
    lapse_notice(other, case)
    assert digest.digest_send()["users"] == 2
    assert len(mail.outbox) == 2
    body = next(m for m in mail.outbox if m.to == ["sec@example.edu.cn"]).body
    assert "党员丁" in body and "六个月" in body
    assert digest.digest_send()["users"] == 0  # run again: nothing twice
    lapse_notice(secretary, case, key="k3")
    digest.digest_send()
    assert len(mail.outbox) == 3 and mail.outbox[-1].body.count("党员丁") == 1


def test_a_digest_killed_after_claiming_never_sends_those_again(world, monkeypatch):
    _, secretary, _, case = world
    lapse_notice(secretary, case)

    def killed(token, connection):
        raise SystemExit("worker killed before sending")

    monkeypatch.setattr(digest, "_send_claimed", killed)
    with pytest.raises(SystemExit):
        digest.digest_send()
    monkeypatch.undo()
    assert digest.digest_send() == {"users": 0, "stale_claims": 0}
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is not None  # still in the centre, unread


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_digests_send_each_notification_once():
    s = School()
    users = [make_user(f"u{i}", email=f"u{i}@example.edu.cn") for i in range(10)]
    case = make_case(make_person(s.branch_a1, "党员戊", stage="full"))
    for user in users:
        lapse_notice(user, case)
    barrier = threading.Barrier(3)

    def run():
        barrier.wait()
        try:
            digest.digest_send()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


# DESIGN §6, "Other scheduled reminders", each with the kind its source notifies.
DESIGN_REMINDERS = {
    "talk with an applicant due within a month": "applicant_talk_due",
    "half-yearly activist assessment": "assessment_due",
    "approval windows of 3 months": "approval_due",
    "probation ending": "probation_ending",
    "retention transfer-out one month before the deadline": "retention_transfer_due",
    "retention expiry": "retention_expired",
    "check-ins overdue": "checkin_late",
    "transfer receipts overdue": "receipt_overdue",
    "mobile-member contact verification overdue": "mobile_verification_overdue",
    "silent branch": "branch_silent",
}


def test_every_reminder_of_the_design_has_a_source_and_a_link():
    from core.notifications import registry

    registry.load_sources()
    kinds = {source.kind for source in registry.SOURCES.values()}
    for reminder, kind in DESIGN_REMINDERS.items():
        assert kind in kinds, reminder
        assert registry.KINDS[kind].url_name, reminder  # each opens the thing to act on
