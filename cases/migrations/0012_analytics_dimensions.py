"""Dimensions of the framework analytics: the offer that took each participant abroad, and
the employer's size band."""

from django.db import migrations, models


def first_offers_abroad_mark(apps, schema_editor):
    """Mark, for every case, its first job offer outside the participant's own country."""
    JobOffer = apps.get_model("cases", "JobOffer")
    seen: set[int] = set()
    first: list[int] = []
    offers = JobOffer.objects.order_by("case_id", "accepted_on", "id").values_list(
        "id", "case_id", "country", "case__participant__nationality"
    )
    for offer_id, case_id, country, nationality in offers.iterator(chunk_size=5000):
        if case_id not in seen and country != nationality:
            seen.add(case_id)
            first.append(offer_id)
    for start in range(0, len(first), 5000):
        JobOffer.objects.filter(pk__in=first[start:start + 5000]).update(first_abroad=True)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_open_items_by_due_date'),
    ]

    operations = [
        migrations.AddField(
            model_name='joboffer',
            name='first_abroad',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name='organisation',
            name='size_band',
            field=models.CharField(blank=True, choices=[('micro', 'Micro (fewer than 10 staff)'), ('small', 'Small (10 to 49 staff)'), ('medium', 'Medium (50 to 249 staff)'), ('large', 'Large (250 staff or more)')], max_length=10, verbose_name='size'),
        ),
        migrations.RunPython(first_offers_abroad_mark, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='joboffer',
            constraint=models.UniqueConstraint(condition=models.Q(('first_abroad', True)), fields=('case',), name='one_first_offer_abroad'),
        ),
    ]
