from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import ScopedRateThrottle

from documents.api import DocumentExportViewSet, DocumentViewSet
from permits.api import EligibilityView, RuleVersionListView

from ..web.accounts import lockout_response
from . import coordination, programmes, referrals, views, work

router = DefaultRouter(trailing_slash=True)
router.register("cases", views.CaseViewSet, basename="case")
router.register("checklist-items", views.ChecklistItemViewSet, basename="checklist-item")
router.register("documents", DocumentViewSet, basename="document")
router.register("document-exports", DocumentExportViewSet, basename="document-export")
router.register("programmes", programmes.ProgrammeViewSet, basename="programme")


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled; locked out like the
    login page after repeated wrong passwords)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(responses=views.token_response)
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks the request it locked out (the password is not even checked).
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("itinerary/", views.itinerary, name="api-itinerary"),
    path("eligibility/", EligibilityView.as_view(), name="api-eligibility"),
    path("rules/", RuleVersionListView.as_view(), name="api-rules"),
    path("my-work/", work.my_work, name="api-my-work"),
    path("cases/<int:case_id>/referrals/", referrals.case_referrals, name="api-case-referrals"),
    path("referrals/<int:referral_id>/accept/", referrals.referral_accept, name="api-referral-accept"),
    path("referrals/<int:referral_id>/reject/", referrals.referral_reject, name="api-referral-reject"),
    path("notifications/", work.notifications, name="api-notifications"),
    path(
        "notifications/<int:notification_id>/handled/", work.notification_handled,
        name="api-notification-handled",
    ),
    # The first name of the same action, kept for existing clients.
    path(
        "notifications/<int:notification_id>/read/", work.notification_handled, name="api-notification-read"
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script for the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
    path("dashboard/", coordination.DashboardView.as_view(), name="api-dashboard"),
    path("audit/events/", coordination.AuditEventList.as_view(), name="api-audit-events"),
    path("audit/reads/", coordination.AuditReadList.as_view(), name="api-audit-reads"),
    path("audit/logins/", coordination.AuditLoginList.as_view(), name="api-audit-logins"),
]
