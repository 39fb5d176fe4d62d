from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views
from partyadmin.home import views as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("home/school/", home_views.home_school, name="home_school"),
    path("home/committee/", home_views.home_committee, name="home_committee"),
    path("home/branch/", home_views.home_branch, name="home_branch"),
    path("home/inspection/", home_views.home_inspection, name="home_inspection"),
    path("home/retained/", home_views.home_retained, name="home_retained"),
    path("healthz", core_views.healthz, name="healthz"),
    path("documents/<int:pk>/", core_views.document_download, name="document_download"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("members.urls")),
    path("pipeline/ledger/", include("development.ledger.urls")),
    path("pipeline/", include("development.urls")),
    path("education/", include("education.urls")),
    path("transfers/", include("transfers.urls")),
    path("", include("core.notifications.urls")),
    path("admin/", admin.site.urls),
]
