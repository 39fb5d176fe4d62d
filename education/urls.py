from django.urls import path

from education.views import checkins, dues

urlpatterns = [
    path("checkins/me/", checkins.checkin_mine, name="checkin_mine"),
    path("checkins/plans/<int:pk>/submit/", checkins.checkin_submit, name="checkin_submit"),
    path("checkins/queue/", checkins.checkin_queue, name="checkin_queue"),
    path("checkins/late/", checkins.checkin_late, name="checkin_late"),
    path("checkins/<int:pk>/", checkins.checkin_review, name="checkin_review"),
    path("checkins/plans/<int:pk>/", checkins.checkin_plan_detail, name="checkin_plan_detail"),
    path("checkins/plans/<int:pk>/close/", checkins.checkin_plan_close, name="checkin_plan_close"),
    path("checkins/people/<int:pk>/plan/", checkins.checkin_plan_new, name="checkin_plan_new"),
    path("checkins/rules/<int:pk>/", checkins.checkin_rules, name="checkin_rules"),
    path("dues/", dues.dues_index, name="dues_index"),
    path("dues/people/<int:pk>/", dues.dues_person, name="dues_person"),
    path("dues/units/<int:pk>/", dues.dues_sheet, name="dues_sheet"),
    path("dues/import/", dues.dues_import, name="dues_import"),
    path("dues/import/<str:token>/", dues.dues_import_preview, name="dues_import_preview"),
    path("dues/export/", dues.dues_export, name="dues_export"),
]
