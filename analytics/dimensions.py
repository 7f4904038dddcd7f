"""What the framework analytics split and filter by: one table of dimensions, and the parsing
of a request's filters and ``group_by`` against it.

Every dimension is a property of a case. Region, route, occupation and employer size are
those of the case's first job offer abroad (``JobOffer.first_abroad``), the job that took the
participant abroad; a later change of employer does not move the case to other figures.
Period is the year of the date each measure is about (a submission, an arrival, a stay's
start, an opening); ``from`` and ``to`` bound that same date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Expression, F, FilteredRelation, Q, QuerySet
from django.db.models.functions import ExtractYear, Substr
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from cases.models import Organisation, Programme
from config.dates import day_format_hint, day_parse
from permits.routes import REGIONS, ROUTE_CHOICES

# ISCO-08 major groups (ILO, International Standard Classification of Occupations, 2008):
# the first digit of the four-digit code.
ISCO_MAJOR_GROUPS: dict[str, Promise] = {
    "1": gettext_lazy("Managers"),
    "2": gettext_lazy("Professionals"),
    "3": gettext_lazy("Technicians and associate professionals"),
    "4": gettext_lazy("Clerical support workers"),
    "5": gettext_lazy("Service and sales workers"),
    "6": gettext_lazy("Skilled agricultural, forestry and fishery workers"),
    "7": gettext_lazy("Craft and related trades workers"),
    "8": gettext_lazy("Plant and machine operators and assemblers"),
    "9": gettext_lazy("Elementary occupations"),
    "0": gettext_lazy("Armed forces occupations"),
}

NOT_KNOWN = gettext_lazy("Not known")
# The alias under which a query joins each case's first job offer abroad.
OFFER_ABROAD = "offer_abroad"


@dataclass(frozen=True)
class Dimension:
    name: str
    label: Promise
    # The value of a case, as an expression on a query of cases (``on("")``) or of rows
    # that belong to a case (``on("case__")``).
    on: Callable[[str], Expression]
    # The values it can take and their labels; None when any value may occur (cohorts).
    choices: Callable[[], Mapping[str, str]] | None = None
    # What "not known" means for this dimension, when it reads better than "Not known".
    blank_label: Promise = NOT_KNOWN


def _field(path: str, *, offer: bool = False) -> Callable[[str], Expression]:
    """A case's field (``programme__code``), or one of its first offer abroad's (``offer=True``)."""
    if offer:
        return lambda case_path: F(f"{OFFER_ABROAD}__{path}")
    return lambda case_path: F(f"{case_path}{path}")


def _labels(choices) -> Callable[[], dict[str, str]]:
    return lambda: {str(value): str(label) for value, label in choices}


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "region", gettext_lazy("Region"), _field("region", offer=True), _labels(REGIONS),
        blank_label=gettext_lazy("Outside Belgium or no job yet"),
    ),
    Dimension(
        "route", gettext_lazy("Admission route"), _field("permit_route", offer=True), _labels(ROUTE_CHOICES),
        blank_label=gettext_lazy("No route yet"),
    ),
    Dimension(
        "origin", gettext_lazy("Origin country"), _field("participant__nationality"),
        lambda: {code: str(name) for code, name in countries},
    ),
    Dimension(
        "programme", gettext_lazy("Programme"), _field("programme__code"),
        lambda: dict(Programme.objects.values_list("code", "name")),
    ),
    Dimension(
        "operator", gettext_lazy("Operator"), _field("programme__operator_id"),
        lambda: {
            str(pk): name
            for pk, name in Organisation.objects.filter(
                pk__in=Programme.objects.values("operator_id")
            ).values_list("pk", "name")
        },
    ),
    Dimension(
        "employer_size", gettext_lazy("Employer size"), _field("employer__size_band", offer=True),
        _labels(Organisation.SizeBand.choices),
    ),
    Dimension(
        "occupation", gettext_lazy("Occupation (ISCO-08 major group)"),
        lambda case_path: Substr(F(f"{OFFER_ABROAD}__isco_code"), 1, 1),
        lambda: {code: str(label) for code, label in ISCO_MAJOR_GROUPS.items()},
    ),
    Dimension("cohort", gettext_lazy("Cohort"), _field("cohort")),
)
DIMENSION_BY_NAME = {dimension.name: dimension for dimension in DIMENSIONS}
PERIOD = "period"
PERIOD_LABEL = gettext_lazy("Year")
GROUPABLE = (*DIMENSION_BY_NAME, PERIOD)
MAX_GROUP_BY = 2
# Query parameters that are not dimensions.
PERIOD_PARAMETERS = ("from", "to")
OTHER_PARAMETERS = ("group_by", "format")


@dataclass(frozen=True)
class AnalyticsQuery:
    """Filters (dimension name → value), the dimensions to group by, and the period."""

    filters: dict[str, str] = field(default_factory=dict)
    group_by: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_dict(self) -> dict:
        return {
            **self.filters,
            **({"from": self.date_from} if self.date_from else {}),
            **({"to": self.date_to} if self.date_to else {}),
        }


def _day(value: str, name: str, errors: dict[str, str]) -> dt.date | None:
    if not value:
        return None
    try:
        return day_parse(value)
    except ValueError:
        errors[name] = _("“%(value)s” is not a date (%(format)s or YYYY-MM-DD).") % {
            "value": value[:40], "format": day_format_hint(),
        }
        return None


def query_parse(params: Mapping[str, str], *, extra: tuple[str, ...] = ()) -> AnalyticsQuery:
    """An ``AnalyticsQuery`` from request parameters, or ``ValidationError`` keyed by the
    parameter at fault: an unknown parameter or dimension, a value a dimension cannot take,
    more than two ``group_by`` dimensions, a period that ends before it starts."""
    errors: dict[str, str] = {}
    known = {*DIMENSION_BY_NAME, *PERIOD_PARAMETERS, *OTHER_PARAMETERS, *extra}
    for name in params:
        if name not in known:
            errors[name[:40]] = _("Unknown dimension or parameter “%(name)s”. Known: %(known)s.") % {
                "name": name[:40], "known": ", ".join(sorted(known)),
            }
    filters: dict[str, str] = {}
    for dimension in DIMENSIONS:
        value = str(params.get(dimension.name, "")).strip()
        if not value:
            continue
        choices = dimension.choices() if dimension.choices else None
        if choices is not None and value not in choices:
            errors[dimension.name] = _("“%(value)s” is not a %(dimension)s.") % {
                "value": value[:40], "dimension": str(dimension.label).lower(),
            }
        filters[dimension.name] = value
    group_by = tuple(
        name.strip() for name in str(params.get("group_by", "")).split(",") if name.strip()
    )
    unknown = [name for name in group_by if name not in GROUPABLE]
    if unknown:
        errors["group_by"] = _("Unknown dimension “%(name)s” to group by. Known: %(known)s.") % {
            "name": unknown[0][:40], "known": ", ".join(GROUPABLE),
        }
    elif len(group_by) > MAX_GROUP_BY:
        errors["group_by"] = _("Group by one or two dimensions, not %(count)d.") % {"count": len(group_by)}
    elif len(set(group_by)) != len(group_by):
        errors["group_by"] = _("A dimension is named twice in group_by.")
    date_from = _day(str(params.get("from", "")).strip(), "from", errors)
    date_to = _day(str(params.get("to", "")).strip(), "to", errors)
    if date_from and date_to and date_to < date_from:
        errors["to"] = _("The period ends (%(to)s) before it starts (%(from)s).") % {
            "to": date_format(date_to), "from": date_format(date_from),
        }
    if errors:
        raise ValidationError(errors)
    return AnalyticsQuery(filters=filters, group_by=group_by, date_from=date_from, date_to=date_to)


def dimensions_apply(
    rows: QuerySet, query: AnalyticsQuery, *, case_path: str, date_field: str
) -> tuple[QuerySet, list[str]]:
    """``rows`` (cases, or rows of a case reached by ``case_path``) narrowed by the query's
    filters and period (on ``date_field``, a date or a time), with one ``dim_<name>``
    annotation per dimension grouped by; returns them and the annotations' names."""
    rows = rows.annotate(
        **{
            OFFER_ABROAD: FilteredRelation(
                f"{case_path}job_offers", condition=Q(**{f"{case_path}job_offers__first_abroad": True})
            )
        }
    )
    for name, value in query.filters.items():
        rows = rows.annotate(**{f"filter_{name}": DIMENSION_BY_NAME[name].on(case_path)}).filter(
            **{f"filter_{name}": int(value) if name == "operator" else value}
        )
    day = f"{date_field}__date" if _is_datetime(rows, date_field) else date_field
    if query.date_from:
        rows = rows.filter(**{f"{day}__gte": query.date_from})
    if query.date_to:
        rows = rows.filter(**{f"{day}__lte": query.date_to})
    keys = []
    for name in query.group_by:
        expression = ExtractYear(date_field) if name == PERIOD else DIMENSION_BY_NAME[name].on(case_path)
        rows = rows.annotate(**{f"dim_{name}": expression})
        keys.append(f"dim_{name}")
    return rows, keys


def _is_datetime(rows: QuerySet, path: str) -> bool:
    model = rows.model
    *relations, last = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(last).get_internal_type() == "DateTimeField"


def group_labeller(query: AnalyticsQuery) -> Callable[[tuple], dict[str, object]]:
    """A function giving a group's dimension values and their labels, for the answer."""
    labels = {
        name: DIMENSION_BY_NAME[name].choices() if DIMENSION_BY_NAME[name].choices else {}
        for name in query.group_by
        if name != PERIOD
    }

    def label(key: tuple) -> dict[str, object]:
        out: dict[str, object] = {}
        for name, value in zip(query.group_by, key, strict=True):
            if name == PERIOD:
                out[name], out[f"{name}_label"] = value, str(value) if value is not None else str(NOT_KNOWN)
                continue
            value = "" if value is None else str(value)
            out[name] = value or None
            out[f"{name}_label"] = (
                labels[name].get(value, value) if value else str(DIMENSION_BY_NAME[name].blank_label)
            )
        return out

    return label


def filter_labels(query: AnalyticsQuery) -> dict[str, str]:
    """The filters in words, for a page or a report."""
    out = {}
    for name, value in query.filters.items():
        dimension = DIMENSION_BY_NAME[name]
        labels = dimension.choices() if dimension.choices else {}
        out[str(dimension.label)] = labels.get(value, value)
    return out
