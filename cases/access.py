"""Who may see which cases, how much of them, and what they do there: one row per role.

``ACCESS`` is the one place the policy is written. Each row gives, for a role:

* ``scope``: the cases the user sees, as a query (``cases.selectors`` reads it);
* ``sees``: the same relationship for one loaded case (``cases.rules`` reads it; the
  access tests check that the two agree on every case of the cast);
* ``detail``: how much of a case it reads: the API serializer and the page section;
* ``documents``: the document kinds it reads (None: every kind);
* ``ticks``: the checklist responsibilities it sees and ticks on the cases it sees;
* ``works_on_cases``: opens, moves and edits the cases in its scope (caseworkers);
* ``areas``: the areas of the app in its menu;
* ``purpose``: for an organisation outside the case's owner (an employer, a partner), the
  purpose its access serves: it sees a case only while a legal basis of its organisation for
  that purpose is in force on the case (``LegalBasis``, brief §7.2). None: the owner's staff,
  the programme's coordinators and the mentor the owner assigned.

The transition service honours each transition's declared roles on top of this.
A new role is one row here, plus its serializer and page section if its ``detail``
is new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from workflow.itinerary import EMPLOYER_STAGES, MENTOR_STAGES, STATES

from .models import Case, EmergencyAccess, LegalBasis, ProgrammePartner, User
from .purposes import ProcessingPurpose

Detail = Literal["full", "mentor", "employer", "partner"]
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class RoleAccess:
    role: str
    scope: Callable[[User], Q]
    sees: Callable[[User, Case], bool]
    detail: Detail
    documents: frozenset[str] | None = frozenset()
    ticks: frozenset[str] = field(default_factory=frozenset)
    works_on_cases: bool = False
    areas: frozenset[str] = frozenset({"work", "cases"})
    purpose: str | None = None
    # ``sees`` before the legal basis is judged: whether the case is in the organisation's part.
    in_part: Callable[[User, Case], bool] = field(init=False)

    def __post_init__(self) -> None:
        scope, sees, purpose = self.scope, self.sees, self.purpose
        object.__setattr__(self, "in_part", sees)
        if purpose is not None:
            # Gate the organisation's view on its legal basis, in the query and case by case.
            object.__setattr__(self, "scope", lambda user: scope(user) & _basis_in_force(user, purpose))
            object.__setattr__(
                self, "sees", lambda user, case: sees(user, case) and basis_covers(user, case, purpose)
            )


def _basis_in_force(user: User, purpose: str) -> Q:
    bases = LegalBasis.objects.filter(
        LegalBasis.in_force_q(timezone.localdate()),
        case=OuterRef("pk"), organisation_id=user.organisation_id, purpose=purpose,
    )
    return Q(Exists(bases))


def _emergency_opened(user: User) -> Q:
    opened = EmergencyAccess.objects.filter(user_id=user.pk, case=OuterRef("pk"), expires_at__gt=timezone.now())
    return Q(Exists(opened))


def emergency_access_open(user: User, case: Case) -> bool:
    """Whether the user opened ``case`` with a reason and the time given has not run out."""
    return EmergencyAccess.objects.filter(user_id=user.pk, case_id=case.pk, expires_at__gt=timezone.now()).exists()


def basis_covers(user: User, case: Case, purpose: str) -> bool:
    """Whether a legal basis lets the user's organisation see ``case`` for ``purpose`` today."""
    return LegalBasis.objects.filter(
        LegalBasis.in_force_q(timezone.localdate()),
        case_id=case.pk, organisation_id=user.organisation_id, purpose=purpose,
    ).exists()


def _organisation(user: User) -> int | None:
    return user.organisation_id


def partnerships(user: User) -> list[ProgrammePartner]:
    """The programmes the user's organisation takes part in, in the user's role (one query per user)."""
    if not hasattr(user, "_partnerships"):
        user._partnerships = (
            list(ProgrammePartner.objects.filter(organisation_id=user.organisation_id, role=user.role))
            if user.organisation_id
            else []
        )
    return user._partnerships


def _stages_in(phases: list[str]) -> list[str]:
    return [state.name for state in STATES if state.phase in phases and not state.terminal]


def _partner_scope(user: User) -> Q:
    query = NOTHING
    for partnership in partnerships(user):
        query |= Q(programme_id=partnership.programme_id, stage__in=_stages_in(partnership.phases))
    return query


def _partner_sees(user: User, case: Case) -> bool:
    return any(
        p.programme_id == case.programme_id and case.stage in _stages_in(p.phases) for p in partnerships(user)
    )


def _partner(role: str, documents: set[str], purpose: str) -> RoleAccess:
    return RoleAccess(
        role,
        _partner_scope,
        _partner_sees,
        "partner",
        documents=frozenset(documents),
        ticks=frozenset({role}),
        purpose=purpose,
    )


R = User.Role
P = ProcessingPurpose
# fmt: off
ACCESS: tuple[RoleAccess, ...] = (
    RoleAccess(R.PLATFORM_ADMIN, lambda user: Q(), lambda user, case: True, "full", documents=None,
               areas=frozenset({"work", "cases", "coordination", "privacy"})),
    # A coordinator audits the programmes their organisation operates, read-mostly.
    # Plus, for a few hours, a case outside them opened with a reason (break-the-glass).
    RoleAccess(R.COORDINATOR,
               lambda user: (Q(programme__operator_id=_organisation(user)) if _organisation(user) else NOTHING)
               | _emergency_opened(user),
               lambda user, case: (user.organisation_id is not None
                                   and case.programme.operator_id == user.organisation_id)
               or emergency_access_open(user, case),
               "full", documents=None, areas=frozenset({"work", "cases", "coordination", "privacy"})),
    RoleAccess(R.CASEWORKER,
               lambda user: Q(owner_organisation_id=_organisation(user)) if _organisation(user) else NOTHING,
               lambda user, case: user.organisation_id is not None
               and case.owner_organisation_id == user.organisation_id,
               "full", documents=None, works_on_cases=True),
    RoleAccess(R.MENTOR,
               lambda user: Q(mentor_id=user.pk, stage__in=MENTOR_STAGES),
               lambda user, case: case.mentor_id == user.pk and case.stage in MENTOR_STAGES,
               "mentor", documents=frozenset({"mentoring_plan"}), ticks=frozenset({R.MENTOR}),
               areas=frozenset({"work", "cases", "mentoring"})),
    RoleAccess(R.EMPLOYER,
               lambda user: Q(employer_id=_organisation(user), stage__in=EMPLOYER_STAGES)
               if _organisation(user) else NOTHING,
               lambda user, case: user.organisation_id is not None and case.employer_id == user.organisation_id
               and case.stage in EMPLOYER_STAGES,
               "employer", documents=frozenset({"permit_cover_sheet", "offer_summary"}), ticks=frozenset({R.EMPLOYER}),
               purpose=P.EMPLOYMENT_PERMIT),
    _partner(R.EMPLOYMENT_SERVICE, {"offer_summary"}, P.EMPLOYMENT_PERMIT),
    _partner(R.TRAINING_PROVIDER, {"training_agreement", "training_certificate"}, P.SELECTION),
    _partner(R.INTEGRATION_AGENCY, {"arrival_guide", "housing_agreement"}, P.PROGRAMME_MANAGEMENT),
    _partner(R.ORIGIN_AGENCY, {"selection_letter", "return_plan"}, P.SELECTION),
    # The data-protection officer keeps the registers (``privacy``) and opens no case file: a
    # participant's own data reaches them only in the subject-access export they answer with.
    RoleAccess(R.DPO, lambda user: NOTHING, lambda user, case: False, "partner",
               areas=frozenset({"work", "privacy"})),
)
# fmt: on
ACCESS_BY_ROLE: dict[str, RoleAccess] = {row.role: row for row in ACCESS}


def access_for(user: User) -> RoleAccess | None:
    """The user's row, or None for the anonymous and for users without a role (they see nothing)."""
    if not user.is_authenticated:
        return None
    return ACCESS_BY_ROLE.get(user.role)


def opens_cases(user: User) -> bool:
    """Caseworkers open cases for their organisation, coordinators for their programmes."""
    row = access_for(user)
    return row is not None and (row.works_on_cases or user.is_coordinator)


def roles_in_area(area: str) -> frozenset[str]:
    return frozenset(row.role for row in ACCESS if area in row.areas)


def _check_access_table() -> None:
    """Every role has exactly one row (a new role without one would see nothing silently)."""
    missing = [role for role in User.Role.values if role not in ACCESS_BY_ROLE]
    if missing or len(ACCESS_BY_ROLE) != len(ACCESS):
        raise ImproperlyConfigured(f"Access table: roles without exactly one row: {missing}")


_check_access_table()
