#!/usr/bin/env python3
"""Scale benchmark: the pages people use every day, at 2k, 20k and 100k cases.

Run from the repository root:

    python3 bench/scale.py --cases 2000                 # SQLite, in a throwaway directory
    python3 bench/scale.py --cases 100000 --postgres    # a throwaway PostgreSQL cluster
    python3 bench/scale.py --cases 20000 --database-url postgres://itinera@127.0.0.1:5433/itinera

The database is filled by ``manage.py generate_volume --cases N`` (idempotent, so a kept
database given with ``--database-url`` grows from one run to the next). Each page is
requested in-process through Django's test client by the user who would open it,
interleaved with a bare view (25 rows from an indexed query, the cheapest page Django can
serve here), so that both see the same machine. Reported per page: p50 and p95 in ms,
the ratio of p50 to the bare view's p50, and the number of SQL statements. The CSV
export of every case is timed once with its peak of Python memory. With ``--load``,
20 clients request a mix of pages for 60 s from the production server (``manage.py
serve``, gunicorn) on loopback.

The figures go to ``bench/out/scale-N-VENDOR.json``; ``bench/README.md`` holds the method
and the figures of the last full run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import urllib.parse
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, help="generated cases in the database")
    parser.add_argument("--report", action="store_true",
                        help="print the Markdown tables of the results in bench/out/ and stop")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", action="store_true", help="in a throwaway PostgreSQL cluster")
    where.add_argument("--database-url", help="an existing database (kept; it grows to --cases)")
    parser.add_argument("--rounds", type=int, default=15, help="requests per page (default 15)")
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this")
    parser.add_argument("--load", action="store_true", help="also 20 clients for 60 s on gunicorn")
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=20)
    return parser.parse_args()


def django_start(database_url: str, var_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["ITINERA_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("ITINERA_LOG_LEVEL", "WARNING")
    # The same key in this process and the server of the load run, so its sessions hold there.
    os.environ.setdefault("DJANGO_SECRET_KEY", "scale-benchmark-only")
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.scale_urls"


# --- Measuring ------------------------------------------------------------------------------------


def percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered)) - 1))]


def statements(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    elapsed = time.perf_counter() - started
    if response.status_code >= 400:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return elapsed


def pages(sample: dict) -> list[tuple[str, str, str]]:
    """What each role opens: (page, who opens it, URL)."""
    from django.urls import reverse

    case = sample["case"]
    cases_url, work_url = reverse("cases:index"), reverse("work:index")
    deep = sample["deep_page"]
    return [
        ("dashboard (web)", "coordinator", reverse("coordination:index")),
        ("dashboard (API)", "coordinator", "/api/dashboard/"),
        ("case list, first page (web)", "coordinator", cases_url),
        ("case list, first page (API)", "coordinator", "/api/cases/"),
        (f"case list, deep page {deep} (web)", "coordinator", f"{cases_url}?page={deep}"),
        (f"case list, deep page {deep} (API)", "coordinator", f"/api/cases/?page={deep}"),
        ("search by name (web)", "coordinator", f"{cases_url}?q={sample['family_name']}"),
        ("search by name without accents (API)", "coordinator", f"/api/cases/?search={sample['unaccented']}"),
        ("search by reference (API)", "coordinator", f"/api/cases/?search={case.reference}"),
        ("filter by stage (API)", "coordinator", "/api/cases/?stage=employed"),
        ("filter by overdue (web)", "coordinator", f"{cases_url}?overdue=on"),
        ("case page (web)", "caseworker", reverse("cases:detail", args=[case.pk])),
        ("case detail (API)", "caseworker", f"/api/cases/{case.pk}/"),
        ("My work, caseworker (web)", "caseworker", work_url),
        ("My work, caseworker (API)", "caseworker", "/api/my-work/"),
        ("My work, mentor (web)", "mentor", work_url),
        ("audit log (web)", "coordinator", reverse("coordination:audit")),
        ("audit log (API)", "coordinator", "/api/audit/events/"),
        ("analytics: the page (web)", "coordinator", reverse("coordination:analytics")),
        ("analytics: permit pipeline by Region (API)", "coordinator",
         "/api/analytics/permit-pipeline/?group_by=region"),
        ("analytics: stalls by route (API)", "coordinator", "/api/analytics/stalls/?group_by=route"),
        ("analytics: attraction by programme (API)", "coordinator",
         "/api/analytics/attraction/?group_by=programme"),
        ("analytics: retention by Region and year (API)", "coordinator",
         "/api/analytics/retention/?group_by=region,period"),
        ("analytics: rule impact (API)", "coordinator",
         f"/api/analytics/rule-impact/{sample['rule_version']}/"),
    ]


def clients(usernames: list[str]) -> dict:
    from django.test import Client

    from cases.models import User

    made = {}
    for username in usernames:
        client = Client()
        client.force_login(User.objects.get(username=username))
        made[username] = client
    return made


def measure_pages(rounds: int, sample: dict, only: str = "") -> list[dict[str, Any]]:
    logged_in = clients(["coordinator", "caseworker", "mentor"])
    bare = logged_in["coordinator"]
    rows = []
    for page, user, url in pages(sample):
        if only and only not in page:
            continue
        client = logged_in[user]
        timed(client, url)  # warm-up: caches, connections
        timed(bare, "/bench/bare/")
        page_times, bare_times = [], []
        for _ in range(rounds):
            bare_times.append(timed(bare, "/bench/bare/"))
            page_times.append(timed(client, url))
        rows.append(summary(page, page_times, bare_times, statements(client, url)))
        print(f"  {page}: p50 {rows[-1]['p50_ms']} ms ({rows[-1]['ratio_to_bare']}x bare), "
              f"{rows[-1]['statements']} statements", flush=True)
    return rows


def summary(page: str, page_times: list[float], bare_times: list[float], count: int | None) -> dict[str, Any]:
    p50 = statistics.median(page_times) * 1000
    bare_p50 = statistics.median(bare_times) * 1000
    return {
        "page": page,
        "p50_ms": round(p50, 1),
        "p95_ms": round(percentile(page_times, 95) * 1000, 1),
        "bare_p50_ms": round(bare_p50, 2),
        "ratio_to_bare": round(p50 / bare_p50, 1),
        "statements": count,
    }


def measure_transitions(rounds: int) -> list[dict[str, Any]]:
    """The first move of fresh cases (web form and API), against a bare one-row update."""
    from bench.documents import case_fresh
    from cases.models import Programme, User

    actor = User.objects.get(username="caseworker")
    programme = Programme.objects.get(code="palim")
    from cases.demo import checklist_complete

    fresh = [case_fresh(programme, actor, "applied", 900_000 + n) for n in range(2 * rounds + 3)]
    for case in fresh:
        checklist_complete(case=case, actor=actor)
    client = clients(["caseworker"])["caseworker"]
    rows = []
    for label, post in (
        ("a transition (web)", lambda case: client.post(
            f"/cases/{case.pk}/move/start_screening/", {"version": case.version})),
        ("a transition (API)", lambda case: client.post(
            f"/api/cases/{case.pk}/transitions/start_screening/", {"version": case.version},
            content_type="application/json")),
    ):
        times, bare_times, counts = [], [], None
        for n in range(rounds + 1):
            case = fresh.pop()
            bare_started = time.perf_counter()
            client.post(f"/bench/bare-update/{case.pk}/")
            bare_elapsed = time.perf_counter() - bare_started
            started = time.perf_counter()
            if n == rounds:
                from django.db import connection
                from django.test.utils import CaptureQueriesContext

                with CaptureQueriesContext(connection) as queries:
                    response = post(case)
                counts = len(queries)
            else:
                response = post(case)
            elapsed = time.perf_counter() - started
            moved = type(case).objects.filter(pk=case.pk, stage="screening").exists()
            if response.status_code >= 400 or not moved:
                problem = f"{response.status_code} {response.content[:300]}"
                raise SystemExit(f"{label} did not move the case: {problem}")
            if n and n < rounds:  # the first is a warm-up, the last counts statements
                times.append(elapsed)
                bare_times.append(bare_elapsed)
        rows.append(summary(label, times, bare_times, counts))
        print(f"  {label}: p50 {rows[-1]['p50_ms']} ms ({rows[-1]['ratio_to_bare']}x a bare update), "
              f"{counts} statements", flush=True)
    return rows


def measure_export() -> dict[str, Any]:
    """The CSV of every case the coordinator sees, streamed: timed in one pass, its peak of
    Python memory in another (``tracemalloc`` slows Python down several times over)."""
    client = clients(["coordinator"])["coordinator"]

    def export() -> tuple[int, int, bool]:
        response = client.get("/api/cases/?format=csv")
        size = lines = 0
        for chunk in response.streaming_content if response.streaming else [response.content]:
            size += len(chunk)
            lines += chunk.count(b"\n")
        return size, lines, response.streaming

    started = time.perf_counter()
    size, lines, streamed = export()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    export()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = {"seconds": round(elapsed, 2), "rows": lines - 1, "megabytes": round(size / 1e6, 1),
              "peak_python_memory_mb": round(peak / 1e6, 1), "streamed": streamed}
    print(f"  CSV export: {result}", flush=True)
    return result


# --- Load on the production server ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure_load(seconds: int, clients_count: int, sample: dict) -> dict[str, Any]:
    """``clients_count`` clients, each a keep-alive connection, for ``seconds``."""
    from django.conf import settings

    port = free_port()
    env = {**os.environ, "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        logged_in = clients(["coordinator", "caseworker", "mentor"])
        cookie = settings.SESSION_COOKIE_NAME
        cookies = {user: client.cookies[cookie].value for user, client in logged_in.items()}
        case = sample["case"]
        name = urllib.parse.quote(sample["family_name"])
        mix = [
            ("caseworker", "/work/"), ("caseworker", "/cases/"), ("caseworker", f"/cases/{case.pk}/"),
            ("caseworker", f"/api/cases/{case.pk}/"), ("coordinator", "/cases/?page=3"),
            ("mentor", "/work/"), ("coordinator", f"/api/cases/?search={name}"),
            ("coordinator", "/coordination/"),
        ]
        times: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def client(number: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            step = number
            while time.monotonic() < deadline:
                user, path = mix[step % len(mix)]
                step += 1
                started = time.perf_counter()
                try:
                    connection.request("GET", path, headers={
                        "Cookie": f"{cookie}={cookies[user]}", "Host": "127.0.0.1"})
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as error:
                    status = str(error)
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                elapsed = time.perf_counter() - started
                with lock:
                    times.append(elapsed)
                    if status != 200:
                        errors.append(f"{path}: {status}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients_count)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "clients": clients_count, "seconds": round(wall, 1), "requests": len(times), "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "requests_per_second": round(len(times) / wall, 1),
        "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "p95_ms": round(percentile(times, 95) * 1000, 1) if times else None,
    }
    print(f"  load: {result}", flush=True)
    return result


# --- Setting up -----------------------------------------------------------------------------------


def sample_case() -> dict:
    """A case mid-itinerary that the demo caseworker works on, and a name to search for."""
    import unicodedata

    from cases.models import Case

    case = (
        Case.objects.filter(caseworker__username="caseworker", stage="employed", reference__startswith="VOL-")
        .select_related("participant").order_by("id").first()
    )
    if case is None:
        case = Case.objects.filter(caseworker__username="caseworker").order_by("id").first()
    accented = Case.objects.filter(participant__family_name="Chraïbi").first()
    family = "Chraïbi" if accented else case.participant.family_name
    unaccented = "".join(c for c in unicodedata.normalize("NFD", family) if not unicodedata.combining(c))
    # 80 % of the way through the coordinator's list, 25 a page: page 3200 at 100k cases.
    from cases.models import User
    from cases.selectors import cases_visible_to

    seen = cases_visible_to(User.objects.get(username="coordinator")).count()
    deep_page = max(1, seen * 8 // 10 // 25)
    from permits.models import RuleVersion

    # The Flemish high-qualified version most applications of the generated data fall under.
    version = RuleVersion.objects.filter(region="FL", route="HQ").order_by("-valid_from").first()
    return {
        "case": case, "family_name": family, "unaccented": unaccented, "deep_page": deep_page,
        "rule_version": version.pk if version else 0,
    }


def database_figures() -> dict[str, Any]:
    from django.db import connection

    from cases.models import Case, CaseEvent, ChecklistItem, StageStay
    from documents.models import Document

    figures = {
        "cases": Case.objects.count(), "events": CaseEvent.objects.count(),
        "checklist_items": ChecklistItem.objects.count(), "documents": Document.objects.count(),
        "stage_stays": StageStay.objects.count(), "vendor": connection.vendor,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database()), version()")
            size, version = cursor.fetchone()
        figures.update(database_mb=round(size / 1e6), server=version.split(",")[0])
    return figures


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "machine": platform.machine(), "system": platform.platform(),
    }


def report(part: str = "") -> str:
    """Markdown tables of every run in ``bench/out/`` on PostgreSQL, sizes side by side;
    ``part``: the runs made with ``--only`` that word."""
    pattern = f"scale-*-postgresql{'-' + part if part else ''}.json"
    runs = sorted(
        (json.loads(path.read_text()) for path in OUT.glob(pattern)),
        key=lambda run: run["database"]["cases"],
    )
    sizes = [f"{run['database']['cases']:,}" for run in runs]
    lines = ["| page | " + " | ".join(f"{size} p50 / p95 ms (x bare, statements)" for size in sizes) + " |",
             "|---|" + "---:|" * len(runs)]

    def key(page: str) -> str:
        return re.sub(r"deep page \d+", "deep page (80 % through)", page)

    names = [key(row["page"]) for row in runs[-1]["pages"] + runs[-1]["transitions"]]
    for name in names:
        cells = []
        for run in runs:
            row = next((r for r in run["pages"] + run["transitions"] if key(r["page"]) == name), None)
            if row is None:
                cells.append("—")
                continue
            cells.append(f"{row['p50_ms']} / {row['p95_ms']} ({row['ratio_to_bare']}x, {row['statements']})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if part:
        return "\n".join(lines)
    lines.append("| CSV export of every case | " + " | ".join(
        f"{run['export']['seconds']} s, {run['export']['rows']:,} rows, "
        f"peak {run['export']['peak_python_memory_mb']} MB" for run in runs) + " |")
    lines.append("| 20 clients for 60 s on gunicorn | " + " | ".join(
        (f"{run['load']['requests']:,} requests, {run['load']['errors']} errors, "
         f"p50 {run['load']['p50_ms']} / p95 {run['load']['p95_ms']} ms") if run.get("load") else "—"
        for run in runs) + " |")
    lines.append("")
    lines.append("| database | " + " | ".join(sizes) + " |")
    lines.append("|---|" + "---:|" * len(runs))
    for field in ("events", "checklist_items", "documents", "stage_stays", "database_mb"):
        lines.append(f"| {field.replace('_', ' ')} | " + " | ".join(
            f"{run['database'].get(field, 0):,}" for run in runs) + " |")
    lines.append("| generate_volume (s, for the cases added) | " + " | ".join(
        str(run["generate_volume_s"]) for run in runs) + " |")
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    if args.report:
        print(report(args.only.split()[0] if args.only else ""))
        return
    if not args.cases:
        raise SystemExit("Give --cases N (or --report).")
    work = Path(tempfile.mkdtemp(prefix="itinera-scale-"))
    work.chmod(0o711)  # the cluster inside it runs as the postgres user
    cluster = None
    try:
        if args.postgres:
            cluster = work / "postgres"
            url = subprocess.run(
                [str(REPO / "scripts" / "pg-cluster"), "start", str(cluster)],
                check=True, capture_output=True, text=True,
            ).stdout.strip()
        else:
            url = args.database_url or f"sqlite:///{work / 'scale.sqlite3'}"
        django_start(url, work)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.monotonic()
        call_command("generate_volume", cases=args.cases)
        generated_s = round(time.monotonic() - started, 1)
        call_command("load_demo")
        figures = database_figures()
        print(f"database: {figures}; generated in {generated_s} s", flush=True)
        sample = sample_case()
        results = {
            "cases_asked": args.cases, "database": figures, "generate_volume_s": generated_s,
            "machine": machine(), "rounds": args.rounds,
            "pages": measure_pages(args.rounds, sample, args.only),
            "transitions": [] if args.only else measure_transitions(args.rounds),
            "export": None if args.only else measure_export(),
        }
        if args.load:
            results["load"] = measure_load(args.load_seconds, args.clients, sample)
        OUT.mkdir(exist_ok=True)
        part = f"-{args.only.split()[0]}" if args.only else ""
        target = OUT / f"scale-{args.cases}-{figures['vendor']}{part}.json"
        target.write_text(json.dumps(results, indent=2, default=str) + "\n")
        print(f"written to {target.relative_to(REPO)}")
    finally:
        if cluster is not None:
            subprocess.run([str(REPO / "scripts" / "pg-cluster"), "stop", str(cluster)], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
