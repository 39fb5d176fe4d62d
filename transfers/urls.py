from django.urls import path

from transfers.views import retention

urlpatterns = [
    path("retention/mine/", retention.retention_mine, name="retention_mine"),
    path("retention/", retention.retention_list, name="retention_list"),
    path("retention/retained/", retention.retained_list, name="retained_list"),
    path("retention/queue/", retention.retention_queue_view, name="retention_queue"),
    path("retention/start/<int:pk>/", retention.retention_start, name="retention_start"),
    path("retention/<int:pk>/", retention.retention_detail, name="retention_detail"),
    path("retention/<int:pk>/edit/", retention.retention_edit, name="retention_edit"),
    path(
        "retention/<int:pk>/remove-document/",
        retention.retention_document_remove,
        name="retention_document_remove",
    ),
    path("retention/<int:pk>/decide/", retention.retention_decide, name="retention_decide"),
    path("retention/<int:pk>/pdf/", retention.retention_pdf, name="retention_pdf"),
    path(
        "examinations/open/<int:pk>/",
        retention.examination_open_view,
        name="examination_open",
    ),
    path("examinations/<int:pk>/", retention.examination_detail, name="examination_detail"),
    path("examinations/<int:pk>/upload/", retention.examination_upload, name="examination_upload"),
    path("examinations/<int:pk>/link/", retention.examination_link, name="examination_link"),
    path("employer-report/<str:token>/", retention.employer_upload, name="employer_upload"),
]
