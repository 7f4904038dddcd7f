"""Retention: what the rules say is due for erasure, and the erasure itself (brief §7.2, Art. 5(1)(e)).

The clock of a closed case starts at its closure. Each purpose's data goes when that purpose's
period has passed (``RetentionRule``); the case is *anonymised* once the programme-management
period and every other purpose's have passed. Anonymisation keeps what statistics need
(programme, cohort, stages and their dates, Region, route, offer, nationality, a five-year band
of the year of birth) and the audit trail's shape (every event, read and document row stays,
emptied), and removes names, contacts, the date of birth, notes, free text, evidence and
rendered documents. A case under a legal hold in force is listed and left alone.

``retention_plan`` says what is due without changing anything (the dry run); ``retention_apply``
does it, one case per transaction, so that a run stopped halfway is finished by the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import events
from cases.models import Case, CaseEvent, ChecklistItem, FollowUp, Notification, Participant, Referral, User
from cases.purposes import ProcessingPurpose
from cases.search import case_search_text
from documents.models import Document
from permits.models import PermitApplication
from permits.periods import add_months
from workflow.itinerary import STATES, Phase

from .models import CaseErasure, FileErasure, LegalHold, Outcome, RetentionRule, RetentionRun

logger = logging.getLogger(__name__)

P = ProcessingPurpose

OUTCOME_BY_STAGE: dict[str, str] = {
    "closed_home": Outcome.CLOSED,
    "closed_away": Outcome.CLOSED,
    "closed_returned": Outcome.CLOSED,
    "not_selected": Outcome.NOT_SELECTED,
    "withdrawn": Outcome.WITHDRAWN,
    "closed_no_departure": Outcome.WITHDRAWN,
}

# The stages whose checklists, moves and documents hold each purpose's data. Mentoring has no
# stage of its own: its data are the follow-ups. Programme management covers the whole case.
PURPOSE_PHASES: dict[str, frozenset[Phase]] = {
    P.SELECTION: frozenset({Phase.INTAKE, Phase.TRAINING}),
    P.EMPLOYMENT_PERMIT: frozenset(
        {Phase.MATCHING, Phase.HOME_PLACEMENT, Phase.PERMIT, Phase.TRAVEL, Phase.ARRIVAL, Phase.EMPLOYMENT}
    ),
    P.MENTORING: frozenset(),
    P.PROGRAMME_MANAGEMENT: frozenset(state.phase for state in STATES),
}
# Statistics keep only what anonymisation leaves: nothing of theirs is ever erased.
ERASABLE_PURPOSES: tuple[str, ...] = tuple(PURPOSE_PHASES)

# What a move's form recorded that is a code or a figure, not a person's free text: kept.
KEPT_INPUT_KEYS = frozenset({
    "route", "region", "annex", "isco_code", "diploma_level", "profession", "function_level",
    "contract_months", "seconded", "refused_by",
})
# Free text of other events (a note, a checklist item's note, a reason, a concern): removed.
FREE_TEXT_KEYS = frozenset({"note", "text", "reason", "concern", "outside_origin_confirmed"})

BATCH_SIZE = 200


def _stages_of(purpose: str) -> list[str]:
    return [state.name for state in STATES if state.phase in PURPOSE_PHASES[purpose]]


def birth_band_start(day: dt.date) -> dt.date:
    """The first day of the five-year band of a date of birth (1993-06-14 → 1990-01-01)."""
    return dt.date(day.year - day.year % 5, 1, 1)


def payload_anonymised(payload: dict) -> dict:
    """An event's details without the free text people typed: the codes and figures stay."""
    kept = {key: value for key, value in payload.items() if key not in FREE_TEXT_KEYS}
    if isinstance(kept.get("input"), dict):
        kept["input"] = {key: value for key, value in kept["input"].items() if key in KEPT_INPUT_KEYS}
    return kept


@dataclass
class Due:
    """What the rules ask of one closed case today."""

    case: Case
    outcome: str
    closed_on: dt.date
    # Purposes whose period has passed and whose data is still there, with the rule and the day.
    purposes: list[tuple[str, RetentionRule, dt.date]] = field(default_factory=list)
    anonymise: bool = False
    hold: LegalHold | None = None

    @property
    def action(self) -> str:
        if self.hold is not None:
            return str(_("Kept: legal hold"))
        if self.anonymise:
            return str(_("Anonymise"))
        return str(_("Erase the data of: %(purposes)s") % {"purposes": self.purpose_labels})

    @property
    def purpose_labels(self) -> str:
        return ", ".join(str(label) for label, _rule, _day in self.reasons)

    @property
    def reasons(self) -> list[tuple[str, RetentionRule, dt.date]]:
        """Each purpose due, by its label, with its rule and the day its period ended."""
        return [(P(purpose).label, rule, day) for purpose, rule, day in self.purposes]

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label


def _rules() -> dict[tuple[int | None, str, str], RetentionRule]:
    return {(rule.programme_id, rule.purpose, rule.outcome): rule for rule in RetentionRule.objects.all()}


def rule_for(rules, *, programme_id: int, purpose: str, outcome: str) -> RetentionRule | None:
    """The programme's own rule, else the rule for every programme, else none (kept)."""
    return rules.get((programme_id, purpose, outcome)) or rules.get((None, purpose, outcome))


def _candidates(*, today: dt.date, rules) -> Iterator[Case]:
    """Closed cases that some rule may have reached and that are not anonymised yet."""
    if not rules:
        return iter(())
    shortest = min(rule.months for rule in rules.values())
    closed_before = timezone.make_aware(dt.datetime.combine(add_months(today, -shortest), dt.time.max))
    anonymised = CaseErasure.objects.filter(case=OuterRef("pk"), purpose=P.PROGRAMME_MANAGEMENT)
    return (
        Case.objects.filter(stage__in=OUTCOME_BY_STAGE, closed_at__lte=closed_before)
        .exclude(Exists(anonymised))
        .select_related("participant", "programme")
        .order_by("closed_at", "id")
        .iterator(chunk_size=BATCH_SIZE)
    )


def _batched(cases: Iterator[Case]) -> Iterator[list[Case]]:
    batch: list[Case] = []
    for case in cases:
        batch.append(case)
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _plan_batch(batch: list[Case], *, today: dt.date, rules) -> list[Due]:
    ids = [case.pk for case in batch]
    erased: dict[int, set[str]] = defaultdict(set)
    for case_id, purpose in CaseErasure.objects.filter(case_id__in=ids).values_list("case_id", "purpose"):
        erased[case_id].add(purpose)
    holds = {
        hold.case_id: hold
        for hold in LegalHold.objects.filter(case_id__in=ids, lifted_at__isnull=True, until__gte=today)
        .order_by("until")
    }
    plan = []
    for case in batch:
        outcome = OUTCOME_BY_STAGE[case.stage]
        closed_on = timezone.localdate(case.closed_at)
        due = Due(case=case, outcome=outcome, closed_on=closed_on, hold=holds.get(case.pk))
        applicable = {
            purpose: rule
            for purpose in ERASABLE_PURPOSES
            if (rule := rule_for(rules, programme_id=case.programme_id, purpose=purpose, outcome=outcome))
        }
        passed = {purpose: add_months(closed_on, rule.months) for purpose, rule in applicable.items()}
        passed = {purpose: day for purpose, day in passed.items() if day <= today}
        due.anonymise = P.PROGRAMME_MANAGEMENT in passed and len(passed) == len(applicable)
        due.purposes = [
            (purpose, applicable[purpose], day)
            for purpose, day in passed.items()
            if purpose not in erased[case.pk] and (due.anonymise or purpose != P.PROGRAMME_MANAGEMENT)
        ]
        if due.purposes:
            plan.append(due)
    return plan


def retention_plan(*, today: dt.date | None = None) -> Iterator[Due]:
    """Every closed case some rule has reached, and what is due: the dry run. Changes nothing."""
    today = today or timezone.localdate()
    rules = _rules()
    for batch in _batched(_candidates(today=today, rules=rules)):
        yield from _plan_batch(batch, today=today, rules=rules)


@dataclass
class RunResult:
    run: RetentionRun
    done: list[Due] = field(default_factory=list)
    held: list[Due] = field(default_factory=list)


def retention_apply(
    *, trigger: str, user: User | None = None, today: dt.date | None = None, limit: int | None = None
) -> RunResult:
    """Erase and anonymise what ``retention_plan`` lists, held cases excepted; logged as a run.

    One transaction per case; the erasure rows say what is done, so a rerun after a crash
    does the rest and nothing twice. ``limit`` stops after that many cases (the page's "run now").
    """
    today = today or timezone.localdate()
    files_erase_pending()
    result = RunResult(run=RetentionRun.objects.create(trigger=trigger, user=user))
    try:
        for due in retention_plan(today=today):
            if due.hold is not None:
                result.held.append(due)
                continue
            if limit is not None and len(result.done) >= limit:
                break
            if case_erase(due=due, run=result.run, today=today):
                result.done.append(due)
    except Exception as error:
        result.run.error = repr(error)[:5000]
        raise
    finally:
        result.run.finished_at = timezone.now()
        result.run.cases_anonymised = sum(1 for due in result.done if due.anonymise)
        result.run.purposes_erased = sum(len(due.purposes) for due in result.done)
        result.run.cases_held = len(result.held)
        result.run.save()
    return result


@transaction.atomic
def case_erase(*, due: Due, run: RetentionRun, today: dt.date) -> bool:
    """Erase ``due``'s purposes of one case (the whole case when it is anonymised), in one transaction.

    Checks again under the case's lock: a hold placed or an erasure done since the plan was
    read wins. False when there was nothing left to do.
    """
    case = Case.objects.select_for_update().get(pk=due.case.pk)
    if LegalHold.objects.filter(case=case, lifted_at__isnull=True, until__gte=today).exists():
        return False
    done = set(CaseErasure.objects.filter(case=case).values_list("purpose", flat=True))
    purposes = [(purpose, rule) for purpose, rule, _day in due.purposes if purpose not in done]
    if due.anonymise:
        rule = next(rule for purpose, rule, _day in due.purposes if purpose == P.PROGRAMME_MANAGEMENT)
        purposes += [(purpose, rule) for purpose in ERASABLE_PURPOSES
                     if purpose not in done and purpose not in dict(purposes)]
    if not purposes:
        return False
    files: list[str] = []
    for purpose, _rule in purposes:
        files += _purpose_erase(case, purpose)
    if due.anonymise:
        _case_anonymise(case)
    CaseErasure.objects.bulk_create(
        [CaseErasure(case=case, purpose=purpose, rule=rule, run=run) for purpose, rule in purposes]
    )
    events.data_erased(
        case=case, purposes=[purpose for purpose, _rule in purposes], anonymised=due.anonymise,
        rules=sorted({rule.pk for _purpose, rule in purposes}), run=run.pk,
    )
    _files_release(files)
    return True


def _purpose_erase(case: Case, purpose: str) -> list[str]:
    """Empty one purpose's notes, free text, evidence and documents of ``case``; the files to delete."""
    stages = _stages_of(purpose)
    files: list[str] = []
    items = ChecklistItem.objects.filter(case=case, stage__in=stages)
    files += [name for name in items.exclude(evidence="").values_list("evidence", flat=True)]
    item_ids = list(items.values_list("pk", flat=True))
    items.update(note="", evidence="")
    ChecklistItem.history.filter(id__in=item_ids).update(note="")
    events = list(CaseEvent.objects.filter(Q(from_stage__in=stages) | Q(to_stage__in=stages), case=case))
    if purpose == P.PROGRAMME_MANAGEMENT:
        events = list(CaseEvent.objects.filter(case=case))
    for event in events:
        event.payload = payload_anonymised(event.payload)
    CaseEvent.objects.bulk_update(events, ["payload"], batch_size=500)
    documents = Document.objects.filter(case=case, event__in=events).exclude(status=Document.Status.ERASED)
    files += [name for name in documents.exclude(file="").values_list("file", flat=True)]
    documents.update(status=Document.Status.ERASED, file="")
    if purpose in (P.MENTORING, P.PROGRAMME_MANAGEMENT):
        FollowUp.objects.filter(case=case).update(notes="", concern="")
    if purpose in (P.EMPLOYMENT_PERMIT, P.PROGRAMME_MANAGEMENT):
        PermitApplication.objects.filter(case=case).update(reference="", refusal_reason="")
    return files


def _case_anonymise(case: Case) -> None:
    """What is left of a person on an anonymised case, and the person once no case needs them."""
    Case.objects.filter(pk=case.pk).update(address="", commune="", closure_reason="")
    Case.history.filter(id=case.pk).update(address="", commune="", closure_reason="")
    Notification.objects.filter(case=case).delete()
    Referral.objects.filter(case=case).update(note="", reason="")
    person = case.participant
    others_kept = (
        Case.objects.filter(participant=person).exclude(pk=case.pk)
        .exclude(erasures__purpose=P.PROGRAMME_MANAGEMENT).exists()
    )
    if not others_kept:
        participant_anonymise(person)
    fresh = Case.objects.select_related("participant").get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(search_text=case_search_text(fresh))


def participant_anonymise(person: Participant) -> None:
    """Empty the names and contacts, keep the band of the date of birth, in the history too."""
    kept = {
        "given_names": "", "family_name": "", "name_in_arabic": "", "email": "", "phone": "",
        "date_of_birth": birth_band_start(person.date_of_birth),
    }
    Participant.objects.filter(pk=person.pk).update(
        anonymised_at=timezone.now(), passport_number_encrypted="", passport_number_hash="", **kept
    )
    Participant.history.filter(id=person.pk).update(**kept)


def _files_release(names: Iterable[str]) -> None:
    """Record the files to delete with the erasure, and delete them once it has committed."""
    names = [name for name in names if name]
    if not names:
        return
    FileErasure.objects.bulk_create([FileErasure(name=name) for name in names], ignore_conflicts=True)
    transaction.on_commit(lambda: files_erase_pending(names))


def files_erase_pending(names: Iterable[str] | None = None) -> int:
    """Delete the recorded files (``names``, or every one left by an earlier run); returns how many."""
    pending = FileErasure.objects.all() if names is None else FileErasure.objects.filter(name__in=list(names))
    deleted = 0
    for erasure in pending:
        try:
            default_storage.delete(erasure.name)
        except OSError:
            logger.warning("Could not delete an erased file; the next run tries again", exc_info=True)
            continue
        erasure.delete()
        deleted += 1
    return deleted


def retention_apply_scheduled() -> None:
    """The daily job of the scheduler (``operations.scheduler``).

    It waits for the DPO's first run (from the page or the command, after a dry run): rules
    entered in a new installation erase nothing until someone has seen what they would erase.
    """
    if not RetentionRun.objects.exclude(trigger=RetentionRun.Trigger.SCHEDULE).exists():
        logger.info("Retention: waiting for the first run by the data-protection officer")
        return
    result = retention_apply(trigger=RetentionRun.Trigger.SCHEDULE)
    logger.info(
        "Retention: %d cases anonymised, %d purposes erased, %d held",
        result.run.cases_anonymised, result.run.purposes_erased, result.run.cases_held,
    )


def _check_outcomes() -> None:
    """Every way a case can end has an outcome the retention rules name."""
    terminal = {state.name for state in STATES if state.terminal}
    if terminal != set(OUTCOME_BY_STAGE):
        raise ImproperlyConfigured(
            f"Retention outcomes: terminal stages without one {sorted(terminal - set(OUTCOME_BY_STAGE))}, "
            f"unknown stages {sorted(set(OUTCOME_BY_STAGE) - terminal)}"
        )


_check_outcomes()
