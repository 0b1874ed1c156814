"""Benchmark the API on PostgreSQL: person look-ups under gunicorn, and a batch of 1,000 events.

    .venv/bin/python bench/bench_api.py [--persons 1000000] [--workers 4] [--reuse] [--keep]

Creates the database `dost_bench_api` (dropped first unless --reuse), migrates it and loads
persons, households and memberships with COPY (the generator of bench/bench_snapshot.py; personal
IDs are the zero-padded keys, "0000001" …). Then:
- starts gunicorn (sync workers, DEBUG off) on 127.0.0.1 and drives `GET /api/v1/persons/{id}`
  with random IDs using wrk (4 threads, 32 connections, 30 s) on loopback: requests/s and the
  latency percentiles, every call authenticated, scope-checked and logged as in production;
- sends one batch of 1,000 `employment_started` events for distinct persons through
  `POST /api/v1/events` and times it end to end, then resends it (all duplicates).
Needs gunicorn (pip) and wrk (apt).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "dost_bench_api"
SERVER = "postgres://postgres@127.0.0.1:5432"
PORT = 8765
TABLES = ("registry_household", "registry_person", "registry_membership")

WRK_SCRIPT = """
math.randomseed(2026)
request = function()
  local path = string.format("/api/v1/persons/%%07d", math.random(1, %(persons)d))
  return wrk.format("GET", path, {["Authorization"] = "Bearer %(key)s",
                                  ["X-Purpose"] = "benchmark"})
end
"""


def _setup(args: argparse.Namespace) -> str:
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    import bench_snapshot

    if not args.reuse:
        bench_snapshot.psql(f"DROP DATABASE IF EXISTS {DATABASE}")
        bench_snapshot.psql(f"CREATE DATABASE {DATABASE}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dost.api.keys import client_create, key_issue
    from dost.api.models import ApiClient

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        frames = {t: f for t, f in bench_snapshot.generate(args.persons).items() if t in TABLES}
        print(f"generated in {time.perf_counter() - started:.1f} s; loading with COPY:")
        connection.set_autocommit(True)
        bench_snapshot.load(frames)
        del frames
    client = ApiClient.objects.filter(name="bench").first() or client_create(
        name="bench", sender="bench", scopes=["persons:read", "events:write"],
        rate_limit_per_minute=10_000_000,
    )
    return key_issue(client=client).key


def _wait_for_server() -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/openapi.json", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _lookups(key: str, persons: int, seconds: int) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"persons": persons, "key": key})
    result = subprocess.run(
        ["wrk", "-t4", "-c32", f"-d{seconds}s", "--latency", "-s", script.name,
         f"http://127.0.0.1:{PORT}"], capture_output=True, text=True, check=True,
    )
    return result.stdout


def _post(key: str, body: dict[str, object]) -> tuple[float, dict[str, object]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/api/v1/events", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (fixed http URL)
        answer = json.loads(response.read())
    return time.perf_counter() - started, answer


def _batch(run: int) -> dict[str, object]:
    # Distinct adults (slot 0 of each household: the heads), one new job each.
    return {"events": [
        {"sender_event_id": f"bench-{run}-{n}", "type": "employment_started",
         "occurred_on": "2026-03-02",
         "payload": {"personal_id": f"{4 * (run * 1000 + n) + 1:07d}",
                     "employer_name": f"Bench employer {run}", "monthly_wage": "900.00"}}
        for n in range(1000)
    ]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="time an existing database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    key = _setup(args)

    env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "dost.wsgi", "-w", str(args.workers),
         "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"], cwd=ROOT, env=env,
    )
    try:
        _wait_for_server()
        _lookups(key, args.persons, 5)  # warm the workers' connections and caches
        print(f"person look-ups, {args.workers} gunicorn workers:")
        print(_lookups(key, args.persons, args.seconds))
        run = int(time.time()) % 100
        seconds, answer = _post(key, _batch(run))
        print(f"batch of 1,000 events: {seconds:.2f} s "
              f"(applied {answer['applied']}, rejected {answer['rejected']})")
        seconds, answer = _post(key, _batch(run))
        print(f"the same batch again: {seconds:.2f} s (duplicate {answer['duplicate']})")
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not args.keep:
        from django.db import connections

        connections.close_all()
        import bench_snapshot

        bench_snapshot.psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
