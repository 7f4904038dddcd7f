from django.urls import path

from . import api

urlpatterns = [
    path("permit-pipeline/", api.PermitPipelineView.as_view(), name="api-analytics-permit-pipeline"),
    path("stalls/", api.StallsView.as_view(), name="api-analytics-stalls"),
    path("attraction/", api.AttractionView.as_view(), name="api-analytics-attraction"),
    path("retention/", api.RetentionView.as_view(), name="api-analytics-retention"),
    path(
        "rule-impact/<str:rule_version_id>/", api.RuleImpactView.as_view(), name="api-analytics-rule-impact"
    ),
    path("report/", api.ReportView.as_view(), name="api-analytics-report"),
]
