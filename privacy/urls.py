from django.urls import path

from . import api, subject_access

urlpatterns = [
    path("dpo/retention-rules/", api.RetentionRuleList.as_view(), name="api-retention-rules"),
    path("dpo/retention-rules/<int:pk>/", api.RetentionRuleDetail.as_view(), name="api-retention-rule"),
    path("dpo/retention/", api.RetentionPlanView.as_view(), name="api-retention-plan"),
    path("dpo/emergency-access/", api.EmergencyAccessList.as_view(), name="api-emergency-accesses"),
    path("cases/emergency-access/", api.EmergencyAccessOpen.as_view(), name="api-emergency-access"),
    path("dpo/processing-register/", api.ProcessingRegisterView.as_view(), name="api-processing-register"),
    path("dpo/requests/", api.RightsRequestList.as_view(), name="api-rights-requests"),
    path("dpo/requests/<int:pk>/extend/", api.RightsRequestExtend.as_view(), name="api-request-extend"),
    path("dpo/requests/<int:pk>/close/", api.RightsRequestClose.as_view(), name="api-request-close"),
    path("cases/<int:pk>/legal-holds/", api.CaseLegalHolds.as_view(), name="api-case-legal-holds"),
    path("legal-holds/<int:pk>/lift/", api.LegalHoldLift.as_view(), name="api-legal-hold-lift"),
    path("cases/<int:pk>/legal-bases/", api.CaseLegalBases.as_view(), name="api-case-legal-bases"),
    path("legal-bases/<int:pk>/withdraw/", api.LegalBasisWithdraw.as_view(), name="api-legal-basis-withdraw"),
    path(
        "participants/<int:pk>/subject-access/",
        subject_access.SubjectAccessView.as_view(),
        name="api-subject-access",
    ),
]
