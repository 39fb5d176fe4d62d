from django.urls import path

from development.views import board, exports, facts, meetings, office, record, steps

urlpatterns = [
    path("", board.board, name="dev_board"),
    path("people/<int:pk>/step/<str:step>/", steps.step_view, name="dev_step"),
    path("people/<int:pk>/special-case/", steps.special_case, name="dev_special_case"),
    path("people/<int:pk>/facts/<str:kind>/", facts.fact_view, name="dev_fact"),
    path("vetoes/<int:pk>/lift/", facts.veto_lift, name="dev_veto_lift"),
    path(
        "branches/<int:pk>/meetings/<str:purpose>/new/",
        meetings.meeting_new,
        name="dev_meeting_new",
    ),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="dev_meeting_detail"),
    path(
        "branches/<int:pk>/notices/<str:purpose>/new/", meetings.notice_new, name="dev_notice_new"
    ),
    path("notices/<int:pk>/", meetings.notice_detail, name="dev_notice_detail"),
    path("notices/<int:pk>/objections/", meetings.objection_new, name="dev_objection_new"),
    path("objections/<int:pk>/resolve/", meetings.objection_resolve, name="dev_objection_resolve"),
    # ---- a2: read and print side (office queues, full-process record, notices, exports) ----
    path("office/<str:kind>/", office.dev_queue, name="dev_queue"),
    path("people/<int:pk>/record/", record.dev_record, name="dev_record"),
    path("people/<int:pk>/record/pdf/", record.dev_record_pdf, name="dev_record_pdf"),
    path("notices/<int:pk>/pdf/", record.dev_notice_pdf, name="dev_notice_pdf"),
    path("exports/", exports.dev_exports, name="dev_exports"),
    path("exports/ledger.xlsx", exports.dev_ledger_export, name="dev_ledger_export"),
    path("exports/<str:kind>.xlsx", exports.dev_filing_export, name="dev_filing_export"),
    # ---- end a2 ----
]
