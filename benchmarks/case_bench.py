"""Server time of the case list and the case page on a large synthetic caseload (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench \\
        .venv/bin/python benchmarks/case_bench.py --cases 100000

Creates and migrates the database if needed, seeds the demo accounts, fills it with
`generate_synthetic` up to --cases (skipped when already that full), then times full requests
through Django's test client (middleware, view, queries, template; no network) and prints p50
and p95 per scenario against the goal. It asserts nothing: it is a measurement, see README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import config.test_env  # noqa: E402,F401 - keys, hosts and DEBUG=0 before Django reads them

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

GOAL_P95_MS = 150.0
ORGANISATION = "ong-la-paz"
LIST_FILTERS = {"status": "active", "department": "02"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "case_bench measures PostgreSQL, as production runs it. Set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench "
            ".venv/bin/python benchmarks/case_bench.py --cases 100000"
        )
    return url


def _create_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    name = dj_database_url.parse(url)["NAME"]
    # libpq reads the URL; only the database is swapped for the maintenance one.
    with psycopg.connect(url, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


def _prepare(cases: int, seed: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from cases.models import Case
    from demo.seed import seed as seed_accounts

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    seed_accounts()
    have = Case.objects.filter(organisation__slug=ORGANISATION).count()
    if have >= cases:
        print(f"{have} cases already in {ORGANISATION}: not generating.")
        return
    print(f"{have} cases in {ORGANISATION}; generating {cases - have} (this takes minutes).")
    started = time.monotonic()
    call_command(
        "generate_synthetic",
        "--cases",
        str(cases - have),
        "--seed",
        str(seed + have),  # a top-up continues with other cases, not copies of the first ones
        "--organisation",
        ORGANISATION,
        "--force",
    )
    print(f"Filled in {time.monotonic() - started:.0f} s.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give in a while


def _client(email: str) -> Any:
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def _time(request: Callable[[], Any], iterations: int, warmup: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _n in range(warmup):
        request()
    with CaptureQueriesContext(connection) as captured:
        response = request()
    queries = len(captured)  # now: the next request empties the connection's query log
    if response.status_code != 200:
        raise SystemExit(f"Request answered {response.status_code}, not 200.")
    timings = []
    for _n in range(iterations):
        started = time.perf_counter()
        request()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, queries


def _explain(request: Callable[[], Any], top: int = 2) -> None:
    """EXPLAIN ANALYZE of the slowest SELECTs of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        request()
    selects = [
        q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    for query in sorted(selects, key=lambda q: float(q["time"]), reverse=True)[:top]:
        print(f"\n  -- {float(query['time']) * 1000:.1f} ms: {query['sql'][:300]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            for (line,) in cursor.fetchall():
                print("     " + line)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _sizes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"Database size: {cursor.fetchone()[0]}")
        cursor.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables "
            "WHERE relname ~ '^(cases_|survivors_|crypto_datakey|audit_)' ORDER BY n_live_tup DESC"
        )
        for name, rows in cursor.fetchall():
            print(f"  {name:34} {rows:>10} rows")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--deep-page", type=int, default=2000)
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries"
    )
    args = parser.parse_args()

    url = _database_url()
    _create_database(url)
    import django

    django.setup()
    _prepare(args.cases, args.seed)

    from django.core.paginator import Paginator

    from access.policy import membership_for
    from accounts.models import User
    from cases import selectors
    from cases.selectors import CaseFilters
    from organisations.models import Organisation

    org = Organisation.objects.get(slug=ORGANISATION)
    supervisor_email, lawyer_email = "supervisor@demo.amparo.bo", "lawyer@demo.amparo.bo"
    supervisor = membership_for(User.objects.get(email=supervisor_email), org.pk)
    filtered = selectors.case_list(
        membership=supervisor, filters=CaseFilters(status="active", department="02")
    )
    pages = Paginator(filtered, 25).num_pages
    deep = min(args.deep_page, pages)
    ids = list(selectors.case_visible_to(membership=supervisor).values_list("pk", flat=True))
    rng = random.Random(args.seed)  # picks cases, not secrets

    as_supervisor, as_lawyer = _client(supervisor_email), _client(lawyer_email)
    scenarios: list[tuple[str, Callable[[], Any]]] = [
        ("list, active + La Paz, page 1", lambda: as_supervisor.get("/cases/", LIST_FILTERS)),
        (
            f"list, active + La Paz, page {deep} of {pages}",
            lambda: as_supervisor.get("/cases/", {**LIST_FILTERS, "page": deep}),
        ),
        (
            f"list, no filter, page {args.deep_page}",
            lambda: as_supervisor.get("/cases/", {"page": args.deep_page}),
        ),
        (
            "list, lawyer's team cases, page 1",
            lambda: as_lawyer.get("/cases/", {"status": "active"}),
        ),
        ("case page, random case", lambda: as_supervisor.get(f"/cases/{rng.choice(ids)}/")),
    ]
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"\n{len(ids)} cases visible to the supervisor; {args.iterations} timed requests per "
        f"scenario after {args.warmup} warm-up. Goal: p95 <= {GOAL_P95_MS:.0f} ms. "
        f"Load average before: {load} on {os.cpu_count()} CPUs.\n"
    )
    print(f"{'scenario':48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}  goal")
    for name, request in scenarios:
        timings, queries = _time(request, args.iterations, args.warmup)
        p50, p95 = statistics.median(timings), _percentile(timings, 0.95)
        verdict = "met" if p95 <= GOAL_P95_MS else "MISSED"
        print(f"{name:48} {p50:8.1f} {p95:8.1f} {max(timings):8.1f} {queries:8d}  {verdict}")
        if args.explain:
            _explain(request)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\nLoad average after: {load}.")
    _sizes()


if __name__ == "__main__":
    main()
