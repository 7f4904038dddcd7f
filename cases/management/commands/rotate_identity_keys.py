"""``manage.py rotate_identity_keys``: re-encrypt every passport number under the first key.

Put the new key first in ``ITINERA_FIELD_KEYS`` (keep the old one after it), run this, then
remove the old key.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cases.services import identity_numbers_rotate


class Command(BaseCommand):
    help = "Re-encrypt every stored identity-document number under the first key of ITINERA_FIELD_KEYS."

    def handle(self, *args, **options):
        self.stdout.write(f"{identity_numbers_rotate()} numbers re-encrypted under the first key.")
