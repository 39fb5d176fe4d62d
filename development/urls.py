from django.urls import path

from development.views import exports, office, record

urlpatterns = [
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
