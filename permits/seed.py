"""Record the rule data as first transcribed from the domain brief (2017-2026).

Used once by migration ``permits/0002`` with the migration's models, and by
``load_rule_data`` (a database emptied by a test flush, say). It writes nothing when
rule versions exist already: later changes are versions coordinators add.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .seed_parameters import LEGAL_PARAMETERS
from .seed_routes import RULE_VERSIONS, SHORTAGE_LISTS

DATES = ("valid_from", "valid_to")
MONEY = ("salary_min", "amount")


def _values(row: dict) -> dict:
    values = dict(row)
    for key in DATES:
        if values.get(key):
            values[key] = dt.date.fromisoformat(values[key])
    for key in MONEY:
        if values.get(key) is not None:
            values[key] = Decimal(values[key])
    return values


def rule_data_load(apps) -> bool:
    """Record the seed with the models of ``apps`` (an app registry); False if data exists."""
    rule_version = apps.get_model("permits", "RuleVersion")
    if rule_version.objects.exists():
        return False
    legal_parameter = apps.get_model("permits", "LegalParameter")
    shortage_list = apps.get_model("permits", "ShortageList")
    occupation = apps.get_model("permits", "ShortageOccupation")
    rule_version.objects.bulk_create([rule_version(**_values(row)) for row in RULE_VERSIONS])
    legal_parameter.objects.bulk_create([legal_parameter(**_values(row)) for row in LEGAL_PARAMETERS])
    for row in SHORTAGE_LISTS:
        values = _values(row)
        occupations = values.pop("occupations", [])
        listed = shortage_list.objects.create(**values)
        occupation.objects.bulk_create([occupation(shortage_list=listed, **o) for o in occupations])
    return True
