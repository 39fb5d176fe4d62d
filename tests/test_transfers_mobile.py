"""The mobile-member ledger: register, verify, pair (1+1 / 1+n), end; the person's national
data items follow; late verifications are flagged; the ledger's query count is pinned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from development.clock import add_months
from members.models import Person
from tests.factories import make_person
from tests.transfer_helpers import make_member, office, secretary, start_out
from transfers.models import MobileMember, Reach
from transfers.services import mobile as M
from transfers.services import transfers as T

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages(exc) -> str:
    return " ".join(exc.value.messages)


def register(person, *, abroad=False, started=TODAY, actor=None, **kw):
    return M.mobile_register(
        person=person, destination=kw.pop("destination", "深圳市南山区"), contact="13700001111",
        started_on=started, abroad=abroad, host_organization="南山区流动党员党支部",
        card_number="LD2026001", actor=actor, **kw,
    )  # fmt: skip


def test_register_keeps_the_person_in_step_and_refuses_twice(school):
    sec = secretary(school)
    p = make_member(school.branch_a1, "流动甲")
    entry = register(p, actor=sec)
    p.refresh_from_db()
    assert p.is_mobile_member and p.mobile_destination == "深圳市南山区"
    assert p.changes.filter(changes__has_key="is_mobile_member").exists()
    assert entry.verification_due == add_months(TODAY, 12)
    with pytest.raises(ValidationError) as exc:
        register(p)
    assert "already in the ledger" in messages(exc)
    with pytest.raises(ValidationError):
        register(make_person(school.branch_a1, "申请人"))
    with pytest.raises(PermissionDenied):
        register(make_member(school.branch_b1, "外院"), actor=sec)


def test_verification_resets_the_clock_and_late_is_flagged(school):
    p = make_member(school.branch_a1, "国外乙")
    entry = register(p, abroad=True, started=TODAY - dt.timedelta(days=200))
    assert M.verification_late(entry)  # half-yearly abroad: more than six months ago
    with pytest.raises(ValidationError) as exc:
        M.mobile_verify(entry=entry, how=" ", actor=None)
    assert "verified" in messages(exc)
    with pytest.raises(ValidationError):
        M.mobile_verify(entry=entry, how="电话", on=TODAY - dt.timedelta(days=300), actor=None)
    entry = M.mobile_verify(entry=entry, how="视频通话", contact="+1 555 0100", actor=None)
    assert not M.verification_late(entry) and entry.contact == "+1 555 0100"
    assert entry.verifications.count() == 2


def test_pairing_one_helper_for_several(school):
    helper = make_member(school.branch_a1, "帮扶人")
    a = register(make_member(school.branch_a1, "流动一"))
    b = register(make_member(school.branch_a1, "流动二"))
    M.mobile_pair(entry=a, helper=helper, actor=None)
    M.mobile_pair(entry=b, helper=helper, actor=None)
    assert set(helper.helped_mobile_members.values_list("pk", flat=True)) == {a.pk, b.pk}
    with pytest.raises(ValidationError) as exc:
        M.mobile_pair(entry=a, helper=a.person, actor=None)
    assert "own helper" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        M.mobile_pair(entry=a, helper=b.person, actor=None)
    assert "mobile member too" in messages(exc)


def test_end_and_transfer_out_close_the_entry(school):
    p = make_member(school.branch_a1, "回校丙")
    entry = register(p)
    with pytest.raises(ValidationError):
        M.mobile_end(entry=entry, reason="", actor=None)
    M.mobile_end(entry=entry, reason="返校", actor=None)
    p.refresh_from_db()
    assert not p.is_mobile_member and p.mobile_destination == ""
    with pytest.raises(ValidationError):
        M.mobile_verify(entry=entry, how="电话", actor=None)
    q = make_member(school.branch_a1, "转走丁")
    register(q)
    t = start_out(q, reach=Reach.IN_PROVINCE)
    T.transfer_record_online(transfer=t, reference="R1", actor=None)
    T.transfer_complete(transfer=t, evidence="已接收", actor=None)
    assert MobileMember.objects.get(person=q).ended_on == TODAY
    assert not Person.objects.get(pk=q.pk).is_mobile_member


def test_ledger_per_branch_and_late_filter(school):
    sec = secretary(school)
    late = register(make_member(school.branch_a1, "迟"), started=TODAY - dt.timedelta(days=400))
    register(make_member(school.branch_a1, "准"))
    register(make_member(school.branch_a2, "别支部"))
    c = Client()
    c.force_login(sec)
    page = c.get(reverse("mobile_list"))
    names = {e.person.name for e in page.context["page"].object_list}
    assert names == {"迟", "准"}
    page = c.get(reverse("mobile_list"), {"late": "1"})
    assert [e.pk for e in page.context["page"].object_list] == [late.pk]
    assert 'data-late="1"' in page.content.decode()


MOBILE_LIST_QUERIES = 11  # session, user, scope (one query), units, count, rows, save (3)...


@pytest.mark.parametrize("n", [2, 20])
def test_ledger_query_count_is_fixed(school, django_assert_num_queries, n):
    helper = make_member(school.branch_a1, "帮扶")
    for i in range(n):
        e = register(make_member(school.branch_a1 if i % 2 else school.branch_a2, f"流{i}"))
        M.mobile_pair(entry=e, helper=helper if i % 2 else None, actor=None)
    c = Client()
    c.force_login(office(school))
    with django_assert_num_queries(MOBILE_LIST_QUERIES):
        response = c.get(reverse("mobile_list"), {"unit": school.college_a.pk})
    assert len(response.context["page"].object_list) == n


def test_register_page_and_verify_page(school):
    from django.conf import settings

    p = make_member(school.branch_a1, "页面登记")
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    c.force_login(secretary(school))
    response = c.post(
        reverse("mobile_create") + f"?person={p.pk}",
        {"person": p.pk, "destination": "成都市高新区", "contact": "13600001111",
         "started_on": TODAY.isoformat(), "card_number": "LD-9"},
    )  # fmt: skip
    entry = MobileMember.objects.get(person=p)
    assert response.status_code == 302 and entry.card_number == "LD-9"
    bad = c.post(reverse("mobile_verify", args=[entry.pk]), {"how": ""}, follow=True)
    assert entry.verifications.count() == 1 and bad.status_code == 200
    c.post(reverse("mobile_verify", args=[entry.pk]), {"how": "电话回访"})
    assert entry.verifications.count() == 2


def test_ledger_export_reopens_with_the_late_flag(school):
    import io

    from openpyxl import load_workbook

    register(make_member(school.branch_a1, "迟报"), started=TODAY - dt.timedelta(days=400))
    register(make_member(school.branch_b1, "外院人"))
    c = Client()
    c.force_login(secretary(school))
    response = c.get(reverse("mobile_export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "流动党员台账" and rows[1][9] == "联系方式"
    assert [(r[2], r[13]) for r in rows[2:]] == [("迟报", "是")]
