"""Pages of long lists whose exact length nobody needs.

Counting every row of a long list (the audit trail holds millions of events, My work
thousands of items at a large organisation) costs as much as reading them all. These
lists count up to ``COUNT_CAP`` rows and say "10,000+" beyond; the pages past the cap
are not offered (filters narrow a list to what someone reads).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        # Without the list's order: counting does not need to sort millions of rows.
        return self.object_list.order_by()[:COUNT_CAP].count()

    @property
    def capped(self) -> bool:
        """Whether there are at least ``COUNT_CAP`` rows (the count stops there)."""
        return self.count >= COUNT_CAP


class CappedPagination(PageNumberPagination):
    """The API's pages over a capped count: ``count`` is at most ``COUNT_CAP``."""

    django_paginator_class = CappedPaginator
