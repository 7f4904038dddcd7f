"""Programmes as data: who reads them, and the one service that writes them.

A programme's data is checked against the itinerary's vocabulary (its phases and
purposes), the countries ISO knows and the organisations on record; a change that
would leave open cases in a phase the programme no longer runs is refused with the
list of those cases. Every change is in the programme's history (simple-history).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from permits.routes import REGION_CODES
from workflow.exceptions import TransitionError
from workflow.itinerary import OPTIONAL_PHASES, PHASE_BY_NAME, STATES
from workflow.programmes import SINGLE_PERMIT_COUNTRY, TEMPORARY_PURPOSES, Purpose

from .legal_bases import programme_bases_declare
from .models import PARTNER_ROLES, Case, Organisation, Programme, ProgrammePartner, User
from .purposes import Basis, TransferInstrument, needs_transfer_instrument

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
SCALAR_FIELDS = (
    "name",
    "purpose",
    "duration_min_months",
    "duration_max_months",
    "return_required",
    "minimum_age",
    "authorisation_name",
    "visa_service",
    "training_subject",
    "employer_legal_basis",
)


class ProgrammeChangeStrandsCases(TransitionError):
    """409: the change would leave open cases in a phase the programme no longer runs."""

    status_code = 409


def programmes_visible_to(user: User) -> QuerySet[Programme]:
    """A platform administrator sees every programme; others, those their organisation runs
    or takes part in."""
    programmes = Programme.objects.select_related("operator").prefetch_related("partners__organisation")
    if not user.is_authenticated:
        return programmes.none()
    if user.role == User.Role.PLATFORM_ADMIN:
        return programmes
    if not user.organisation_id:
        return programmes.none()
    return programmes.filter(
        Q(operator_id=user.organisation_id) | Q(partners__organisation_id=user.organisation_id)
    ).distinct()


def programme_may_edit(*, user: User, programme: Programme | None) -> bool:
    """Coordinators edit their operator's programmes; a platform administrator, every one."""
    if user.role == User.Role.PLATFORM_ADMIN:
        return True
    if user.role != User.Role.COORDINATOR or not user.organisation_id:
        return False
    return programme is None or programme.operator_id == user.organisation_id


def _known_countries(codes: Any, field: str, errors: dict) -> list[str]:
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        errors[field] = _("Give a list of ISO 3166-1 country codes.")
        return []
    codes = [code.strip().upper() for code in codes]
    unknown = [code for code in codes if code not in countries]
    if unknown:
        errors[field] = _("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)}
    return codes


def programme_clean(data: dict[str, Any], *, programme: Programme | None) -> dict[str, Any]:
    """The programme's data, checked; ValidationError naming every unknown value."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    current = (lambda name: getattr(programme, name)) if programme else (lambda name: None)

    def given(name: str, default: Any = None) -> Any:
        return data[name] if name in data else (current(name) if programme else default)

    if programme is None:
        code = str(data.get("code") or "").strip().lower()
        if not code:
            errors["code"] = _("Give the programme a short code.")
        elif Programme.objects.filter(code=code).exists():
            errors["code"] = _("A programme with the code “%(code)s” already exists.") % {"code": code}
        clean["code"] = code
    if programme is None or "name" in data:
        clean["name"] = str(given("name", "") or "").strip()
        if not clean["name"]:
            errors["name"] = _("Give the programme a name.")

    if programme is None or "operator" in data:
        operator = given("operator")
        if not isinstance(operator, Organisation):
            operator = (
                Organisation.objects.filter(name=operator).first() if isinstance(operator, str) else None
            )
            if operator is None:
                errors["operator"] = _("Unknown organisation: %(name)s.") % {"name": data.get("operator")}
        clean["operator"] = operator

    if programme is None or "origin_countries" in data:
        clean["origin_countries"] = _known_countries(
            given("origin_countries", []), "origin_countries", errors
        )
        if not clean["origin_countries"] and "origin_countries" not in errors:
            errors["origin_countries"] = _("Give at least one origin country.")
    destination = str(given("destination_country", "") or "").strip().upper()
    if programme is None or "destination_country" in data:
        if destination not in countries:
            errors["destination_country"] = _("Unknown country code: %(codes)s.") % {
                "codes": destination or "—"
            }
        clean["destination_country"] = destination
    if programme is None or {"destination_regions", "destination_country"} & set(data):
        regions = given("destination_regions", []) or []
        if not isinstance(regions, list) or not all(isinstance(r, str) and r.strip() for r in regions):
            errors["destination_regions"] = _("Give a list of regions.")
        elif destination == SINGLE_PERMIT_COUNTRY and (
            unknown := [r for r in regions if r not in REGION_CODES]
        ):
            errors["destination_regions"] = _("Unknown Belgian region: %(regions)s (use %(known)s).") % {
                "regions": ", ".join(unknown),
                "known": ", ".join(REGION_CODES),
            }
        clean["destination_regions"] = regions if isinstance(regions, list) else []

    if programme is None or "phases" in data:
        phases = given("phases", [])
        optional = {phase.value for phase in OPTIONAL_PHASES}
        if not isinstance(phases, list) or not all(isinstance(p, str) for p in phases):
            errors["phases"] = _("Give a list of phases.")
            phases = []
        elif unknown := [p for p in phases if p not in optional]:
            errors["phases"] = _("Unknown or not optional phase: %(phases)s (optional: %(known)s).") % {
                "phases": ", ".join(unknown),
                "known": ", ".join(sorted(optional)),
            }
        clean["phases"] = [p.value for p in OPTIONAL_PHASES if p.value in phases]
    if programme is None or "languages" in data:
        languages = given("languages", []) or []
        if not isinstance(languages, list) or (unknown := [x for x in languages if x not in LANGUAGE_CODES]):
            errors["languages"] = _("Unknown language: %(languages)s (known: %(known)s).") % {
                "languages": ", ".join(map(str, languages if isinstance(languages, list) else [languages])),
                "known": ", ".join(sorted(LANGUAGE_CODES)),
            }
        clean["languages"] = languages if isinstance(languages, list) else []
    if programme is None or "cohorts" in data:
        cohorts = given("cohorts", []) or []
        if not isinstance(cohorts, list) or not all(
            isinstance(c, str) and 0 < len(c.strip()) <= 50 for c in cohorts
        ):
            errors["cohorts"] = _("Give a list of cohort names of up to 50 characters.")
        clean["cohorts"] = [c.strip() for c in cohorts] if isinstance(cohorts, list) else []

    for name in SCALAR_FIELDS:
        if name in data or programme is None:
            clean[name] = data.get(name, Programme._meta.get_field(name).get_default())
    if clean.get("employer_legal_basis") not in (None, "", *Basis.values):
        errors["employer_legal_basis"] = _("Unknown legal basis (known: %(known)s).") % {
            "known": ", ".join(Basis.values)}
    if clean.get("purpose") is not None and clean.get("purpose") not in Purpose.values:
        errors["purpose"] = _("Unknown purpose: %(purpose)s (known: %(known)s).") % {
            "purpose": clean["purpose"],
            "known": ", ".join(Purpose.values),
        }
    for name in ("duration_min_months", "duration_max_months", "minimum_age"):
        value = clean.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 600
        ):
            errors[name] = _("Give a whole number of at least 1.")
    low = clean.get("duration_min_months", current("duration_min_months"))
    high = clean.get("duration_max_months", current("duration_max_months"))
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors["duration_max_months"] = _("The longest stay is shorter than the shortest.")

    purpose = clean.get("purpose", current("purpose"))
    return_required = bool(clean.get("return_required", current("return_required")))
    phases = clean.get("phases", current("phases") or [])
    if purpose in TEMPORARY_PURPOSES:
        # Mobility that ends by design: the return is part of it.
        return_required = clean["return_required"] = True
    if return_required and "return" not in phases:
        errors["phases"] = errors.get("phases") or _(
            "A programme with a mandatory return runs the return phase."
        )
    if errors:
        raise ValidationError(errors)
    return clean


def partners_clean(partners: Any) -> list[dict[str, Any]]:
    """[{organisation, role, phases, legal_basis, transfer_instrument}] with known organisations,
    partner roles, phases, legal bases (empty: each case needs its own) and, for a partner outside
    the EEA and the adequate countries, the instrument its data is shared under."""
    if not isinstance(partners, list):
        raise ValidationError({"partners": _("Give a list of partners.")})
    roles = {role.value for role in PARTNER_ROLES}
    clean, problems = [], []
    for entry in partners:
        if not isinstance(entry, dict):
            problems.append(_("Each partner is {organisation, role, phases}."))
            continue
        organisation = Organisation.objects.filter(name=entry.get("organisation")).first()
        if organisation is None:
            problems.append(_("Unknown organisation: %(name)s.") % {"name": entry.get("organisation")})
        if entry.get("role") not in roles:
            problems.append(
                _("Unknown partner role: %(role)s (known: %(known)s).")
                % {
                    "role": entry.get("role"),
                    "known": ", ".join(sorted(roles)),
                }
            )
        phases = entry.get("phases")
        if (
            not isinstance(phases, list)
            or not phases
            or (unknown := [p for p in phases if p not in PHASE_BY_NAME])
        ):
            problems.append(
                _("Unknown phase for %(name)s: %(phases)s.")
                % {
                    "name": entry.get("organisation"),
                    "phases": ", ".join(map(str, unknown)) if isinstance(phases, list) and phases else "—",
                }
            )
        basis = entry.get("legal_basis") or ""
        if basis not in ("", *Basis.values):
            problems.append(_("Unknown legal basis for %(name)s: %(basis)s (known: %(known)s).") % {
                "name": entry.get("organisation"), "basis": basis, "known": ", ".join(Basis.values)})
        instrument = entry.get("transfer_instrument") or ""
        if instrument not in ("", *TransferInstrument.values):
            problems.append(_("Unknown transfer instrument for %(name)s: %(instrument)s (known: %(known)s).")
                            % {"name": entry.get("organisation"), "instrument": instrument,
                               "known": ", ".join(TransferInstrument.values)})
        elif organisation is not None and not instrument and needs_transfer_instrument(organisation.country):
            # Sharing with a partner in a third country without a safeguard is refused (GDPR Art. 44).
            problems.append(_(
                "%(name)s is in %(country)s, which has no EU adequacy decision: declare the transfer "
                "instrument its data is shared under (standard contractual clauses, an arrangement between "
                "public bodies…)."
            ) % {"name": organisation.name, "country": organisation.country.name})
        if organisation is not None:
            clean.append({
                "organisation": organisation, "role": entry.get("role"), "phases": phases,
                "legal_basis": basis, "transfer_instrument": instrument,
            })
    if problems:
        raise ValidationError({"partners": problems})
    return clean


def stranded_cases(*, programme: Programme, phases: list[str]) -> QuerySet[Case]:
    """Open cases of ``programme`` now in an optional phase that ``phases`` leaves out."""
    left_out = {p.value for p in OPTIONAL_PHASES} - set(phases)
    stages = [s.name for s in STATES if s.phase in left_out and not s.terminal]
    return programme.cases.filter(stage__in=stages).order_by("reference")


@transaction.atomic
def programme_save(*, actor: User, data: dict[str, Any], programme: Programme | None = None) -> Programme:
    """Create (``programme`` None) or change a programme, its partners included; in its history."""
    if not programme_may_edit(user=actor, programme=programme):
        raise PermissionDenied(_("Only coordinators of the operating organisation edit this programme."))
    clean = programme_clean(data, programme=programme)
    partners = partners_clean(data["partners"]) if "partners" in data else None
    if (
        actor.role == User.Role.COORDINATOR
        and clean.get("operator") is not None
        and clean["operator"].pk != actor.organisation_id
    ):
        raise PermissionDenied(_("Coordinators run programmes of their own organisation."))
    if programme is not None:
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if "phases" in clean:
            stranded = list(stranded_cases(programme=programme, phases=clean["phases"]))
            if stranded:
                raise ProgrammeChangeStrandsCases(
                    _("Open cases are in a phase this change leaves out; move or close them first."),
                    reasons=[f"{case.reference}: {case.stage_label}" for case in stranded],
                )
    else:
        programme = Programme()
    for name, value in clean.items():
        setattr(programme, name, value)
    programme.save()
    if partners is not None:
        # One by one, so that the history keeps each partner that left or joined.
        for old in programme.partners.all():
            old.delete()
        for partner in partners:
            ProgrammePartner.objects.create(programme=programme, **partner)
    programme_bases_declare(programme=programme)
    return programme
