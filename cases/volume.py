"""Cases at volume, for demonstrations and the scale benchmark (``manage.py generate_volume``).

A few cases are walked through the real transition service (the demo's, one in every
stage of every programme); the rest are copies of them, written in bulk with everything
a real case has: its participant, events, stage stays, checklist items, documents (ready,
all pointing to one placeholder PDF), job offers, permit applications, mentoring plan,
follow-ups and reads. Each copy is moved back in time by up to a year as a whole, so
dates stay consistent within it (opened before moved, due dates after entries), and is
given a participant of its own.

Copies bypass the model's protections on purpose (the stage is written by the flow
only, opening times are set on save): a copy repeats a history that the service
already checked once, on its template.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction

from documents.models import Document
from permits.models import PermitApplication, RuleVersion
from permits.routes import REGION_CODES

from .models import (
    Case,
    CaseEvent,
    CaseRead,
    ChecklistItem,
    FollowUp,
    JobOffer,
    LegalBasis,
    MentoringPlan,
    Organisation,
    Participant,
    StageStay,
)
from .search import case_search_text

DEMO_EMAIL_DOMAIN = "@example.org"
PLACEHOLDER_NAME = "volume/placeholder.pdf"
# Copied with their case; each row's foreign keys to these are renumbered.
CASE_PARTS: tuple[type[models.Model], ...] = (
    StageStay, ChecklistItem, Document, JobOffer, PermitApplication, MentoringPlan, FollowUp, CaseRead,
    LegalBasis,
)
PLACED_PARTS = (JobOffer, PermitApplication, LegalBasis)
CASE_LINKS = {"case_id", "entry_event_id", "event_id", "document_id"}

GIVEN_NAMES = [
    "Youssef", "Fatima-Zahra", "Amine", "Salma", "Mehdi", "Khadija", "Omar", "Imane", "Hamza", "Nour",
    "Ayoub", "Zineb", "Anas", "Meryem", "Reda", "Hajar", "Ilyas", "Sanaa", "Karim", "Yasmine",
    "Chidi", "Ngozi", "Emeka", "Aïcha", "Sami", "Rim", "Mohamed", "Nesrine", "Walid", "Inès",
]
FAMILY_NAMES = [
    "Chraïbi", "Benjelloun", "El Amrani", "Aït Benhaddou", "Tazi", "Berrada", "Lahlou", "Fassi-Fihri",
    "Bennani", "Idrissi", "Ouazzani", "Alaoui", "Zniber", "Kettani", "Sefrioui", "Ben Salah",
    "Trabelsi", "Gharbi", "Mansour", "Haddad", "Okafor", "Adeyemi", "Nwosu", "Hamdi", "Saïdi",
    "Bouazza", "El Ouali", "Naciri", "Skalli", "Jebli",
]


@dataclass
class Template:
    """One walked case and every row that hangs from it, as column values."""

    participant: dict
    case: dict
    events: list[dict]
    parts: dict[type[models.Model], list[dict]] = field(default_factory=dict)


def volume_prefix(label: str) -> str:
    return f"{label.upper()}-"


def volume_count(label: str) -> int:
    return Case.objects.filter(reference__startswith=volume_prefix(label)).count()


def templates_load() -> list[Template]:
    """The demo's cases, with their rows (``load_demo`` must have run)."""
    cases = list(
        Case.objects.filter(participant__email__endswith=DEMO_EMAIL_DOMAIN).order_by("id").values()
    )
    if not cases:
        raise ValueError("No demo cases to copy: run `manage.py load_demo` first.")
    case_ids = [case["id"] for case in cases]
    participants = {
        p["id"]: p for p in Participant.objects.filter(pk__in=[c["participant_id"] for c in cases]).values()
    }
    events: dict[int, list[dict]] = defaultdict(list)
    for event in CaseEvent.objects.filter(case_id__in=case_ids).order_by("id").values():
        events[event["case_id"]].append(event)
    parts: dict[type[models.Model], dict[int, list[dict]]] = {}
    for model in CASE_PARTS:
        rows: dict[int, list[dict]] = defaultdict(list)
        for row in model.objects.filter(case_id__in=case_ids).order_by("pk").values():
            rows[row["case_id"]].append(row)
        parts[model] = rows
    return [
        Template(
            participant=participants[case["participant_id"]],
            case=case,
            events=events[case["id"]],
            parts={model: parts[model][case["id"]] for model in CASE_PARTS},
        )
        for case in cases
    ]


def _shift(model: type[models.Model], row: dict, by: dt.timedelta) -> dict:
    """``row`` with every date and time moved back by ``by`` and without its primary key."""
    moved = {}
    for f in model._meta.concrete_fields:
        value = row.get(f.attname)
        if f.primary_key:
            continue
        if value is not None and isinstance(f, (models.DateField, models.DateTimeField)):
            value = value - by
        moved[f.attname] = value
    return moved


@contextmanager
def _history_as_given() -> Iterator[None]:
    """Let bulk inserts keep the copied stage and opening times (see the module's docstring)."""
    switched = []
    for model in (Participant, Case, CaseEvent, *CASE_PARTS):
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
                switched.append((f, "auto_now_add", f.auto_now_add))
                switched.append((f, "auto_now", f.auto_now))
                f.auto_now_add = f.auto_now = False
            if getattr(f, "enforce_initial", False):
                switched.append((f, "enforce_initial", True))
                f.enforce_initial = False
    try:
        yield
    finally:
        for f, name, value in switched:
            setattr(f, name, value)


def placeholder_file() -> tuple[str, str, int]:
    """One small PDF every copied document points to: name, SHA-256, size."""
    import hashlib

    if not default_storage.exists(PLACEHOLDER_NAME):
        from weasyprint import HTML

        pdf = HTML(string="<p>Placeholder document of a case generated for volume testing.</p>").write_pdf()
        default_storage.save(PLACEHOLDER_NAME, ContentFile(pdf))
    with default_storage.open(PLACEHOLDER_NAME) as stored:
        content = stored.read()
    return PLACEHOLDER_NAME, hashlib.sha256(content).hexdigest(), len(content)


def volume_generate(
    *, cases: int, label: str = "vol", seed: int = 1, batch: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Bring the number of cases of run ``label`` up to ``cases``; returns how many were added.

    Idempotent per label: copy number n always comes from the same template, with the
    same participant and the same shift in time, whatever the batches.
    """
    templates = templates_load()
    placeholder = placeholder_file()
    placements = Placements.load()
    start = volume_count(label)
    added = 0
    for first in range(start, cases, batch):
        numbers = range(first, min(first + batch, cases))
        with transaction.atomic(), _history_as_given():
            _copy_batch(
                templates, numbers, label=label, seed=seed, placeholder=placeholder, placements=placements
            )
        added += len(numbers)
        if progress:
            progress(first + len(numbers), cases)
    return added


@dataclass
class Placements:
    """Where copies of a Belgian placement may go instead of their template's: any Region,
    any Belgian employer, with the rule version in force there (so the framework analytics
    have the three Regions to compare)."""

    employers: list[tuple[int, str]]
    versions: dict[tuple[str, str], list[tuple[dt.date, dt.date | None, int]]]

    @classmethod
    def load(cls) -> Placements:
        versions: dict[tuple[str, str], list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        for region, route, valid_from, valid_to, pk in RuleVersion.objects.values_list(
            "region", "route", "valid_from", "valid_to", "pk"
        ):
            versions[(region, route)].append((valid_from, valid_to, pk))
        employers = list(
            Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER, country="BE")
            .order_by("pk")
            .values_list("pk", "name")
        )
        return cls(employers=employers, versions=versions)

    def version(self, region: str, route: str, on: dt.date) -> int | None:
        for valid_from, valid_to, pk in self.versions.get((region, route), ()):
            if valid_from <= on and (valid_to is None or on <= valid_to):
                return pk
        return None

    def move(self, rows: dict[type[models.Model], list[dict]], case: dict, rng: random.Random) -> None:
        """Send one copy's Belgian offers and applications to a Region and employer drawn by ``rng``."""
        if not self.employers or not any(o["region"] for o in rows[JobOffer]):
            return
        region = rng.choice(sorted(REGION_CODES))
        employer_id, employer_name = rng.choice(self.employers)
        for offer in rows[JobOffer]:
            if offer["region"]:
                offer.update(region=region, employer_id=employer_id, employer_name=employer_name)
        for application in rows[PermitApplication]:
            if application["region"]:
                application.update(
                    region=region,
                    rule_version_id=self.version(region, application["route"], application["submitted_on"]),
                )
        for basis in rows[LegalBasis]:
            # The employer's basis follows the employer to the copy's.
            if case.get("employer_id") and basis["organisation_id"] == case["employer_id"]:
                basis["organisation_id"] = employer_id
        if case.get("employer_id"):
            case["employer_id"] = employer_id


def _copy_batch(
    templates: list[Template], numbers: range, *, label: str, seed: int, placeholder: tuple[str, str, int],
    placements: Placements,
) -> None:
    plans = []
    for number in numbers:
        rng = random.Random(f"{seed}-{label}-{number}")
        template = templates[number % len(templates)]
        shift = dt.timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 600))
        plans.append((number, template, shift, rng))

    people = []
    for number, template, by, rng in plans:
        person = _shift(Participant, template.participant, by)
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        person.update(
            given_names=given, family_name=family, name_in_arabic="",
            email=f"{given.lower()}.{number}@volume.example.net",
            phone=f"+212 6{number % 100:02d} {number // 100 % 100:02d} {number // 10_000 % 100:02d} 00",
        )
        people.append(Participant(**person))
    Participant.objects.bulk_create(people)

    copies = []
    # A copy's offers and applications are moved together with the case (Region, employer).
    placed: list[dict[type[models.Model], list[dict]]] = []
    for (number, template, by, rng), person in zip(plans, people, strict=True):
        values = _shift(Case, template.case, by)
        rows = {model: [_shift(model, row, by) for row in template.parts[model]] for model in PLACED_PARTS}
        placements.move(rows, values, rng)
        placed.append(rows)
        values.update(
            participant_id=person.pk, current_entry_id=None, reference=f"{volume_prefix(label)}{number:06d}"
        )
        copy = Case(**values)
        copy.participant = person
        copy.search_text = case_search_text(copy)
        copies.append(copy)
    Case.objects.bulk_create(copies)

    event_ids: list[dict[int, int]] = []
    events = []
    for (_number, template, by, _rng), copy in zip(plans, copies, strict=True):
        for row in template.events:
            events.append(CaseEvent(**{**_shift(CaseEvent, row, by), "case_id": copy.pk}))
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    cursor = iter(events)
    for _number, template, _by, _rng in plans:
        event_ids.append({row["id"]: next(cursor).pk for row in template.events})

    for (_number, template, _by, _rng), copy, renumbered in zip(plans, copies, event_ids, strict=True):
        copy.current_entry_id = renumbered.get(template.case["current_entry_id"])
    Case.objects.bulk_update(copies, ["current_entry_id"], batch_size=1000)

    document_ids: list[dict[int, int]] = [{} for _ in plans]
    for model in CASE_PARTS:
        rows, sources = [], []
        for index, ((_number, template, by, _rng), copy) in enumerate(zip(plans, copies, strict=True)):
            for position, row in enumerate(template.parts[model]):
                values = placed[index][model][position] if model in PLACED_PARTS else _shift(model, row, by)
                values["case_id"] = copy.pk
                if "entry_event_id" in values:
                    values["entry_event_id"] = event_ids[index][row["entry_event_id"]]
                if model is Document:
                    values["event_id"] = event_ids[index][row["event_id"]]
                    values.update(
                        status=Document.Status.READY, file=placeholder[0], sha256=placeholder[1],
                        size=placeholder[2], error="", rendered_at=values["created_at"],
                    )
                if model is CaseRead and values.get("document_id"):
                    values["document_id"] = document_ids[index].get(row["document_id"])
                rows.append(model(**values))
                sources.append((index, row["id"]))
        model.objects.bulk_create(rows, batch_size=2000)
        if model is Document:
            for (index, old_id), document in zip(sources, rows, strict=True):
                document_ids[index][old_id] = document.pk
    # The caseworker opened the case page when it last moved: the audit log has reads to show.
    CaseRead.objects.bulk_create(
        [
            CaseRead(
                case_id=copy.pk, user_id=copy.caseworker_id, kind=CaseRead.Kind.PAGE, at=copy.stage_entered_at
            )
            for copy in copies
            if copy.caseworker_id
        ],
        batch_size=2000,
    )
