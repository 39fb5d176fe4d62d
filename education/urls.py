from django.urls import path

from education.views import appraisal, meetings, service, training

urlpatterns = [
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/record/", meetings.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/attach/", meetings.meeting_attach, name="meeting_attach"),
    path("leaves/", meetings.leave_register, name="leave_register"),
    path("leaves/<int:pk>/decide/", meetings.leave_decide, name="leave_decide"),
    path("me/", meetings.my_meetings, name="my_meetings"),
    path("me/meetings/<int:pk>/leave/", meetings.leave_request_view, name="leave_request"),
    path("me/leaves/<int:pk>/withdraw/", meetings.leave_withdraw_view, name="leave_withdraw"),
    path("compliance/", meetings.compliance, name="compliance"),
    path("courses/", training.course_list, name="course_list"),
    path("courses/new/", training.course_create_view, name="course_create"),
    path("courses/<int:pk>/", training.course_detail, name="course_detail"),
    path("courses/<int:pk>/sessions/", training.session_add_view, name="course_session_add"),
    path("courses/<int:pk>/results/", training.result_add_view, name="course_result_add"),
    path("volunteering/", service.volunteer_list, name="volunteer_list"),
    path("volunteering/new/", service.volunteer_create_view, name="volunteer_create"),
    path("five-ones/", service.five_ones_view, name="five_ones"),
    path("five-ones/record/", service.five_ones_record_view, name="five_ones_record"),
    path("work/", service.work_list, name="work_list"),
    path("work/new/", service.work_create_view, name="work_create"),
    path("work/<int:pk>/done/", service.work_done_view, name="work_done"),
    path("work/<int:pk>/reopen/", service.work_reopen_view, name="work_reopen"),
    path("appraisals/", appraisal.appraisal_list, name="appraisal_list"),
    path("appraisals/new/", appraisal.appraisal_open_view, name="appraisal_open"),
    path("appraisals/<int:pk>/", appraisal.appraisal_detail, name="appraisal_detail"),
    path("appraisals/<int:pk>/rate/", appraisal.appraisal_rate_view, name="appraisal_rate"),
    path("appraisals/<int:pk>/close/", appraisal.appraisal_close_view, name="appraisal_close"),
    path("nominations/", appraisal.nomination_list, name="nomination_list"),
    path("nominations/new/", appraisal.nomination_create_view, name="nomination_create"),
    path(
        "nominations/<int:pk>/decide/", appraisal.nomination_decide_view, name="nomination_decide"
    ),
]
