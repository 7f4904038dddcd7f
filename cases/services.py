"""Writes to cases other than moving them (that is ``workflow.services``)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from workflow.guards import minimum_age_problem
from workflow.itinerary import MENTOR_PHASES, Phase
from workflow.services import case_open_due_refresh, checklist_autotick, stage_enter

from . import events
from .access import access_for, opens_cases
from .evidence import evidence_inspect
from .identity_numbers import cipher, under_current_key
from .legal_bases import legal_bases_declare
from .models import (
    Case,
    CaseEvent,
    CaseRead,
    ChecklistItem,
    EmergencyAccess,
    FollowUp,
    Notification,
    Organisation,
    Participant,
    Programme,
    User,
)
from .notifications import high_concern_notifications, notification_text
from .rules import can_view_case, can_work_on_case
from .search import case_search_text, participant_search_refresh

# What may stand between the letters of a name: "Ben-Ali", "O'Neill", "El Ghazi".
NAME_SEPARATORS = frozenset(" -'’")


def participant_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a person's name, or None.

    Letters of any script pass (Latin, Arabic), with their accents and vowel marks, which
    may come as separate combining characters; digits, symbols and markup do not.
    """
    stray = "".join(dict.fromkeys(
        char for char in name
        if not (char.isalpha() or unicodedata.category(char).startswith("M") or char in NAME_SEPARATORS)
    ))
    if stray:
        return _("A name has only letters, spaces, hyphens and apostrophes: remove “%(characters)s”.") % {
            "characters": stray
        }
    if name and not any(char.isalpha() for char in name):
        return _("A name needs at least one letter.")
    return None


def participant_validate(
    *,
    date_of_birth: dt.date | None = None,
    given_names: str | None = None,
    family_name: str | None = None,
    programme: Programme | None = None,
) -> None:
    """Refuse implausible details of a person, every problem on its field.

    Checks what is given; with ``programme`` (the one the person is to join), its minimum
    age too, by the same rule as the screening guard.
    """
    problems: dict[str, str] = {}
    today = timezone.localdate()
    if date_of_birth is not None:
        if date_of_birth > today:
            problems["date_of_birth"] = _("The date of birth is in the future.")
        elif date_of_birth.year < today.year - 120:
            problems["date_of_birth"] = _("The date of birth is too far in the past.")
        elif programme is not None:
            person = Participant(date_of_birth=date_of_birth)
            if too_young := minimum_age_problem(programme=programme, participant=person):
                problems["date_of_birth"] = too_young
    for field, name in (("given_names", given_names), ("family_name", family_name)):
        if name is not None and (problem := participant_name_problem(name)):
            problems[field] = problem
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def case_create(
    *,
    actor: User,
    programme: Programme,
    participant: dict[str, Any],
    owner_organisation: Organisation | None = None,
    cohort: str = "",
    confirm_outside_origin: bool = False,
) -> Case:
    """Open a case for a new participant, at the itinerary's first stage.

    A participant whose nationality is not among the programme's origin countries is
    refused until the caseworker confirms; the confirmation is on the opening event.
    """
    if not opens_cases(actor):
        raise PermissionDenied(_("Only caseworkers and coordinators open cases."))
    if actor.role == User.Role.COORDINATOR and programme.operator_id != actor.organisation_id:
        raise PermissionDenied(_("Coordinators open cases in the programmes their organisation runs."))
    owner = owner_organisation or actor.organisation
    if owner is None:
        raise ValidationError(_("The case needs an owning organisation."))
    if not actor.is_coordinator and owner.pk != actor.organisation_id:
        raise PermissionDenied(_("Caseworkers open cases for their own organisation only."))
    participant_validate(
        date_of_birth=participant["date_of_birth"], given_names=participant.get("given_names", ""),
        family_name=participant.get("family_name", ""), programme=programme,
    )
    if cohort and programme.cohorts and cohort not in programme.cohorts:
        raise ValidationError({"cohort": _("Choose one of the programme's cohorts: %(cohorts)s.") % {
            "cohorts": ", ".join(programme.cohorts)
        }})
    nationality = str(participant.get("nationality", ""))
    outside_origin = bool(programme.origin_countries) and nationality not in programme.origin_countries
    if outside_origin and not confirm_outside_origin:
        raise ValidationError({"confirm_outside_origin": _(
            "%(programme)s recruits in %(countries)s; the participant's nationality is %(nationality)s. "
            "Confirm to open the case anyway."
        ) % {"programme": programme.name, "countries": ", ".join(programme.origin_countries),
             "nationality": nationality}})

    person = Participant.objects.create(**participant)
    case = Case.objects.create(
        programme=programme,
        participant=person,
        owner_organisation=owner,
        caseworker=actor if actor.role == User.Role.CASEWORKER else None,
        cohort=cohort,
        reference=f"tmp-{timezone.now().timestamp()}",
    )
    # The reference carries the database id, so it is unique without a counter to lock.
    case.reference = f"{programme.code.upper()}-{case.opened_at:%Y}-{case.pk:05d}"
    case.search_text = case_search_text(case)
    event = events.case_opened(
        case=case, actor=actor, outside_origin_nationality=nationality if outside_origin else ""
    )
    stage_enter(case=case, event=event, actor=actor)
    legal_bases_declare(case=case)
    return case


def checklist_item_may_tick(*, user: User, item: ChecklistItem) -> bool:
    if can_work_on_case(user, item.case):
        return True
    # Partners (mentors, employers, partner organisations) tick what falls to them.
    row = access_for(user)
    return row is not None and item.responsible in row.ticks and can_view_case(user, item.case)


@transaction.atomic
def checklist_item_set_done(
    *, item: ChecklistItem, actor: User, done: bool, note: str | None = None
) -> ChecklistItem:
    """Tick or untick one item; both are events on the case's timeline."""
    item = ChecklistItem.objects.select_for_update().select_related("case").get(pk=item.pk)
    if not checklist_item_may_tick(user=actor, item=item):
        raise PermissionDenied(_("You may not change this checklist."))
    changed = item.done != done
    item.done = done
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    if note is not None:
        item.note = note
    item.save()
    if changed:
        events.checklist_item_changed(item=item, actor=actor, done=done)
        if item.entry_event_id == item.case.current_entry_id:
            case_open_due_refresh(case=item.case)
    return item


def case_note_add(*, case: Case, actor: User, text: str) -> CaseEvent:
    # Notes are the staff's record: partners (mentors, employers) do not write in it.
    if not (can_work_on_case(actor, case) or (actor.is_coordinator and can_view_case(actor, case))):
        raise PermissionDenied(_("You may not add notes to this case."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("A note cannot be empty.")})
    return events.note_added(case=case, actor=actor, text=text)


def case_reads_log(*, case_ids: list[int], user: User, kind: str) -> None:
    """Many files read at once (every case of a CSV export), in one statement."""
    now = timezone.now()
    CaseRead.objects.bulk_create([CaseRead(case_id=pk, user=user, kind=kind, at=now) for pk in case_ids])


def case_read_log(*, case: Case, user: User, kind: str, document=None) -> CaseRead:
    """Record that ``user`` read ``case``'s file (page, API detail, a document)."""
    return CaseRead.objects.create(case=case, user=user, kind=kind, document=document)


# --- Assignments ------------------------------------------------------------------------------

def mentor_assignable(case: Case) -> bool:
    """A mentor follows employment and the return, in programmes that run mentoring."""
    return case.phase in MENTOR_PHASES and case.programme.runs(Phase.MENTORING)


@transaction.atomic
def case_assign(*, case: Case, actor: User, role: str, user: User | None) -> Case:
    """Assign (or unassign, with ``user=None``) the case's caseworker or mentor; an event."""
    if not (can_work_on_case(actor, case) or actor.is_coordinator):
        raise PermissionDenied(_("You may not assign people to this case."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if role == "caseworker":
        if user and (user.role != User.Role.CASEWORKER or user.organisation_id != case.owner_organisation_id):
            raise ValidationError(
                {"user": _("Choose a caseworker of the organisation that owns the case.")}
            )
    elif role == "mentor":
        if user and user.role != User.Role.MENTOR:
            raise ValidationError({"user": _("Choose a user whose role is mentor.")})
        if user and not case.programme.runs(Phase.MENTORING):
            raise ValidationError({"user": _("This programme has no mentoring.")})
        if user and case.phase not in MENTOR_PHASES:
            raise ValidationError({"user": _("A mentor is assigned from the start of employment on.")})
    else:
        raise ValidationError({"role": _("Assign a caseworker or a mentor.")})
    previous = getattr(case, role)
    if previous == user:
        return case
    setattr(case, role, user)
    case.save(update_fields=[role])
    events.person_assigned(case=case, actor=actor, role=role, previous=previous, user=user)
    checklist_autotick(case=case, actor=actor)  # "Mentor assigned" is done now
    return case


# A bulk action touches at most this many cases: a mistake stays one a person can undo by hand.
BULK_CAP = 100


def bulk_over_cap(case_ids: list[int]) -> str:
    """Why a selection is too large for a bulk action, or nothing."""
    count = len(set(case_ids))
    if count <= BULK_CAP:
        return ""
    return _("At most %(cap)s cases at once: %(count)s were chosen.") % {"cap": BULK_CAP, "count": count}


@transaction.atomic
def cases_assign_bulk(*, actor: User, case_ids: list[int], user: User | None) -> list[Case]:
    """Make ``user`` the caseworker of every chosen case, or of none: one case refused
    (not visible, or ``user`` not of its organisation) refuses the batch, naming each."""
    from .selectors import cases_visible_to

    chosen = sorted(set(case_ids))
    if not chosen:
        raise ValidationError({"cases": _("Choose at least one case.")})
    if problem := bulk_over_cap(chosen):
        raise ValidationError({"cases": problem})
    cases = list(cases_visible_to(actor).filter(pk__in=chosen).order_by("reference"))
    if len(cases) != len(chosen):
        raise ValidationError({"cases": _("Some of the chosen cases are not open to you.")})
    problems = []
    for case in cases:
        try:
            case_assign(case=case, actor=actor, role="caseworker", user=user)
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            problems += [f"{case.reference}: {message}" for message in messages]
    if problems:
        raise ValidationError({"cases": problems})  # and the transaction undoes the others
    return cases


# --- Mentor follow-ups ------------------------------------------------------------------------

def follow_up_validate(*, case: Case, data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    plan = getattr(case, "mentoring_plan", None)
    day = data.get("date")
    if plan is None:
        errors["date"] = _("Mentoring has not started for this case.")
    elif day and day > timezone.localdate():
        errors["date"] = _("A follow-up cannot be dated in the future.")
    elif day and day < plan.started_on:
        errors["date"] = _("This date is before mentoring started (%(date)s).") % {
            "date": date_format(plan.started_on)
        }
    if data.get("concern_severity") and not (data.get("concern") or "").strip():
        errors["concern"] = _("Describe the concern.")
    return errors


@transaction.atomic
def follow_up_log(*, case: Case, mentor: User, data: dict[str, Any]) -> FollowUp:
    """The assigned mentor logs a follow-up; a high concern reaches the caseworker."""
    if case.mentor_id != mentor.pk:
        raise PermissionDenied(_("Only the participant's mentor logs follow-ups."))
    if errors := follow_up_validate(case=case, data=data):
        raise ValidationError(errors)
    follow_up = FollowUp.objects.create(
        case=case, mentor=mentor, date=data["date"], channel=data["channel"],
        topics=sorted(set(data["topics"])), notes=data.get("notes", ""),
        concern_severity=data.get("concern_severity", ""), concern=data.get("concern", ""),
    )
    events.follow_up_logged(follow_up=follow_up, mentor=mentor)
    if plan := getattr(case, "mentoring_plan", None):
        plan.save()  # the next follow-up is due from this one (``MentoringPlan.save``)
    checklist_autotick(case=case, actor=mentor)  # "First follow-up meeting held"
    if follow_up.concern_severity == FollowUp.Severity.HIGH:
        concern_notify(follow_up=follow_up)
    return follow_up


def concern_notify(*, follow_up: FollowUp) -> list[Notification]:
    """Tell the caseworker of a high concern, in the app and by e-mail; only ever once."""
    claimed = FollowUp.objects.filter(pk=follow_up.pk, caseworker_notified_at__isnull=True).update(
        caseworker_notified_at=timezone.now()
    )
    if not claimed:
        return []
    case = follow_up.case
    recipients = [case.caseworker] if case.caseworker else list(
        User.objects.filter(
            role=User.Role.CASEWORKER, organisation_id=case.owner_organisation_id, is_active=True
        )
    )
    notifications = Notification.objects.bulk_create(
        high_concern_notifications(case=case, recipients=recipients, concern=follow_up.concern)
    )
    for notification in notifications:
        user = notification.user
        if not user.email:
            continue
        with translation.override(user.language):
            subject = _("Itinera: high concern for %(reference)s") % {"reference": case.reference}
            body = notification_text(notification)
        # Sent once the follow-up is safely stored, never for a rolled-back one.
        transaction.on_commit(
            lambda subject=subject, body=body, to=user.email: send_mail(
                subject, body, None, [to], fail_silently=True
            )
        )
    return notifications


def daily_digest_choose(*, user: User, wanted: bool) -> User:
    """Whether the user gets the morning e-mail of what is due or late for them."""
    if user.daily_digest != wanted:
        user.daily_digest = wanted
        user.save(update_fields=["daily_digest"])
    return user


# --- Importing staff ----------------------------------------------------------------------------

USER_IMPORT_COLUMNS = ("username", "first_name", "last_name", "email", "role", "organisation")
USER_IMPORT_REQUIRED = ("username", "role", "organisation")


@transaction.atomic
def users_import(*, rows: list[dict[str, str]]) -> list[User]:
    """Create or update staff accounts from rows; every row is checked before any is saved.

    New accounts get no usable password: people set theirs through a reset link.
    """
    organisations = {o.name.casefold(): o for o in Organisation.objects.all()}
    roles = set(User.Role.values)
    errors: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        missing = [column for column in USER_IMPORT_REQUIRED if not (row.get(column) or "").strip()]
        if missing:
            errors.append(_("Row %(n)d: missing %(columns)s.") % {"n": number, "columns": ", ".join(missing)})
            continue
        username = row["username"].strip()
        if username in seen:
            errors.append(_("Row %(n)d: username %(u)s appears twice.") % {"n": number, "u": username})
        seen.add(username)
        if row["role"].strip() not in roles:
            errors.append(
                _("Row %(n)d: unknown role “%(role)s” (known: %(roles)s).")
                % {"n": number, "role": row["role"], "roles": ", ".join(sorted(roles))}
            )
        if row["organisation"].strip().casefold() not in organisations:
            errors.append(
                _("Row %(n)d: unknown organisation “%(org)s”.") % {"n": number, "org": row["organisation"]}
            )
    if errors:
        raise ValidationError(errors)
    users = []
    for row in rows:
        user, created = User.objects.update_or_create(
            username=row["username"].strip(),
            defaults={
                "first_name": (row.get("first_name") or "").strip(),
                "last_name": (row.get("last_name") or "").strip(),
                "email": (row.get("email") or "").strip(),
                "role": row["role"].strip(),
                "organisation": organisations[row["organisation"].strip().casefold()],
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    return users


# --- Participants and evidence -----------------------------------------------------------------

def participant_duplicates(*, given_names: str, family_name: str, date_of_birth, exclude_pk=None):
    """People already on record with the same name and date of birth."""
    people = Participant.objects.filter(
        given_names__iexact=given_names.strip(), family_name__iexact=family_name.strip(),
        date_of_birth=date_of_birth,
    )
    return people.exclude(pk=exclude_pk) if exclude_pk else people


@transaction.atomic
def participant_update(*, participant: Participant, actor: User, data: dict[str, Any]) -> Participant:
    """Correct a participant's details; the field history records who changed what."""
    cases = participant.cases.all()
    if not any(can_work_on_case(actor, case) for case in cases) and not actor.is_coordinator:
        raise PermissionDenied(_("You may not edit this participant."))
    if participant.anonymised_at:
        raise ValidationError(_("This participant was anonymised under the retention rules."))
    participant_validate(**{
        field: data[field] for field in ("date_of_birth", "given_names", "family_name") if field in data
    })
    for field, value in data.items():
        setattr(participant, field, value)
    # Who made the correction, whichever way it came (the history otherwise knows only web requests).
    participant._history_user = actor
    participant.save()
    participant_search_refresh(participant)
    return participant


@transaction.atomic
def checklist_item_attach_evidence(
    *, item: ChecklistItem, actor: User, upload, mark_done: bool = False
) -> ChecklistItem:
    """Attach a scan or file as proof: a plain PDF, or a JPEG or PNG re-encoded without
    its metadata, at most 5 MB (``cases.evidence``). A replaced file is deleted once the
    new one is stored, and the replacement is an event. With ``mark_done`` (what the upload
    form offers) the item is ticked too.

    Raises ``EvidenceRefused`` (with its HTTP status) for a file that may not be stored.
    """
    item = ChecklistItem.objects.select_for_update().select_related("case").get(pk=item.pk)
    if not checklist_item_may_tick(user=actor, item=item):
        raise PermissionDenied(_("You may not change this checklist."))
    if not item.accepts_evidence:
        raise ValidationError({"evidence": _("This item takes no evidence.")})
    clean = evidence_inspect(upload)
    replaced = item.evidence.name if item.evidence else ""
    item.evidence.save(f"{item.code}{clean.extension}", ContentFile(clean.content), save=True)
    events.evidence_attached(item=item, actor=actor, replaced=bool(replaced))
    if replaced and replaced != item.evidence.name:
        storage = item.evidence.storage
        # Only once the new file's row is committed: a rollback keeps the old one.
        transaction.on_commit(lambda: storage.delete(replaced))
    if mark_done and not item.done:
        return checklist_item_set_done(item=item, actor=actor, done=True)
    return item


def identity_numbers_rotate() -> int:
    """Re-encrypt every stored passport number under the first key of ``ITINERA_FIELD_KEYS``
    (after a new key was put in front); returns how many were rewritten."""
    rotated = 0
    people = Participant.objects.exclude(passport_number_encrypted="").only("pk", "passport_number_encrypted")
    for person in people.iterator(chunk_size=500):
        if under_current_key(person.passport_number_encrypted):
            continue
        token = cipher().rotate(person.passport_number_encrypted.encode()).decode()
        Participant.objects.filter(pk=person.pk).update(passport_number_encrypted=token)
        rotated += 1
    return rotated


# How long a break-the-glass opening lasts; a longer need opens it again, with its reason.
EMERGENCY_ACCESS_HOURS = 8
EMERGENCY_REASON_MIN = 15


@transaction.atomic
def emergency_access_grant(*, actor: User, reference: str, reason: str) -> Case:
    """A coordinator opens a case outside their programmes: with a reason, for a few hours, logged
    on the case and shown to the data-protection officer. Returns the case."""
    if actor.role != User.Role.COORDINATOR:
        raise PermissionDenied(_("Only coordinators open a case outside their programmes this way."))
    case = Case.objects.select_related("programme").filter(reference__iexact=reference.strip()).first()
    errors: dict[str, list[str]] = {}
    if case is None:
        errors["reference"] = [_("No case has this reference.")]
    elif case.programme.operator_id == actor.organisation_id:
        errors["reference"] = [_("This case is in your programmes: open it from the case list.")]
    if len(reason.strip()) < EMERGENCY_REASON_MIN:
        errors["reason"] = [
            _("Say why you need this case, in at least %(count)d characters: the DPO reads it.")
            % {"count": EMERGENCY_REASON_MIN}
        ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    EmergencyAccess.objects.create(
        user=actor, case=case, reason=reason.strip(), granted_at=now,
        expires_at=now + dt.timedelta(hours=EMERGENCY_ACCESS_HOURS),
    )
    events.emergency_access_opened(
        case=case, actor=actor, reason=reason.strip(), hours=EMERGENCY_ACCESS_HOURS, at=now
    )
    return case
