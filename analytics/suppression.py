"""Small-group suppression: no figure of the framework analytics lets a reader single out a person.

The rules, applied to every measure's groups:

1. *Primary*: a group of fewer than ``THRESHOLD`` people is suppressed whole: its counts
   read "< 5", its shares and distributions are empty.
2. *Small cells*: in a group that is shown, a count from 1 to 4 reads "< 5", and so does a
   count whose complement in its whole (the refused of the decided: the decided minus the
   refused are the granted) is from 1 to 4. Where counts split a whole into parts (pending,
   granted, refused), one small part hides every other non-empty part too, since the rest
   would give it back. A share is empty where its part or its whole is suppressed, a median
   or a 90th percentile where fewer than ``THRESHOLD`` values lie behind it.
3. *Secondary*: the ungrouped figure of a measure can be asked for too, so one suppressed
   group among others could be derived by subtraction; the smallest other group of the
   same set (all groups, or those alike in every dimension but one) is then suppressed
   as well.

Zero is shown: a count of nobody singles out no one.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable

from cases.reports import nearest_rank

THRESHOLD = 5
SUPPRESSED = "< 5"

Figure = int | str


def small(count: int) -> bool:
    return 0 < count < THRESHOLD


def groups_suppressed(people: dict[tuple, int]) -> set[tuple]:
    """The groups (keys of one or two dimension values → how many people) to suppress whole."""
    suppressed = {key for key, count in people.items() if small(count)}
    width = len(next(iter(people), ()))
    # The sets of groups a reader could add up to a published margin: all of them, and for
    # keys of several dimensions, those alike in every dimension but one.
    sets: list[list[tuple]] = [list(people)]
    if width > 1:
        for position in range(width):
            alike: dict[Hashable, list[tuple]] = defaultdict(list)
            for key in people:
                alike[key[:position] + key[position + 1:]].append(key)
            sets.extend(alike.values())
    changed = True
    while changed:
        changed = False
        for keys in sets:
            hidden = [key for key in keys if key in suppressed and people[key]]
            shown = [key for key in keys if key not in suppressed and people[key]]
            if len(hidden) == 1 and shown:
                suppressed.add(min(shown, key=lambda key: (people[key], str(key))))
                changed = True
    return suppressed


class Cells:
    """One group's figures, suppressed as the module says."""

    def __init__(self, *, suppressed: bool) -> None:
        self.suppressed = suppressed

    def count(self, count: int, *, whole: int | None = None) -> Figure:
        if self.suppressed or small(count) or (whole is not None and small(whole - count)):
            return SUPPRESSED
        return count

    def share(self, part: int, whole: int) -> float | None:
        """``part`` of ``whole``, to 3 decimals; empty where either count would be suppressed."""
        return self.share_of(self.count(part, whole=whole), self.count(whole))

    @staticmethod
    def share_of(part: Figure, whole: Figure) -> float | None:
        """The share of two figures as shown: empty where either is suppressed (a share and
        its whole would give the suppressed count back) or the whole is zero."""
        if not isinstance(part, int) or not isinstance(whole, int) or not whole:
            return None
        return round(part / whole, 3)

    def partition(self, whole: int, parts: dict[str, int]) -> dict[str, Figure]:
        """Counts that add up to ``whole`` (with what is not in any part as a remainder): where
        one part or the remainder is from 1 to 4, every part but the empty ones reads "< 5",
        since the others and the whole would give it back."""
        hide = self.suppressed or small(whole - sum(parts.values())) or any(small(n) for n in parts.values())
        return {name: SUPPRESSED if (hide and n) or self.suppressed else n for name, n in parts.items()}

    def distribution(
        self, values: Iterable[float], *, whole: int | None = None
    ) -> dict[str, Figure | float | None]:
        """How many values (a count, suppressed like one within ``whole``), their median and
        90th percentile to one decimal; empty under ``THRESHOLD`` values."""
        values = list(values)
        n = self.count(len(values), whole=whole)
        if self.suppressed or len(values) < THRESHOLD:
            return {"n": n, "median": None, "p90": None}
        median, p90 = statistics.median(values), nearest_rank(values, 90)
        return {"n": n, "median": round(float(median), 1), "p90": round(float(p90), 1)}
