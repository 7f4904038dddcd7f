from django.urls import path

from . import api

urlpatterns = [
    path("dpo/retention-rules/", api.RetentionRuleList.as_view(), name="api-retention-rules"),
    path("dpo/retention-rules/<int:pk>/", api.RetentionRuleDetail.as_view(), name="api-retention-rule"),
    path("dpo/retention/", api.RetentionPlanView.as_view(), name="api-retention-plan"),
    path("cases/<int:pk>/legal-holds/", api.CaseLegalHolds.as_view(), name="api-case-legal-holds"),
    path("legal-holds/<int:pk>/lift/", api.LegalHoldLift.as_view(), name="api-legal-hold-lift"),
]
