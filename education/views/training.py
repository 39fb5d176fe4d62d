"""Party-school courses, their sessions and each person's hours."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from education.forms import CourseForm, ResultForm, SessionForm
from education.models import Course
from education.services import training as services
from education.views._common import require_grant, run
from members.scoping import has_any_grant, has_unit_perm, scope_q

RECORD = "record_meetings"


def _courses(user, perm: str = "view_people"):
    return Course.objects.filter(scope_q(user, perm, field="unit__path"))


@login_required
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, "view_people")
    courses = (
        _courses(request.user)
        .select_related("unit")
        .annotate(people=Count("results", distinct=True))
        .order_by("-start", "-id")
    )
    page = Paginator(courses, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "education/courses/list.html",
        {"page": page, "can_create": has_any_grant(request.user, RECORD)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_create_view(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, RECORD)
    form = CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        course = run(form, lambda: services.course_create(actor=request.user, **form.cleaned_data))
        if course is not None:
            messages.success(request, _("The course is created."))
            return redirect("course_detail", pk=course.pk)
    return render(
        request,
        "education/simple_form.html",
        {"form": form, "title": _("New course"), "back": "course_list"},
    )


def _detail(request: HttpRequest, course: Course, session_form=None, result_form=None):
    sessions = list(course.sessions.all())
    return render(
        request,
        "education/courses/detail.html",
        {
            "course": course,
            "sessions": sessions,
            "session_hours": sum((s.hours for s in sessions), 0),
            "results": course.results.select_related("person").order_by("person__name"),
            "totals": course.results.aggregate(hours=Sum("hours"), people=Count("id")),
            "can_record": has_unit_perm(request.user, RECORD, course.unit),
            "session_form": session_form or SessionForm(),
            # The sessions' hours are the usual answer for someone who attended them all.
            "result_form": result_form
            or ResultForm(
                course=course,
                initial={"hours": sum((s.hours for s in sessions), 0), "passed": True},
            ),
        },
    )


@login_required
@require_GET
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(_courses(request.user).select_related("unit"), pk=pk)
    return _detail(request, course)


@login_required
@require_POST
def session_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(_courses(request.user, RECORD).select_related("unit"), pk=pk)
    form = SessionForm(request.POST)
    if form.is_valid() and run(
        form,
        lambda: services.course_session_add(course=course, actor=request.user, **form.cleaned_data),
    ):
        messages.success(request, _("The session is added."))
        return redirect("course_detail", pk=course.pk)
    return _detail(request, course, session_form=form)


@login_required
@require_POST
def result_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(_courses(request.user, RECORD).select_related("unit"), pk=pk)
    form = ResultForm(request.POST, course=course)
    if form.is_valid() and run(
        form,
        lambda: services.training_result_record(
            course=course, actor=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The result is recorded."))
        return redirect("course_detail", pk=course.pk)
    return _detail(request, course, result_form=form)
