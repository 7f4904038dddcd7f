#!/usr/bin/env python3
"""Document rendering benchmark.

Run from the repository root:

    python3 bench/documents.py             # full run (15 renders per kind)
    python3 bench/documents.py --quick     # 5 renders per kind, fewer transitions
    python3 bench/documents.py --postgres  # also the worker throughput on PostgreSQL

Measures
  (a) per document kind, the full ``document_render`` path against a bare WeasyPrint
      render of the same HTML with the same font configuration (target: ratio <= 1.15);
  (b) worker throughput: 200 queued documents drained by ``db_worker --batch`` with
      one process, then with two in parallel (target: speed-up >= 1.7x on 2 cores);
  (c) the time of a transition producing 1 document against one producing 3, with
      no worker running (rendering must not be part of the request).

Everything happens in a throwaway SQLite file and media directory in a temporary
directory (``var/`` is never touched); the results are printed and written to
``bench/out/documents.json``. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT_FILE = REPO / "bench" / "out" / "documents.json"

DOCUMENTS_QUEUED = 200
TRANSITION_RUNS = 20
WORKER_TIMEOUT = 1800  # seconds; a round that takes longer than this is a failure

TARGET_RENDER_RATIO = 1.15
TARGET_SPEEDUP = 1.7


# --- Environment and set-up ------------------------------------------------------------------

def configure_environment(database_url: str, work_dir: Path) -> None:
    """Point Django at the bench's own database and media (before ``django.setup()``).

    The same variables reach the worker processes, which inherit this environment.
    """
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["ITINERA_MEDIA_ROOT"] = str(work_dir / "media")
    os.environ["ITINERA_VAR_DIR"] = str(work_dir / "var")
    # As deployed: DEBUG off (no query log kept in memory), quiet logs.
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("ITINERA_LOG_LEVEL", "WARNING")
    # The demo's transitions send e-mails: keep them in memory, off the bench's output.
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    for name in [name for name in os.environ if name.startswith("ITINERA_S3_")]:
        del os.environ[name]  # files go to the bench's media directory, never to a bucket


def django_start() -> None:
    # Run as a script, this file's folder comes first on the path, and this module's
    # name would hide the project's ``documents`` app: put the repository there instead.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def database_prepare() -> dict[str, Any]:
    """Migrate, then load the demo programme (40 cases walked through the transition service)."""
    from django.core.management import call_command

    from cases.models import Case, User

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command("load_demo", stdout=io.StringIO())
    return {
        "demo_cases": Case.objects.count(),
        "load_demo_s": round(time.perf_counter() - started, 2),
        "caseworker": User.objects.get(username="caseworker"),
    }


def queue_clear() -> None:
    """Drop every queued task, so that a worker round runs exactly the tasks we enqueue next.

    The demo and the render measurements leave tasks behind (their documents are
    rendered in-process or irrelevant); only the bench's database is touched.
    """
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()


# --- (a) Full render path against bare WeasyPrint ------------------------------------------------

def bare_render(html: str, *, pdfa: bool) -> bytes:
    """WeasyPrint alone, with the worker's cached font configuration and the same options."""
    from django.conf import settings
    from weasyprint import HTML

    from documents.rendering import font_configuration

    options: dict[str, Any] = {"font_config": font_configuration()}
    if pdfa:
        options["pdf_variant"] = "pdf/a-3b"
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(**options)


def transition_document(kind: str):
    """The first pending version 1 of ``kind``: a document a demo transition asked for."""
    from documents.models import Document

    document = (
        Document.objects.filter(kind=kind, version=1, status=Document.Status.PENDING)
        .select_related("case", "requested_by")
        .order_by("id")
        .first()
    )
    if document is None:
        raise SystemExit(f"The demo produced no pending '{kind}' document; cannot measure it.")
    return document


def timed(work) -> tuple[float, float, Any]:
    """Wall-clock seconds, CPU seconds of this process, and what ``work()`` returned."""
    started, started_cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - started, time.process_time() - started_cpu, result


def measure_kind(kind: str, runs: int, fallback_actor) -> dict[str, Any]:
    from documents.models import Document
    from documents.rendering import document_html
    from documents.services import document_render, document_rerender
    from documents.specs import DOCUMENT_SPECS

    pdfa = DOCUMENT_SPECS[kind].pdfa
    source = transition_document(kind)
    actor = source.requested_by or fallback_actor  # same actor, so the same language

    # Warm-up, not measured: the transition's own document, then WeasyPrint alone.
    warm = document_render(document_id=source.pk)
    if warm.status != Document.Status.READY:
        raise SystemExit(f"Rendering '{kind}' failed: {warm.error}")
    bare_render(document_html(warm), pdfa=pdfa)

    pending = [document_rerender(document=source, actor=actor).pk for _ in range(runs)]
    samples: dict[str, list[tuple[float, float, int]]] = {"full": [], "bare": []}
    for index, document_id in enumerate(pending):
        document = Document.objects.select_related("case__participant", "case__programme", "event").get(
            pk=document_id
        )
        html = document_html(document)  # what the full path is about to render
        steps = {
            "full": lambda document_id=document_id: document_render(document_id=document_id),
            "bare": lambda html=html: bare_render(html, pdfa=pdfa),
        }
        # Alternate the order so neither side always runs with the warmer caches.
        for side in ("full", "bare") if index % 2 == 0 else ("bare", "full"):
            wall, cpu, result = timed(steps[side])
            if side == "full" and result.status != Document.Status.READY:
                raise SystemExit(f"Rendering '{kind}' failed: {result.error}")
            samples[side].append((wall, cpu, result.size if side == "full" else len(result)))

    def median(side: str, column: int) -> float:
        return statistics.median(sample[column] for sample in samples[side])

    full_ms, bare_ms = median("full", 0) * 1000, median("bare", 0) * 1000
    return {
        "kind": kind,
        "language": source.language,
        "pdfa": pdfa,
        "case": source.case.reference,
        "runs": runs,
        "full_median_ms": round(full_ms, 1),
        "bare_median_ms": round(bare_ms, 1),
        "ratio": round(full_ms / bare_ms, 3),
        "overhead_median_ms": round(full_ms - bare_ms, 1),
        # Each full render is timed right next to a bare one: the median of the pairs' ratios
        # cancels the machine's drift in speed, which the ratio of the medians does not.
        "ratio_paired": round(statistics.median(
            full[0] / bare[0] for full, bare in zip(samples["full"], samples["bare"], strict=True)
        ), 3),
        # CPU time of this process: what other programs on the machine disturb least.
        "ratio_cpu": round(median("full", 1) / median("bare", 1), 3),
        "full_min_ms": round(min(wall for wall, _, _ in samples["full"]) * 1000, 1),
        "bare_min_ms": round(min(wall for wall, _, _ in samples["bare"]) * 1000, 1),
        "pdf_bytes_full": int(median("full", 2)),
        "pdf_bytes_bare": int(median("bare", 2)),
    }


def measure_render_overhead(runs: int, actor) -> dict[str, Any]:
    from documents.specs import DOCUMENT_SPECS

    cpu_before, started = cpu_seconds(), time.perf_counter()
    kinds = [measure_kind(kind, runs, actor) for kind in DOCUMENT_SPECS]
    others = cpu_share(cpu_before, time.perf_counter() - started)["cpu_others_share"]
    worst = max(kinds, key=lambda row: row["ratio"])
    total_full = sum(row["full_median_ms"] for row in kinds)
    total_bare = sum(row["bare_median_ms"] for row in kinds)
    return {
        "runs_per_kind": runs,
        "target_ratio_max": TARGET_RENDER_RATIO,
        "kinds": kinds,
        "worst_kind": worst["kind"],
        "worst_ratio": worst["ratio"],
        "ratio_of_sums": round(total_full / total_bare, 3),
        "worst_ratio_cpu": max(row["ratio_cpu"] for row in kinds),
        "worst_ratio_paired": max(row["ratio_paired"] for row in kinds),
        "cpu_others_share": others,
        "target_met": worst["ratio"] <= TARGET_RENDER_RATIO,
    }


# --- (b) Worker throughput ---------------------------------------------------------------------

def throughput_series(count: int) -> list:
    """``count`` documents from distinct series (event, kind), in the demo's proportions.

    Evenly spaced over every series the demo produced, so the queue holds the mix a real
    programme makes (mostly stage checklists) rather than 200 copies of one document.
    """
    from documents.models import Document

    series: dict[tuple[int, str], Any] = {}
    for document in Document.objects.select_related("requested_by").order_by("id"):
        series.setdefault((document.event_id, document.kind), document)
    every = list(series.values())
    if len(every) >= count:
        return [every[index * len(every) // count] for index in range(count)]
    # Fewer series than wanted: some series get two new versions in the same round.
    return [every[index % len(every)] for index in range(count)]


def pending_make(series: list, actor) -> list[int]:
    """A new pending version (with its render task) of each document in ``series``."""
    from documents.services import document_rerender

    queue_clear()
    return [document_rerender(document=d, actor=d.requested_by or actor).pk for d in series]


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds used so far by the whole machine, and by this process with its children."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    machine = (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait
    ours = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    return machine, ours


def cpu_share(before: tuple[float, float], wall_s: float) -> dict[str, float]:
    """How busy the bench kept the CPUs, and how much of them other processes took meanwhile."""
    machine, ours = cpu_seconds()
    machine -= before[0]
    ours -= before[1]
    cpus = os.cpu_count() or 1
    return {
        "cpu_ours_s": round(ours, 2),
        "cpus_busy_ours": round(ours / wall_s, 2),
        "cpu_others_share": round(max(machine - ours, 0) / (wall_s * cpus), 3),
    }


def machine_busy(seconds: float = 2.0) -> float:
    """Share of all CPUs that other programs use over ``seconds`` (the bench sleeps meanwhile)."""
    before = cpu_seconds()
    time.sleep(seconds)
    return cpu_share(before, seconds)["cpu_others_share"]


def machine_scaling(seconds: float = 1.0) -> dict[str, Any]:
    """The same pure-Python loop in 1 process, then in 2 at once: what 2 cores give right now.

    A control for the worker speed-up: if another program holds a core, no worker
    configuration can reach 2x, and this shows it.
    """
    loops = int(12_000_000 * seconds)
    command = [sys.executable, "-c", f"s = 0\nfor i in range({loops}): s += i * i % 7"]

    def run(processes: int) -> float:
        started = time.perf_counter()
        for process in [subprocess.Popen(command) for _ in range(processes)]:
            process.wait()
        return time.perf_counter() - started

    one, two = run(1), run(2)
    return {"one_s": round(one, 2), "two_s": round(two, 2), "scaling": round(2 * one / two, 2)}


def schedstat(pid: int) -> tuple[float, float] | None:
    """Seconds a process has run on a CPU, and waited for one (runnable, but every CPU taken),
    summed over its threads; None once it is gone."""
    running = waiting = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            on_cpu, on_queue, _ = (task / "schedstat").read_text().split()
            running += int(on_cpu)
            waiting += int(on_queue)
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None
    return running / 1e9, waiting / 1e9


WEASYPRINT_LOOP = """
import json, sys, time
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
pages, base_url, renders = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
fonts = FontConfiguration()
HTML(string=pages[0], base_url=base_url).write_pdf(font_config=fonts)
started = time.perf_counter()
for index in range(renders):
    HTML(string=pages[index % len(pages)], base_url=base_url).write_pdf(font_config=fonts)
print(time.perf_counter() - started)
"""


def weasyprint_scaling(work_dir: Path, renders: int = 26) -> dict[str, Any]:
    """Bare WeasyPrint, one document of each kind in turn, in 1 process, then in 2 at once.

    A control with the workers' own workload but no Django, database or queue: the
    speed-up this machine gives for rendering itself, start-up left out.
    """
    from django.conf import settings

    from documents.models import Document
    from documents.rendering import document_html
    from documents.specs import DOCUMENT_SPECS

    ready = Document.objects.filter(status=Document.Status.READY).order_by("id")
    documents = [ready.filter(kind=kind).first() for kind in DOCUMENT_SPECS]
    pages = [document_html(document) for document in documents if document]
    pages_file = work_dir / "control-pages.json"
    pages_file.write_text(json.dumps(pages))
    command = [sys.executable, "-c", WEASYPRINT_LOOP, str(pages_file), str(settings.BASE_DIR), str(renders)]

    def rate(processes: int) -> float:
        running = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(processes)]
        return sum(renders / float(process.communicate()[0]) for process in running)

    one, two = rate(1), rate(2)
    return {"renders_per_s_1": round(one, 2), "renders_per_s_2": round(two, 2),
            "scaling": round(two / one, 2)}


def workers_run(processes: int, log_dir: Path, label: str) -> dict[str, Any]:
    """Start ``processes`` batch workers together; time until the last one exits.

    While they run, each worker's scheduler figures are sampled: its lifetime splits into
    time on a CPU, time waiting for a CPU (other processes had them all) and the rest,
    time blocked: on a database lock, disk or sleep.
    """
    from django.db import connections

    connections.close_all()  # the bench holds no connection while the workers run
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    logs = [open(log_dir / f"worker-{label}-{n}.log", "w") for n in range(processes)]  # noqa: SIM115
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    running = [
        subprocess.Popen(command, cwd=REPO, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
        for log in logs
    ]
    # Per worker, the last sample: (seconds since start, on CPU, waiting for a CPU).
    samples: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)] * processes
    try:
        while any(process.poll() is None for process in running):
            if time.perf_counter() - started > WORKER_TIMEOUT:
                raise SystemExit(f"The workers did not finish in {WORKER_TIMEOUT} s; see {log_dir}")
            for index, process in enumerate(running):
                if process.returncode is None and (stat := schedstat(process.pid)):
                    samples[index] = (time.perf_counter() - started, *stat)
            time.sleep(0.05)
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
        for log in logs:
            log.close()
    elapsed = time.perf_counter() - started
    codes = [process.returncode for process in running]
    if any(codes):
        raise SystemExit(f"A worker exited with {codes}; see {log_dir}")
    lifetime = sum(sample[0] for sample in samples)
    on_cpu = sum(sample[1] for sample in samples)
    waiting = sum(sample[2] for sample in samples)
    return {
        "processes": processes,
        "wall_s": elapsed,
        **cpu_share(cpu_before, elapsed),
        "waiting_for_cpu_share": round(waiting / lifetime, 3),
        "blocked_share": round(max(lifetime - on_cpu - waiting, 0) / lifetime, 3),
        # The round's length had no other program wanted the CPUs: the slowest worker's
        # lifetime less its time waiting for a CPU (a first-order estimate).
        "wall_s_without_cpu_wait": round(max(sample[0] - sample[2] for sample in samples), 2),
    }


def round_verify(document_ids: list[int]) -> dict[str, Any]:
    """After a round: every document ready with its file and the right hash, no file on disk
    that no document names, each task run once, each series numbered 1..n without gap or repeat."""
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    from documents.models import Document

    problems: list[str] = []
    documents = list(Document.objects.filter(pk__in=document_ids).select_related("case"))
    statuses = Counter(d.status for d in documents)
    media = Path(settings.MEDIA_ROOT)
    for document in documents:
        if document.status != Document.Status.READY:
            problems.append(f"document {document.pk} is {document.status}: {document.error[:200]}")
            continue
        path = media / document.file.name
        if not path.is_file():
            problems.append(f"document {document.pk}: file {document.file.name} missing")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != document.sha256 or len(data) != document.size:
            problems.append(f"document {document.pk}: stored file does not match its hash or size")

    series_keys = {(d.event_id, d.kind) for d in documents}
    versions: dict[tuple[int, str], list[int]] = defaultdict(list)
    for event_id, kind, version in Document.objects.filter(
        event_id__in={key[0] for key in series_keys}
    ).values_list("event_id", "kind", "version"):
        if (event_id, kind) in series_keys:
            versions[(event_id, kind)].append(version)
    for key, numbers in versions.items():
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            problems.append(f"series {key} has versions {sorted(numbers)}")

    # Files on disk that no document row names: a document stored twice (a render that lost
    # the race must store nothing). Names are compared whole: documents of one case may share
    # a name stem, the storage then adds a suffix.
    named = {Path(name) for name in Document.objects.exclude(file="").values_list("file", flat=True)}
    on_disk = {p.relative_to(media) for p in (media / "documents").rglob("*.pdf")}
    orphans = sorted(str(p) for p in on_disk - named)
    if orphans:
        problems.append(f"{len(orphans)} files belong to no document, e.g. {orphans[:3]}")

    tasks = list(DBTaskResult.objects.all())
    task_statuses = Counter(t.status for t in tasks)
    per_worker = Counter(worker for t in tasks for worker in t.worker_ids)
    if len(tasks) != len(document_ids) or any(len(t.worker_ids) != 1 for t in tasks):
        problems.append(f"{len(tasks)} tasks, claims per task {Counter(len(t.worker_ids) for t in tasks)}")
    if task_statuses.get("SUCCESSFUL", 0) != len(tasks):
        problems.append(f"task statuses {dict(task_statuses)}")
        for failed in Counter(
            f"{t.exception_class_path}: {t.traceback.strip().splitlines()[-1] if t.traceback else ''}"
            for t in tasks if t.status != "SUCCESSFUL"
        ).most_common(3):
            problems.append(f"task failure x{failed[1]}: {failed[0][:300]}")
    return {
        "documents": len(documents),
        "statuses": dict(statuses),
        "series": len(versions),
        "tasks": dict(task_statuses),
        "tasks_per_worker": sorted(per_worker.values(), reverse=True),
        "problems": problems,
        "ok": not problems and statuses.get(Document.Status.READY, 0) == len(document_ids),
    }


def round_rates(wall_s: float, count: int) -> dict[str, Any]:
    """Documents per second over the whole run, and between the first claim and the last finish
    (the latter leaves out the worker processes' start-up)."""
    from django.db.models import Max, Min
    from django_tasks_db.models import DBTaskResult

    span = DBTaskResult.objects.aggregate(first=Min("started_at"), last=Max("finished_at"))
    busy_s = (span["last"] - span["first"]).total_seconds()
    return {
        "wall_s": round(wall_s, 2),
        "docs_per_s": round(count / wall_s, 2),
        "busy_s": round(busy_s, 2),
        "docs_per_s_busy": round(count / busy_s, 2),
    }


def throughput_round(processes: int, series: list, actor, log_dir: Path) -> dict[str, Any]:
    """Make a new pending version of each document in ``series``, drain them with
    ``processes`` workers, and check the result."""
    document_ids = pending_make(series, actor)
    load = os.getloadavg()[0]
    run = workers_run(processes, log_dir, f"{processes}p")
    return {
        "processes": processes,
        "load_avg_1m_before": round(load, 2),
        **round_rates(run["wall_s"], len(document_ids)),
        "cpus_busy_workers": run["cpus_busy_ours"],
        "cpu_ms_per_doc": round(1000 * run["cpu_ours_s"] / len(document_ids), 1),
        **{key: run[key] for key in (
            "cpu_others_share", "waiting_for_cpu_share", "blocked_share", "wall_s_without_cpu_wait"
        )},
        "verify": round_verify(document_ids),
    }


def measure_throughput(count: int, actor, log_dir: Path) -> dict[str, Any]:
    from django.db import connection

    series = throughput_series(count)

    # Fixed cost of a worker process: boot Django, find the queue empty, exit.
    queue_clear()
    startup = workers_run(1, log_dir, "empty")

    one = throughput_round(1, series, actor, log_dir)
    scaling = machine_scaling()
    rendering_scaling = weasyprint_scaling(log_dir)
    two = throughput_round(2, series, actor, log_dir)
    speedup = two["docs_per_s"] / one["docs_per_s"]
    return {
        "database": database_description(connection),
        "documents": count,
        "kinds": dict(sorted(Counter(d.kind for d in series).items())),
        "worker_startup_s": round(startup["wall_s"], 2),
        "machine_scaling": scaling,
        "weasyprint_scaling": rendering_scaling,
        "1_process": one,
        "2_process": two,
        "speedup": round(speedup, 2),
        "speedup_busy": round(two["docs_per_s_busy"] / one["docs_per_s_busy"], 2),
        "speedup_without_cpu_wait": round(one["wall_s_without_cpu_wait"] / two["wall_s_without_cpu_wait"], 2),
        "target_speedup_min": TARGET_SPEEDUP,
        "target_met": speedup >= TARGET_SPEEDUP,
        "verified": one["verify"]["ok"] and two["verify"]["ok"],
    }


def database_description(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (WAL, IMMEDIATE transactions)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def throughput_on_postgres(count: int, work_dir: Path) -> dict[str, Any]:
    """Run (b) again in a child process against a throwaway PostgreSQL cluster."""
    cluster = Path(tempfile.mkdtemp(prefix="itinera-bench-pg-", dir="/tmp"))
    pg_cli = str(REPO / "scripts" / "pg-cluster")
    try:
        started = subprocess.run(
            [pg_cli, "start", str(cluster)], check=True, capture_output=True, text=True
        )
        url = started.stdout.strip().splitlines()[-1]
        child_dir = work_dir / "postgres"
        child_dir.mkdir()
        env = os.environ.copy()
        env.update({
            "DATABASE_URL": url,
            "ITINERA_MEDIA_ROOT": str(child_dir / "media"),
            "ITINERA_VAR_DIR": str(child_dir / "var"),
        })
        result_file = child_dir / "throughput.json"
        subprocess.run(
            [sys.executable, __file__, "--throughput-only", str(result_file), "--documents", str(count)],
            cwd=REPO, env=env, check=True,
        )
        return json.loads(result_file.read_text())
    finally:
        subprocess.run([pg_cli, "stop", str(cluster)], check=False)


# --- (c) A transition's request time, with the worker not running ----------------------------------

def case_fresh(programme, actor, stage: str, number: int):
    from cases.demo import case_walk, path_to
    from cases.services import case_create

    case = case_create(
        actor=actor, programme=programme, cohort=programme.cohorts[0] if programme.cohorts else "",
        participant={
            "given_names": "Bench", "family_name": "Participant",  # a name has no digits
            "date_of_birth": dt.date(1995, 1 + number % 12, 1 + number % 27),
            "nationality": "MA", "preferred_language": ("fr", "ar", "nl", "en")[number % 4],
            "email": f"bench.{number}@bench.example.net", "phone": f"+212 6{number:03d} 00 00",
        },
    )
    if stage != "applied":
        case = case_walk(case=case, actor=actor, transitions=path_to(stage))
    return case


def transition_time(case, transition: str, actor) -> tuple[float, int]:
    """Seconds ``case_advance`` takes, and how many documents it queued (all still pending)."""
    from cases.demo import checklist_complete, sample_input
    from cases.models import Case
    from documents.models import Document
    from workflow.itinerary import TRANSITION_BY_NAME
    from workflow.services import case_advance

    checklist_complete(case=case, actor=actor)
    case = Case.objects.get(pk=case.pk)
    data = sample_input(TRANSITION_BY_NAME[transition], case)
    before = set(Document.objects.filter(case=case).values_list("pk", flat=True))
    started = time.perf_counter()
    case_advance(case=case, transition=transition, actor=actor, version=case.version, data=data)
    elapsed = time.perf_counter() - started
    created = Document.objects.filter(case=case).exclude(pk__in=before)
    if created.exclude(status=Document.Status.PENDING).exists():
        raise SystemExit(f"'{transition}' rendered a document during the request")
    return elapsed, created.count()


def measure_transitions(runs: int, actor) -> dict[str, Any]:
    from cases.models import Programme

    programme = Programme.objects.get(code="palim")
    plan = {"start_screening": "applied", "select": "screening"}
    cases = {
        name: [case_fresh(programme, actor, stage, 1000 + 100 * i + n) for n in range(runs + 1)]
        for i, (name, stage) in enumerate(plan.items())
    }
    cpu_before, started = cpu_seconds(), time.perf_counter()
    times: dict[str, list[float]] = {name: [] for name in plan}
    documents: dict[str, set[int]] = {name: set() for name in plan}
    for name in plan:  # warm-up, not measured
        transition_time(cases[name][0], name, actor)
    for n in range(1, runs + 1):  # interleaved, so drift affects both alike
        for name in plan:
            elapsed, created = transition_time(cases[name][n], name, actor)
            times[name].append(elapsed)
            documents[name].add(created)
    rows = {
        name: {
            "documents": sorted(documents[name]),
            "median_ms": round(statistics.median(times[name]) * 1000, 2),
            "min_ms": round(min(times[name]) * 1000, 2),
            "max_ms": round(max(times[name]) * 1000, 2),
        }
        for name in plan
    }
    others = cpu_share(cpu_before, time.perf_counter() - started)["cpu_others_share"]
    one, three = rows["start_screening"], rows["select"]
    return {
        "runs": runs,
        "cpu_others_share": others,
        "transitions": rows,
        "ratio_3_to_1": round(three["median_ms"] / one["median_ms"], 2),
    }


# --- Report ------------------------------------------------------------------------------------------

def command_output(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine_description() -> dict[str, Any]:
    import weasyprint

    model = command_output(["lscpu"])
    model = next((line.split(":", 1)[1].strip() for line in model.splitlines() if "Model name" in line), "")
    memory = next((line.split()[1] for line in command_output(["free", "-h"]).splitlines()
                   if line.startswith("Mem:")), "")
    return {
        "cpus": command_output(["nproc"]),
        "cpu_model": model,
        "memory": memory,
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "platform": platform.platform(),
    }


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        # The first column left-aligned, the figures right-aligned.
        cells_widths = enumerate(zip(row, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in cells_widths)

    lines = [line(row) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def report(results: dict[str, Any]) -> str:
    out: list[str] = []
    machine = results["machine"]
    out.append(f"Itinera document benchmark, {results['date']}"
               f"{' (quick)' if results['quick'] else ''}")
    out.append(f"{machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory']} memory, "
               f"Python {machine['python']}, WeasyPrint {machine['weasyprint']}, {results['database']}")
    busy = results["cpu_others_share_at_start"]
    out.append(f"other programs used {100 * busy:.0f}% of the CPUs when the run started")

    a = results["render"]
    out.append(f"\n(a) Full document_render against bare WeasyPrint, median of {a['runs_per_kind']} each")
    out.append(table(
        ["kind", "lang", "PDF/A", "full ms", "bare ms", "full/bare", "overhead ms", "paired", "CPU ratio"],
        [[r["kind"], r["language"], "yes" if r["pdfa"] else "", r["full_median_ms"], r["bare_median_ms"],
          f"{r['ratio']:.3f}", r["overhead_median_ms"], f"{r['ratio_paired']:.3f}", f"{r['ratio_cpu']:.3f}"]
         for r in a["kinds"]],
    ))
    out.append(f"worst ratio {a['worst_ratio']:.3f} ({a['worst_kind']}), all kinds together "
               f"{a['ratio_of_sums']:.3f}; target <= {TARGET_RENDER_RATIO}: {verdict(a['target_met'])}")
    out.append(f"worst paired ratio {a['worst_ratio_paired']:.3f}, "
               f"worst CPU-time ratio {a['worst_ratio_cpu']:.3f}")
    out.append(f"other programs took {100 * a['cpu_others_share']:.0f}% of the CPUs meanwhile")

    for b in [results["throughput"]] + ([results["throughput_postgres"]] if results.get(
            "throughput_postgres") else []):
        out.append(f"\n(b) Worker throughput, {b['documents']} documents, {b['database']}")
        if b["database"].startswith("PostgreSQL"):
            out.append("(others' CPU includes the PostgreSQL server's)")
        rows = []
        for key in ("1_process", "2_process"):
            r = b[key]
            rows.append([r["processes"], r["wall_s"], r["docs_per_s"], r["busy_s"], r["docs_per_s_busy"],
                         "/".join(map(str, r["verify"]["tasks_per_worker"])),
                         "ok" if r["verify"]["ok"] else "FAILED", r["cpus_busy_workers"], r["cpu_ms_per_doc"],
                         f"{100 * r['cpu_others_share']:.0f}%", f"{100 * r['waiting_for_cpu_share']:.0f}%",
                         f"{100 * r['blocked_share']:.1f}%"])
        out.append(table(["workers", "wall s", "docs/s", "busy s", "docs/s busy", "tasks each",
                          "verified", "CPUs used", "CPU ms/doc", "others' CPU", "wait CPU", "blocked"], rows))
        out.append(f"speed-up {b['speedup']:.2f}x (busy span {b['speedup_busy']:.2f}x), worker start-up "
                   f"{b['worker_startup_s']} s; target >= {TARGET_SPEEDUP}x: {verdict(b['target_met'])}")
        lengths = [b[key]["wall_s_without_cpu_wait"] for key in ("1_process", "2_process")]
        out.append(f"without the workers' time waiting for a CPU: {b['speedup_without_cpu_wait']:.2f}x "
                   f"({lengths[0]} s and {lengths[1]} s)")
        m, w = b["machine_scaling"], b["weasyprint_scaling"]
        out.append(f"controls, just before the 2-worker round, from 1 to 2 processes: a pure-Python loop "
                   f"scaled {m['scaling']:.2f}x, bare WeasyPrint {w['scaling']:.2f}x "
                   f"({w['renders_per_s_1']} and {w['renders_per_s_2']} renders/s)")
        if max(b[key]["cpu_others_share"] for key in ("1_process", "2_process")) > 0.1:
            out.append("  other programs took more than 10% of the CPUs during a round: the speed-up is "
                       "understated; run again on a quiet machine")
        for key in ("1_process", "2_process"):
            for problem in b[key]["verify"]["problems"][:10]:
                out.append(f"  problem ({key}): {problem}")

    c = results["transitions"]
    out.append(f"\n(c) case_advance with no worker running, median of {c['runs']}")
    out.append(table(
        ["transition", "documents", "median ms", "min ms", "max ms"],
        [[name, "/".join(map(str, r["documents"])), r["median_ms"], r["min_ms"], r["max_ms"]]
         for name, r in c["transitions"].items()],
    ))
    out.append(f"ratio 3 documents / 1 document: {c['ratio_3_to_1']:.2f}; other programs took "
               f"{100 * c['cpu_others_share']:.0f}% of the CPUs meanwhile")
    return "\n".join(out)


# --- Main --------------------------------------------------------------------------------------------

def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 renders per kind instead of 15")
    parser.add_argument("--postgres", action="store_true",
                        help="also measure worker throughput on a throwaway PostgreSQL cluster")
    parser.add_argument("--documents", type=int, default=DOCUMENTS_QUEUED, help=argparse.SUPPRESS)
    # Internal: the PostgreSQL run of (b), in a child process with its own DATABASE_URL.
    parser.add_argument("--throughput-only", metavar="RESULT_FILE", help=argparse.SUPPRESS)
    return parser.parse_args()


def throughput_only(result_file: Path, count: int) -> None:
    """Child mode: the environment already names the database and media directory."""
    work_dir = Path(os.environ["ITINERA_MEDIA_ROOT"]).parent
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("ITINERA_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    django_start()
    prepared = database_prepare()
    print(f"[postgres] demo loaded in {prepared['load_demo_s']} s; measuring throughput", flush=True)
    result = measure_throughput(count, prepared["caseworker"], work_dir)
    result_file.write_text(json.dumps(result, indent=2, default=str))


def main() -> None:
    args = parse_args()
    if args.throughput_only:
        throughput_only(Path(args.throughput_only), args.documents)
        return

    busy_at_start = machine_busy()
    if busy_at_start > 0.2:
        print(f"Warning: other programs are using {100 * busy_at_start:.0f}% of the CPUs; "
              "the figures will be noisy and the speed-up capped.", file=sys.stderr)
    work_dir = Path(tempfile.mkdtemp(prefix="itinera-bench-"))
    finished = False
    try:
        configure_environment(f"sqlite:///{work_dir / 'bench.sqlite3'}", work_dir)
        django_start()
        from django.db import connection

        print(f"Working in {work_dir}", flush=True)
        prepared = database_prepare()
        actor = prepared["caseworker"]
        print(f"Demo loaded ({prepared['demo_cases']} cases, {prepared['load_demo_s']} s)", flush=True)

        # (b) first: it is the measurement other programs on the machine disturb most.
        print(f"(b) draining {args.documents} documents with 1, then 2 workers ...", flush=True)
        throughput = measure_throughput(args.documents, actor, work_dir)
        throughput_postgres = None
        if args.postgres:
            print("(b) again on PostgreSQL ...", flush=True)
            throughput_postgres = throughput_on_postgres(args.documents, work_dir)
        runs = 5 if args.quick else 15
        print(f"(a) rendering each kind {runs} times, full and bare ...", flush=True)
        render = measure_render_overhead(runs, actor)
        transition_runs = 5 if args.quick else TRANSITION_RUNS
        print(f"(c) timing {transition_runs} transitions of each kind ...", flush=True)
        transitions = measure_transitions(transition_runs, actor)

        results = {
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "quick": args.quick,
            "cpu_others_share_at_start": busy_at_start,
            "machine": machine_description(),
            "database": database_description(connection),
            "demo": {"cases": prepared["demo_cases"], "load_demo_s": prepared["load_demo_s"]},
            "render": render,
            "throughput": throughput,
            "throughput_postgres": throughput_postgres,
            "transitions": transitions,
        }
        OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
        OUT_FILE.write_text(json.dumps(results, indent=2, default=str) + "\n")
        print()
        print(report(results))
        print(f"\nWritten to {OUT_FILE.relative_to(REPO)}")
        finished = throughput["verified"] and (throughput_postgres or {"verified": True})["verified"]
        if not finished:
            sys.exit(1)
    finally:
        if finished:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            print(f"Stopped early or not verified; database, media and worker logs kept in {work_dir}",
                  file=sys.stderr)


if __name__ == "__main__":
    main()
