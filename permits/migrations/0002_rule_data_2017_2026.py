"""The rule data as first recorded from the domain brief (2017-2026), with its sources.

Later changes are rule versions that coordinators add; this migration only runs once.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

from permits.seed_parameters import LEGAL_PARAMETERS
from permits.seed_routes import RULE_VERSIONS, SHORTAGE_LISTS

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


def load(apps, schema_editor):
    rule_version = apps.get_model("permits", "RuleVersion")
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


def unload(apps, schema_editor):
    for name in ("ShortageOccupation", "ShortageList", "LegalParameter", "RuleVersion"):
        apps.get_model("permits", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
