from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from cases.web import accounts
from operations.health import healthz

from .site import site

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/analytics/", include("analytics.urls")),
    path("api/", include("privacy.urls")),
    path("api/", include("cases.api.urls")),
    # Log in and out of the browsable API with a session.
    path("api/session/", include("rest_framework.urls")),
    path("i18n/setlang/", accounts.set_language, name="set_language"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", RedirectView.as_view(pattern_name="work:index", permanent=False), name="home"),
    path("", site.urls),
]
