"""The app shell: viewflow's Site with one Application per area of work, shown by role."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application, Site

from analytics import web as framework_analytics
from cases.access import roles_in_area
from cases.models import User
from cases.web import coordination, mentoring, programmes, views
from permits import web as permit_rules
from privacy import web as privacy


class RoleApplication(Application):
    """An area of the app, in the menu for the roles that work there."""

    roles: frozenset[str] = frozenset()
    menu_template_name = "itinera/app_menu.html"
    # (url name, title, icon, roles that see the link; empty: every role of the app)
    menu_links: tuple[tuple[str, str, str, frozenset[str]], ...] = ()

    def has_view_permission(self, user, obj=None):
        if not user.is_authenticated:
            # Every view logs in first (login_required redirects to the login page);
            # refusing here would answer 403 where a person expects to log in.
            return True
        return user.role in self.roles or user.is_superuser

    def links_for(self, user) -> list[tuple[str, str, str]]:
        return [
            (name, title, icon)
            for name, title, icon, roles in self.menu_links
            if not roles or user.role in roles
        ]


class WorkApp(RoleApplication):
    title = _("My work")
    icon = "assignment_turned_in"
    app_name = "work"
    roles = roles_in_area("work")
    menu_links = (("work:index", _("My work"), "assignment_turned_in", frozenset()),)
    index_path = path("", views.home, name="index")
    notification_path = path(
        "notifications/<int:notification_id>/handled/", views.notification_handled,
        name="notification_handled",
    )
    digest_path = path("daily-digest/", views.daily_digest_choose, name="daily_digest")


COORDINATORS_ONLY = frozenset({User.Role.COORDINATOR})


class CasesApp(RoleApplication):
    title = _("Cases")
    icon = "folder_shared"
    app_name = "cases"
    # Partners open the case pages of their part from here too (scoped to them).
    roles = roles_in_area("cases")
    menu_links = (
        ("cases:index", _("Cases"), "list", frozenset()),
        (
            "cases:create",
            _("New case"),
            "person_add",
            frozenset({User.Role.CASEWORKER, User.Role.COORDINATOR, User.Role.PLATFORM_ADMIN}),
        ),
        ("cases:emergency", _("Open a case outside my programmes"), "emergency", COORDINATORS_ONLY),
    )
    index_path = path("", views.case_list, name="index")
    create_path = path("new/", views.case_create, name="create")
    bulk_assign_path = path("bulk/assign/", views.case_bulk_assign, name="bulk_assign")
    detail_path = path("<int:pk>/", views.case_detail, name="detail")
    emergency_path = path("emergency/", views.emergency_access, name="emergency")
    edit_path = path("<int:pk>/participant/", views.participant_edit, name="participant_edit")
    transition_path = path("<int:pk>/move/<slug:name>/", views.case_transition, name="transition")
    tick_path = path("<int:pk>/checklist/<int:item_id>/", views.checklist_tick, name="tick")
    evidence_path = path(
        "<int:pk>/checklist/<int:item_id>/evidence/", views.checklist_evidence, name="evidence"
    )
    evidence_file_path = path(
        "<int:pk>/checklist/<int:item_id>/evidence/file/", views.checklist_evidence_file, name="evidence_file"
    )
    note_path = path("<int:pk>/notes/", views.case_note, name="note")
    assign_path = path("<int:pk>/assign/", views.case_assign, name="assign")
    refer_path = path("<int:pk>/refer/", views.case_refer, name="refer")
    referral_answer_path = path("referrals/<int:referral_id>/", views.referral_answer, name="referral_answer")
    legal_basis_path = path("<int:pk>/legal-bases/", views.legal_basis_add, name="legal_basis_add")
    legal_basis_end_path = path(
        "<int:pk>/legal-bases/<int:basis_id>/withdraw/", views.legal_basis_end, name="legal_basis_withdraw"
    )
    rerender_path = path(
        "<int:pk>/documents/<int:document_id>/rerender/", views.document_rerender, name="rerender"
    )


class MentoringApp(RoleApplication):
    title = _("Mentoring")
    icon = "support_agent"
    app_name = "mentoring"
    roles = roles_in_area("mentoring")
    menu_links = (("mentoring:index", _("My participants"), "groups", frozenset()),)
    index_path = path("", mentoring.mentees, name="index")
    follow_up_path = path("<int:pk>/follow-up/", mentoring.follow_up_create, name="follow_up")


class CoordinationApp(RoleApplication):
    title = _("Coordination")
    icon = "insights"
    app_name = "coordination"
    roles = roles_in_area("coordination")
    menu_links = (
        ("coordination:index", _("Dashboard"), "insights", frozenset()),
        ("coordination:audit", _("Audit log"), "fact_check", frozenset()),
        ("coordination:exports", _("Document exports"), "archive", frozenset()),
        ("coordination:rules", _("Permit rules"), "gavel", frozenset()),
        ("coordination:programmes", _("Programmes"), "hub", frozenset()),
        ("coordination:analytics", _("Framework analytics"), "query_stats", frozenset()),
    )
    index_path = path("", coordination.dashboard, name="index")
    audit_path = path("audit/", coordination.audit, name="audit")
    exports_path = path("exports/", coordination.exports, name="exports")
    rules_path = path("rules/", permit_rules.rules_in_force, name="rules")
    rule_new_path = path("rules/new/", permit_rules.rule_version_new, name="rule_new")
    programmes_path = path("programmes/", programmes.programme_list, name="programmes")
    programme_new_path = path("programmes/new/", programmes.programme_edit, name="programme_new")
    programme_edit_path = path("programmes/<slug:code>/", programmes.programme_edit, name="programme_edit")
    analytics_path = path("analytics/", framework_analytics.framework, name="analytics")


REGISTER_KEEPERS = frozenset({User.Role.DPO, User.Role.PLATFORM_ADMIN})


class PrivacyApp(RoleApplication):
    title = _("Data protection")
    icon = "shield"
    app_name = "privacy"
    roles = roles_in_area("privacy")
    menu_links = (
        ("privacy:retention", _("Data retention"), "auto_delete", REGISTER_KEEPERS),
        ("privacy:requests", _("Requests"), "inbox", frozenset({User.Role.DPO})),
        ("privacy:holds", _("Legal holds"), "lock_clock", frozenset()),
        ("privacy:register", _("Processing register"), "menu_book", REGISTER_KEEPERS),
        ("privacy:emergency", _("Emergency access"), "emergency", REGISTER_KEEPERS),
    )
    index_path = path("", privacy.retention, name="retention")
    holds_path = path("holds/", privacy.holds, name="holds")
    requests_path = path("requests/", privacy.requests, name="requests")
    register_path = path("register/", privacy.register, name="register")
    emergency_path = path("emergency/", privacy.emergency, name="emergency")


site = Site(
    title="Itinera", viewsets=[WorkApp(), CasesApp(), MentoringApp(), CoordinationApp(), PrivacyApp()]
)
