from django.urls import path

from development.ledger import views

urlpatterns = [
    path("", views.ledger_import, name="dev_ledger_import"),
    path("<str:token>/", views.ledger_preview, name="dev_ledger_preview"),
]
