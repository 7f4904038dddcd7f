"""The rule data as first recorded from the domain brief (2017-2026), with its sources."""

from django.db import migrations

from permits.seed import rule_data_load


def load(apps, schema_editor):
    rule_data_load(apps)


def unload(apps, schema_editor):
    for name in ("ShortageOccupation", "ShortageList", "LegalParameter", "RuleVersion"):
        apps.get_model("permits", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
