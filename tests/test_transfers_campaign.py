"""The graduation campaign: default and checked deadlines, progress per branch and general
branch, the three seed-003 forms reopened, and the progress page's pinned query count."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core.models import AuditEvent
from tests.factories import make_id_number, make_person
from tests.transfer_helpers import make_member, office, secretary, start_out
from transfers.excel import TRANSFER_HEADERS
from transfers.models import GraduationCampaign, Reach
from transfers.services import campaign as C
from transfers.services import letters as L
from transfers.services import transfers as T

pytestmark = pytest.mark.django_db
YEAR = 2026
GRAD = dt.date(YEAR, 6, 30)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages(exc) -> str:
    return " ".join(exc.value.messages)


def test_defaults_are_seed_003s_and_deadlines_are_checked(school):
    off = office(school)
    c = C.campaign_create(unit=school.college_a, year=YEAR, actor=off)
    assert (c.roster_due, c.destinations_due, c.summaries_due, c.archive_due) == (
        dt.date(YEAR, 5, 20), dt.date(YEAR, 6, 10), dt.date(YEAR, 6, 15), dt.date(YEAR, 6, 30),
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        C.campaign_create(unit=school.college_a, year=YEAR, actor=off)
    assert "already has a campaign" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        C.campaign_update(campaign=c, summaries_due=dt.date(YEAR, 6, 1), actor=off)
    assert "in order" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        C.campaign_update(campaign=c, archive_due=dt.date(YEAR + 1, 1, 5), actor=off)
    assert "falls in" in messages(exc)
    C.campaign_update(campaign=c, destinations_due=dt.date(YEAR, 6, 12), actor=off)
    c.refresh_from_db()
    assert c.destinations_due == dt.date(YEAR, 6, 12)
    with pytest.raises(PermissionDenied):
        C.campaign_create(unit=school.college_a, year=YEAR + 1, actor=secretary(school))
    with pytest.raises(ValidationError):
        C.campaign_create(unit=school.branch_a1, year=YEAR, actor=None)


def build(school, extra: int = 0):
    """Graduates in two branches of college A (one under the general branch), a transfer
    each for some, a delayed graduate, and `extra` more graduates with transfers."""
    off = office(school)
    campaign = C.campaign_create(unit=school.college_a, year=YEAR, actor=off)
    a = make_member(school.branch_a1, "甲", expected_graduation=GRAD, id_number=make_id_number())
    b = make_member(school.branch_a1, "乙", expected_graduation=GRAD, stage="probationary")
    c = make_member(school.branch_a2, "丙", expected_graduation=GRAD, ethnicity="壮族")
    make_member(school.branch_a2, "明年", expected_graduation=dt.date(YEAR + 1, 6, 30))
    make_person(school.branch_a1, "积极分子", expected_graduation=GRAD)  # not a member
    make_member(school.branch_b1, "外院", expected_graduation=GRAD)
    ta = start_out(a, other_committee="中共某某集团委员会")
    L.letter_issue(transfer=ta, actor=off, dues_paid_through=dt.date(YEAR, 6, 1))
    tc = start_out(c, reach=Reach.IN_PROVINCE)
    T.transfer_record_online(transfer=tc, reference="SX-1", actor=None)
    T.transfer_complete(transfer=tc, evidence="系统已接收", actor=None)
    C.exception_record(campaign=campaign, person=b, kind="delayed", reason="学分未修满",
                       new_graduation=dt.date(YEAR + 1, 6, 30), actor=None)  # fmt: skip
    for i in range(extra):
        start_out(make_member(school.branch_a2, f"多{i}", expected_graduation=GRAD))
    return campaign, off


def test_progress_per_branch_and_general_branch(school):
    campaign, off = build(school)
    rows = {
        r.unit.pk: r
        for r in __import__("transfers.selectors").selectors.campaign_progress(off, campaign)
    }
    a1, a2, general = (
        rows[school.branch_a1.pk],
        rows[school.branch_a2.pk],
        rows[school.general_a.pk],
    )
    assert (a1.graduates, a1.started, a1.completed, a1.exceptions, a1.unreported) == (2, 1, 0, 1, 0)
    assert (a2.graduates, a2.started, a2.completed) == (1, 1, 1)
    assert (general.graduates, general.started) == (2, 1)  # the general branch sums its branches
    college = rows[school.college_a.pk]
    assert (college.graduates, college.started, college.completed) == (3, 2, 1)
    assert school.branch_b1.pk not in rows


def test_exception_rules(school):
    campaign, off = build(school)
    nxt = make_member(school.branch_a1, "下届", expected_graduation=dt.date(YEAR + 1, 6, 30))
    with pytest.raises(ValidationError) as exc:
        C.exception_record(campaign=campaign, person=nxt, kind="delayed", reason="x", actor=off)
    assert "not expected to graduate" in messages(exc)
    other = make_member(school.branch_b1, "别院", expected_graduation=GRAD)
    with pytest.raises(ValidationError):
        C.exception_record(campaign=campaign, person=other, kind="delayed", reason="x", actor=None)
    p = make_member(school.branch_a1, "肄业生", expected_graduation=GRAD)
    with pytest.raises(ValidationError) as exc:
        C.exception_record(campaign=campaign, person=p, kind="incomplete", reason=" ", actor=off)
    assert "reason" in messages(exc)


def sheet_rows(client, campaign, form):
    response = client.get(reverse("campaign_export", args=[campaign.pk]), {"form": form})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_the_three_forms_reopen(school):
    campaign, off = build(school)
    c = Client()
    c.force_login(off)
    roster = sheet_rows(c, campaign, "roster")
    assert roster[0][0] == f"{YEAR}届毕业生党员名册登记表"
    assert sorted(r[3] for r in roster[2:]) == sorted(["甲", "乙", "丙"])  # members, college A
    registration = sheet_rows(c, campaign, "transfers")
    assert tuple(registration[1]) == TRANSFER_HEADERS
    by_name = {r[4]: r for r in registration[2:]}
    assert set(by_name) == {"甲", "丙"}
    a = by_name["甲"]
    assert a[1] == f"{dt.date.today().year}001" and a[2] == "信息工程学院党委"
    assert a[8] == "正式" and len(a[10]) == 18  # the office sees full ID numbers
    assert (a[11], a[12]) == ("中共某某集团委员会", "中共某某科技有限公司委员会")
    assert a[13] == "省外转移（纸质介绍信）" and a[14] == f"{YEAR}年6月"
    assert (
        by_name["丙"][1] is None and by_name["丙"][13] == "省内转移" and by_name["丙"][7] == "壮族"
    )
    exceptions = sheet_rows(c, campaign, "exceptions")
    assert (
        exceptions[2][3] == "乙"
        and exceptions[2][7] == "延迟毕业"
        and exceptions[2][9] == f"{YEAR + 1}年6月"
    )
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.EXPORT, target_type="transfers.graduationcampaign"
        ).count()
        == 3
    )


def test_secretary_sees_the_college_campaign_for_their_branch_only(school):
    campaign, _off = build(school)
    c = Client()
    c.force_login(secretary(school))
    page = c.get(reverse("campaign_detail", args=[campaign.pk]))
    ids = {r.unit.pk for r in page.context["progress"]}
    assert ids == {school.branch_a1.pk}
    roster = sheet_rows(c, campaign, "roster")
    by_name = {r[3]: r for r in roster[2:]}
    assert set(by_name) == {"甲", "乙"}
    assert "*" in by_name["甲"][12]  # masked: a secretary does not hold view_id_number
    assert c.get(reverse("campaign_edit", args=[campaign.pk])).status_code == 404


# session + user (2), the campaign (1), the scope (1, cached), units (1), three aggregates
# (3), the exceptions (1), the setup scope for the edit link (1), menu (3), session save (3)
CAMPAIGN_DETAIL_QUERIES = 14


@pytest.mark.parametrize("extra", [0, 25])
def test_campaign_detail_query_count_is_fixed(school, django_assert_num_queries, extra):
    campaign, off = build(school, extra)
    c = Client()
    c.force_login(off)
    with django_assert_num_queries(CAMPAIGN_DETAIL_QUERIES):
        response = c.get(reverse("campaign_detail", args=[campaign.pk]))
    rows = {r.unit.pk: r for r in response.context["progress"]}
    assert rows[school.branch_a2.pk].started == 1 + extra


def test_campaign_is_set_up_from_the_list_page(school):
    c = Client()
    c.force_login(office(school))
    response = c.post(reverse("campaign_list"), {"unit": school.college_a.pk, "year": YEAR})
    campaign = GraduationCampaign.objects.get()
    assert response.status_code == 302 and campaign.archive_due == dt.date(YEAR, 6, 30)
    again = c.post(reverse("campaign_list"), {"unit": school.college_a.pk, "year": YEAR})
    assert again.status_code == 400 and GraduationCampaign.objects.count() == 1
    sec = Client()
    sec.force_login(secretary(school))
    page = sec.get(reverse("campaign_list"))
    assert page.context["form"] is None and list(page.context["campaigns"]) == [campaign]


# session + user (2), the manage_transfers and issue_letters scopes (2), whether any unit may
# set one up (1) and those units for the form (1), campaigns (1), menu (3), session save (3)
CAMPAIGN_LIST_QUERIES = 11


@pytest.mark.parametrize("years", [1, 6])
def test_campaign_list_query_count_is_fixed(school, django_assert_num_queries, years):
    for i in range(years):
        C.campaign_create(unit=school.college_a, year=YEAR - i, actor=None)
    c = Client()
    c.force_login(office(school))
    with django_assert_num_queries(CAMPAIGN_LIST_QUERIES):
        response = c.get(reverse("campaign_list"))
    assert len(response.context["campaigns"]) == years


@pytest.mark.parametrize(
    "measure", ["graduates", "started", "completed", "exceptions", "unreported"]
)
@pytest.mark.parametrize("unit", ["branch_a1", "branch_a2", "college_a"])
def test_every_progress_number_opens_the_people_behind_it(school, measure, unit):
    campaign, off = build(school)
    c = Client()
    c.force_login(off)
    row_unit = getattr(school, unit)
    page = c.get(
        reverse("campaign_detail", args=[campaign.pk]), {"unit": row_unit.pk, "show": measure}
    )
    assert page.status_code == 200
    row = next(r for r in page.context["progress"] if r.unit == row_unit)
    people = list(page.context["behind"]["people"])
    assert len(people) == getattr(row, measure)
    assert all(p.unit.path.startswith(row_unit.path) for p in people)
    link = f"?unit={row_unit.pk}&amp;show={measure}#people"
    assert (link in page.content.decode()) == (measure != "unreported" or bool(row.unreported))


def test_the_people_behind_are_named_and_scoped(school):
    campaign, off = build(school)
    make_member(school.branch_a1, "未报", expected_graduation=GRAD)  # nothing reported yet
    c = Client()
    c.force_login(off)
    url = reverse("campaign_detail", args=[campaign.pk])
    names = lambda measure: [  # noqa: E731
        p.name
        for p in c.get(url, {"unit": school.branch_a1.pk, "show": measure}).context["behind"][
            "people"
        ]
    ]
    assert set(names("graduates")) == {"甲", "乙", "未报"}
    assert names("started") == ["甲"] and names("exceptions") == ["乙"]
    assert names("unreported") == ["未报"] and "未报" in names("graduates")
    assert c.get(url, {"unit": school.branch_b1.pk, "show": "graduates"}).status_code == 404
    assert c.get(url, {"unit": school.branch_a1.pk, "show": "everyone"}).status_code == 404
    sec = Client()
    sec.force_login(secretary(school))  # branch_a1's secretary: branch_a2 is not a row of theirs
    assert sec.get(url, {"unit": school.branch_a2.pk, "show": "graduates"}).status_code == 404
