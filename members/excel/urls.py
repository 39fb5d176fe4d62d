from django.urls import path

from members.excel import views

urlpatterns = [
    path("people/export.xlsx", views.export_people, name="people_export"),
    path("people/import/", views.import_upload, name="people_import"),
    path("people/import/<str:token>/", views.import_preview, name="people_import_preview"),
]
