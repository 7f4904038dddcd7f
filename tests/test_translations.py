"""The French, Dutch and Arabic catalogues: complete, current, and loaded at run time.

* Every entry of ``locale/<lang>/LC_MESSAGES/django.po`` has a translation (every
  plural form too) and none is marked fuzzy.
* The catalogues hold the labels the itinerary declares (stages, phases, moves,
  checklist items, document titles): a label added in code without running
  ``makemessages`` fails here.
* The compiled catalogues are the ones Django uses: the labels come out translated.
* viewflow ships no Dutch or Arabic catalogue for its shell: ours, under
  ``locale/vendor/viewflow/<lang>``, are complete too, hold every message of viewflow's
  own French catalogue (an upgrade of viewflow adding messages to it fails here), keep their
  placeholders, and are the ones Django uses for the shell.

The ``.po`` files are parsed with a small reader below (no third-party parser).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import viewflow
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real

from documents.specs import DOCUMENT_SPECS
from permits.routes import DIPLOMA_LEVELS, PROFESSIONS, REGIONS, ROUTES, SALARY_BASES
from workflow.checklists import CHECKLISTS, RESPONSIBLE_ROLES
from workflow.itinerary import STATES, TRANSITIONS, Phase

LANGUAGES = ("fr", "nl", "ar")
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
EXPECTED_PLURALS = {"fr": 2, "nl": 2, "ar": 6}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")

VENDOR_LANGUAGES = ("nl", "ar")
VENDOR_DIR = LOCALE_DIR / "vendor" / "viewflow"
VIEWFLOW_FR = Path(viewflow.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# Every catalogue we maintain: (the LOCALE_PATHS entry it lives under, language).
CATALOGUE_DIRS = [
    *((LOCALE_DIR, lang) for lang in LANGUAGES),
    *((VENDOR_DIR, lang) for lang in VENDOR_LANGUAGES),
]
CATALOGUES = [
    pytest.param(base, lang, id=lang if base == LOCALE_DIR else f"vendor-viewflow-{lang}")
    for base, lang in CATALOGUE_DIRS
]


# --- A minimal .po reader ---------------------------------------------------------------


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: str | None = None
    msgstr_plural: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included (its msgid is ""); obsolete ones skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def flush() -> None:
        nonlocal current, target
        if current is not None and current.msgid is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue  # obsolete entry, ignored by msgfmt
        if line.startswith("#"):
            # A comment after a complete entry starts the next one.
            if current is not None and (current.msgstr is not None or current.msgstr_plural):
                flush()
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, value = match.groups()
            if (
                keyword in ("msgctxt", "msgid")
                and current is not None
                and (current.msgstr is not None or current.msgstr_plural)
            ):
                flush()
            if current is None:
                current = Entry(line=number)
            text = _unquote(value)
            if index is not None:
                current.msgstr_plural[int(index)] = text
                target = ("msgstr_plural", int(index))
            else:
                setattr(current, keyword, text)
                target = (keyword, None)
            continue
        if line.startswith('"') and current is not None and target is not None:
            name, index = target
            if name == "msgstr_plural":
                current.msgstr_plural[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
            continue
        raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    flush()
    return entries


def po_path(lang: str, base: Path = LOCALE_DIR) -> Path:
    return base / lang / "LC_MESSAGES" / "django.po"


def catalogue(lang: str, base: Path = LOCALE_DIR) -> list[Entry]:
    path = po_path(lang, base)
    assert path.exists(), f"{path} is missing: run makemessages -l {lang}"
    return parse_po(path)


def header_field(entries: list[Entry], name: str) -> str | None:
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    assert header is not None, "the catalogue has no header entry"
    for line in (header.msgstr or "").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return None


# --- (a) complete: no empty translation, no fuzzy entry -------------------------------------


@pytest.mark.parametrize(("base", "lang"), CATALOGUES)
def test_catalogue_is_complete_and_not_fuzzy(base, lang):
    entries = catalogue(lang, base)
    assert len(entries) > 1, f"{lang}: the catalogue has no messages"
    nplurals = EXPECTED_PLURALS[lang]
    plural_forms = header_field(entries, "Plural-Forms") or ""
    assert f"nplurals={nplurals};" in plural_forms.replace(" ", ""), plural_forms
    assert header_field(entries, "Language") == lang

    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.label}")
        if entry.msgid == "":
            continue  # the header
        if entry.msgid_plural is not None:
            forms = entry.msgstr_plural
            if sorted(forms) != list(range(nplurals)):
                problems.append(f"plural forms {sorted(forms)} (want {nplurals}): {entry.label}")
            problems += [f"empty msgstr[{i}]: {entry.label}" for i, text in forms.items() if not text]
        elif not entry.msgstr:
            problems.append(f"empty msgstr: {entry.label}")
    assert not problems, f"{po_path(lang, base)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_placeholders_and_markup(lang):
    """Same %(name)s placeholders and the same HTML tags as the English text."""
    tag = re.compile(r"</?\w+[^>]*>")
    problems = []
    for entry in catalogue(lang):
        if not entry.msgid:
            continue
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr or ""]
        for text in translations:
            if not text:
                continue
            if sorted(set(PLACEHOLDER.findall(text))) != sorted(set(PLACEHOLDER.findall(entry.msgid))):
                problems.append(f"placeholders differ: {entry.label} -> {text!r}")
            if sorted(tag.findall(text)) != sorted(tag.findall(entry.msgid)):
                problems.append(f"markup differs: {entry.label} -> {text!r}")
    assert not problems, "\n".join(problems)


# --- (b) current: the declared labels are in every catalogue ----------------------------------


def declared_labels() -> dict[str, str]:
    """English text of every label the itinerary and the documents declare -> where."""
    labels: dict[str, str] = {}
    with translation.override("en"):
        for state in STATES:
            labels.setdefault(str(state.label), f"state {state.name}")
        for phase in Phase:
            labels.setdefault(str(phase.label), f"phase {phase.value}")
        for transition in TRANSITIONS:
            labels.setdefault(str(transition.label), f"transition {transition.name}")
            for spec in transition.fields:
                labels.setdefault(str(spec.label), f"field {spec.name} of {transition.name}")
        for stage, items in CHECKLISTS.items():
            for item in items:
                labels.setdefault(str(item.label), f"checklist item {stage}.{item.code}")
        for role, label in RESPONSIBLE_ROLES.items():
            labels.setdefault(str(label), f"role {role}")
        for kind, spec in DOCUMENT_SPECS.items():
            labels.setdefault(str(spec.title), f"document {kind}")
        for route in ROUTES:
            labels.setdefault(str(route.label), f"route {route.code}")
        for vocabulary in (REGIONS, SALARY_BASES, DIPLOMA_LEVELS, PROFESSIONS):
            for code, label in vocabulary:
                labels.setdefault(str(label), f"permit vocabulary {code}")
    return labels


def test_declared_labels_are_lazy_translations():
    """A plain str label would never be translated: it must be a gettext_lazy promise."""
    plain = [state.name for state in STATES if isinstance(state.label, str)]
    plain += [t.name for t in TRANSITIONS if isinstance(t.label, str)]
    plain += [
        f"{stage}.{item.code}"
        for stage, items in CHECKLISTS.items()
        for item in items
        if isinstance(item.label, str)
    ]
    assert not plain, f"labels not marked for translation: {plain}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_holds_every_declared_label(lang):
    msgids = {entry.msgid for entry in catalogue(lang) if entry.msgid}
    missing = [f"{where}: {text!r}" for text, where in declared_labels().items() if text not in msgids]
    assert not missing, f"{po_path(lang)} is out of date; run makemessages and translate:\n" + "\n".join(
        missing
    )


# --- (c) loaded: Django serves the translations -----------------------------------------------


def _stale(lang: str, base: Path = LOCALE_DIR) -> bool:
    po = po_path(lang, base)
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


@pytest.fixture(scope="module")
def compiled_catalogues():
    """Compile the catalogues (ours and the vendor ones) when a .mo is missing or older than its .po."""
    if any(_stale(lang, base) for base, lang in CATALOGUE_DIRS):
        # compilemessages covers every LOCALE_PATHS entry, locale/vendor/viewflow included.
        call_command("compilemessages", locale=sorted({lang for _, lang in CATALOGUE_DIRS}), verbosity=0)
        # Catalogues read before the compilation are cached per language: drop them.
        trans_real._translations = {}
        trans_real._default = None
    assert not [po_path(lang, base) for base, lang in CATALOGUE_DIRS if _stale(lang, base)]


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_first_stage_label_is_translated(compiled_catalogues, lang):
    with translation.override("en"):
        english = str(STATES[0].label)
    with translation.override(lang):
        translated = str(STATES[0].label)
    assert translated and translated != english, f"{lang}: {translated!r}"
    if lang == "ar":
        assert has_arabic(translated), translated


@pytest.mark.parametrize("lang", LANGUAGES)
def test_declared_labels_come_out_as_in_the_catalogue(compiled_catalogues, lang):
    """Each declared label, rendered under ``lang``, is the catalogue's translation."""
    expected = {e.msgid: e.msgstr for e in catalogue(lang) if e.msgid and e.msgid_plural is None}
    labels = declared_labels()
    wrong = []
    with translation.override(lang):
        for text, where in labels.items():
            got = translation.gettext(text)
            if got != expected.get(text):
                wrong.append(f"{where}: {text!r} -> {got!r}, catalogue says {expected.get(text)!r}")
            if lang == "ar" and not has_arabic(got):
                wrong.append(f"{where}: no Arabic script in {got!r}")
    assert not wrong, "\n".join(wrong)


# --- (d) viewflow's shell: our Dutch and Arabic catalogues for it --------------------------------


def message_key(entry: Entry) -> tuple[str | None, str, str | None]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


@pytest.mark.parametrize("lang", VENDOR_LANGUAGES)
def test_vendor_catalogue_holds_every_viewflow_message(lang):
    """Every message of viewflow's own French catalogue (context and plural included) is in ours."""
    assert VIEWFLOW_FR.exists(), f"viewflow's French catalogue moved: {VIEWFLOW_FR}"
    ours = {message_key(entry) for entry in catalogue(lang, VENDOR_DIR) if entry.msgid}
    theirs = [entry for entry in parse_po(VIEWFLOW_FR) if entry.msgid]
    assert len(theirs) > 100, f"{VIEWFLOW_FR} looks truncated: {len(theirs)} messages"
    missing = [
        (f"[{entry.msgctxt}] " if entry.msgctxt else "") + repr(entry.msgid)
        for entry in theirs
        if message_key(entry) not in ours
    ]
    assert not missing, (
        f"{po_path(lang, VENDOR_DIR)} lacks messages of viewflow's catalogue ({len(missing)}); "
        "add and translate them:\n" + "\n".join(missing)
    )


VENDOR_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^{}\s]*\}")


def placeholders(text: str) -> set[str]:
    return set(VENDOR_PLACEHOLDER.findall(text))


@pytest.mark.parametrize("lang", VENDOR_LANGUAGES)
def test_vendor_translations_keep_placeholders(lang):
    """%(name)s, %s and {name} as in the English; a plural form may leave the count out.

    msgfmt checks every plural form against msgid_plural, so the forms use only its
    placeholders; the last (most general) form uses all of them.
    """
    problems = []
    for entry in catalogue(lang, VENDOR_DIR):
        if not entry.msgid:
            continue
        if entry.msgid_plural is None:
            if placeholders(entry.msgstr or "") != placeholders(entry.msgid):
                problems.append(f"{entry.label} -> {entry.msgstr!r}")
            continue
        wanted = placeholders(entry.msgid_plural)
        forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
        problems += [f"{entry.label} -> {form!r}" for form in forms if not placeholders(form) <= wanted]
        if forms and placeholders(forms[-1]) != wanted:
            problems.append(f"{entry.label}: last form {forms[-1]!r} lacks some of {sorted(wanted)}")
    assert not problems, f"{po_path(lang, VENDOR_DIR)}: placeholders differ:\n" + "\n".join(problems)


@pytest.mark.parametrize("text", ["Log out", "Applications"])
@pytest.mark.parametrize("lang", VENDOR_LANGUAGES)
def test_viewflow_shell_comes_out_translated(compiled_catalogues, lang, text):
    """The shell's labels (base_page.html, site_menu.html) are translated at run time.

    Django's admin catalogue translates "Log out" too: the text must be the one of our
    vendor catalogue, or of the project's catalogue, which comes first in LOCALE_PATHS.
    """
    ours = {e.msgid: e.msgstr for e in catalogue(lang) if e.msgctxt is None and e.msgid_plural is None}
    vendor = {
        e.msgid: e.msgstr for e in catalogue(lang, VENDOR_DIR) if e.msgctxt is None and e.msgid_plural is None
    }
    expected = ours.get(text) or vendor[text]
    with translation.override(lang):
        translated = translation.gettext(text)
    assert translated != text, f"{lang}: {text!r} is not translated"
    assert translated == expected, f"{lang}: {text!r} -> {translated!r}, the catalogues say {expected!r}"
    if lang == "ar":
        assert has_arabic(translated), translated
    else:
        assert not has_arabic(translated), translated
